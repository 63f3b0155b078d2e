using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln
{
    /// <summary>
    /// A run store in this process's memory, for tests: it survives a run that fails, not the process.
    /// </summary>
    public sealed class InMemoryRunStore : IRunStore
    {
        private readonly Dictionary<(string Pipeline, string RunId), Run> _runs = new();
        private bool _disposed;

        /// <summary>How many runs the store holds.</summary>
        public int RunCount
        {
            get
            {
                lock (_runs)
                {
                    return _runs.Count;
                }
            }
        }

        /// <inheritdoc />
        public ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(header);
            var key = Key(pipelineName, runId);
            cancellationToken.ThrowIfCancellationRequested();
            lock (_runs)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_runs.TryGetValue(key, out Run? run))
                {
                    _runs.Add(key, new Run(new RunHeader(header.Fingerprint, header.Inputs.ToArray())));
                    return new ValueTask<StoredRun>(new StoredRun(true, header, Array.Empty<StoredValue>()));
                }

                var values = new List<StoredValue>(run.Values.Count);
                foreach (KeyValuePair<(int Slot, int Item), byte[]> value in run.Values)
                {
                    values.Add(new StoredValue(value.Key.Slot, value.Key.Item, value.Value));
                }

                return new ValueTask<StoredRun>(new StoredRun(false, run.Header, values));
            }
        }

        /// <inheritdoc />
        public ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(values);
            var key = Key(pipelineName, runId);
            cancellationToken.ThrowIfCancellationRequested();
            lock (_runs)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_runs.TryGetValue(key, out Run? run))
                {
                    throw new InvalidOperationException($"Run '{runId}' of pipeline '{pipelineName}' was not opened in this store (or was deleted).");
                }

                foreach (StoredValue value in values)
                {
                    run.Values[(value.Slot, value.Item)] = value.Data.ToArray();
                }
            }

            return default;
        }

        /// <inheritdoc />
        public ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default)
        {
            var key = Key(pipelineName, runId);
            cancellationToken.ThrowIfCancellationRequested();
            lock (_runs)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return new ValueTask<bool>(_runs.Remove(key));
            }
        }

        /// <summary>Forgets every run; later calls throw <see cref="ObjectDisposedException"/>.</summary>
        public ValueTask DisposeAsync()
        {
            lock (_runs)
            {
                _disposed = true;
                _runs.Clear();
            }

            return default;
        }

        private static (string, string) Key(string pipelineName, string runId)
        {
            ArgumentException.ThrowIfNullOrEmpty(pipelineName);
            ArgumentException.ThrowIfNullOrEmpty(runId);
            return (pipelineName, runId);
        }

        private sealed class Run
        {
            public Run(RunHeader header) => Header = header;

            public RunHeader Header { get; }

            public Dictionary<(int Slot, int Item), byte[]> Values { get; } = new();
        }
    }
}
