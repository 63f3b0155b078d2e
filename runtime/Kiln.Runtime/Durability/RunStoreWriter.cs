using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Kiln.Execution
{
    /// <summary>
    /// Writes a durable run's values to its store in the background, so that a node's dependents never wait for its
    /// write: values queue as nodes finish, and one loop writes whatever has queued as one batch while the next values
    /// gather. The first failed write faults the writer (and calls back, so the run can stop); the run then fails with
    /// that error when it completes the writer. Used by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class RunStoreWriter
    {
        private readonly IRunStore _store;
        private readonly string _pipelineName;
        private readonly string _runId;
        private readonly int _maxBatch;
        private readonly Action<Exception>? _onFault;
        private readonly Channel<StoredValue> _queue = Channel.CreateUnbounded<StoredValue>(
            new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        private readonly Task _loop;
        private Exception? _fault;
        private int _batches;

        /// <summary>Starts the writer of one run.</summary>
        /// <param name="store">The run's store.</param>
        /// <param name="pipelineName">The pipeline's full name.</param>
        /// <param name="runId">The run id.</param>
        /// <param name="onFault">Called once, from the writer's loop, when a write fails.</param>
        /// <param name="maxBatch">The most values one write carries.</param>
        public RunStoreWriter(IRunStore store, string pipelineName, string runId, Action<Exception>? onFault = null, int maxBatch = 512)
        {
            ArgumentNullException.ThrowIfNull(store);
            ArgumentException.ThrowIfNullOrEmpty(pipelineName);
            ArgumentException.ThrowIfNullOrEmpty(runId);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
            _store = store;
            _pipelineName = pipelineName;
            _runId = runId;
            _onFault = onFault;
            _maxBatch = maxBatch;
            _loop = Task.Run(WriteLoopAsync);
        }

        /// <summary>The first write's failure, or null.</summary>
        public Exception? Fault => Volatile.Read(ref _fault);

        /// <summary>How many writes the store has received so far.</summary>
        public int Batches => Volatile.Read(ref _batches);

        /// <summary>Queues a value; returns at once. After a fault, values are dropped: the run is failing.</summary>
        /// <param name="value">The value; its buffer must not change afterwards.</param>
        /// <exception cref="InvalidOperationException">The writer was completed.</exception>
        public void Enqueue(StoredValue value)
        {
            if (!_queue.Writer.TryWrite(value))
            {
                throw new InvalidOperationException($"The store writer of run '{_runId}' was completed; no value can follow.");
            }
        }

        /// <summary>
        /// Writes what is still queued and waits for it. Throws the first write's failure, if any. Called once, when the
        /// run's nodes have ended (whether they succeeded or not, so that nothing is left running).
        /// </summary>
        public async Task CompleteAsync()
        {
            _queue.Writer.TryComplete();
            await _loop.ConfigureAwait(false);
            if (Fault is { } fault)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fault).Throw();
            }
        }

        private async Task WriteLoopAsync()
        {
            ChannelReader<StoredValue> reader = _queue.Reader;
            var batch = new List<StoredValue>();
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < _maxBatch && reader.TryRead(out StoredValue value))
                {
                    batch.Add(value);
                }

                if (_fault is not null)
                {
                    batch.Clear();
                    continue;
                }

                try
                {
                    // No token: a write that started completes or fails; the run's cancellation does not tear it.
                    await _store.WriteAsync(_pipelineName, _runId, batch).ConfigureAwait(false);
                    Interlocked.Increment(ref _batches);
                }
                catch (Exception e)
                {
                    Volatile.Write(ref _fault, e);
                    _onFault?.Invoke(e);
                }

                batch.Clear();
            }
        }
    }
}
