using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Execution
{
    /// <summary>
    /// One durable run's side of its store: what was restored when it opened, which nodes it bypasses, and the writer
    /// that stores each output as its node completes (SPEC section 11).
    /// </summary>
    internal sealed class RunCheckpoint
    {
        private readonly RunStoreWriter _writer;
        private readonly Dictionary<int, ReadOnlyMemory<byte>>?[] _items;

        private RunCheckpoint(RunStoreWriter writer, Dictionary<int, ReadOnlyMemory<byte>>?[] items, bool[] bypass)
        {
            _writer = writer;
            _items = items;
            Bypass = bypass;
        }

        /// <summary>Per node, whether the run does not run it (restored, or not needed by what is left).</summary>
        public bool[] Bypass { get; }

        /// <summary>
        /// Opens the run in its store: creates it, or checks that the stored run has this pipeline's fingerprint and these
        /// inputs and restores its values through <paramref name="restore"/>.
        /// </summary>
        public static async Task<RunCheckpoint> OpenAsync(
            PipelinePlan plan,
            DurablePlan durable,
            KilnOptions options,
            byte[] inputs,
            Action<int, ReadOnlyMemory<byte>, IReadOnlyDictionary<int, ReadOnlyMemory<byte>>?> restore,
            Action<Exception> onWriteFault,
            CancellationToken cancellationToken)
        {
            IRunStore store = options.Store ?? throw new ArgumentException(
                $"KilnOptions.RunId is set ('{options.RunId}') but KilnOptions.Store is not: a durable run needs both.", nameof(options));
            string runId = options.RunId is { Length: > 0 } id ? id : throw new ArgumentException(
                $"KilnOptions.Store is set but KilnOptions.RunId is {(options.RunId is null ? "null" : "empty")}: name the run to store it.", nameof(options));
            string pipeline = durable.PipelineName;
            var header = new RunHeader(durable.Fingerprint, inputs);
            StoredRun stored = await store.OpenAsync(pipeline, runId, header, cancellationToken).ConfigureAwait(false);

            int count = plan.NodeNames.Length;
            var restored = new bool[count];
            var items = new Dictionary<int, ReadOnlyMemory<byte>>?[count];
            if (!stored.Created)
            {
                stored.EnsureMatches(pipeline, runId, header);
                var whole = new ReadOnlyMemory<byte>?[count];
                foreach (StoredValue value in stored.Values)
                {
                    if (value.Slot >= count)
                    {
                        throw new InvalidDataException(
                            $"Run '{runId}' of pipeline '{pipeline}' holds a value for node {value.Slot}, but the pipeline has {count} nodes: the store is corrupt.");
                    }

                    if (value.Item == StoredValue.WholeNode)
                    {
                        whole[value.Slot] = value.Data;
                    }
                    else
                    {
                        (items[value.Slot] ??= new Dictionary<int, ReadOnlyMemory<byte>>())[value.Item] = value.Data;
                    }
                }

                for (int node = 0; node < count; node++)
                {
                    if (whole[node] is not { } data)
                    {
                        continue;
                    }

                    try
                    {
                        restore(node, data, items[node]);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        throw new InvalidDataException(
                            $"Run '{runId}' of pipeline '{pipeline}': the stored output of node '{plan.NodeNames[node]}' cannot be read back "
                            + $"({exception.Message}). Delete the run (IRunStore.DeleteAsync) or use another run id.",
                            exception);
                    }

                    restored[node] = true;
                    items[node] = null; // the node is restored whole; its items are not needed again
                }
            }

            var writer = new RunStoreWriter(store, pipeline, runId, onWriteFault);
            return new RunCheckpoint(writer, items, durable.Bypass(restored));
        }

        /// <summary>Queues a node's output (or the empty marker of a node without one) for the store.</summary>
        public void Write(int node, int item, byte[] data) => _writer.Enqueue(new StoredValue(node, item, data));

        /// <summary>The per-item checkpoint of a map node.</summary>
        public MapItems<T> ForMap<T>(int node, Func<T, byte[]> write, Func<ReadOnlyMemory<byte>, T> read) =>
            new(this, node, _items[node], write, read);

        /// <summary>Writes what is still queued; returns the first write's failure instead of throwing it.</summary>
        public async Task<Exception?> CompleteAsync()
        {
            try
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
                return null;
            }
            catch (Exception exception)
            {
                return exception;
            }
        }
    }

    /// <summary>
    /// The checkpoint of one map node in a durable run: items a previous run completed are restored instead of run, and
    /// each item is written to the store as it completes. Used by <see cref="MapRunner"/>.
    /// </summary>
    /// <typeparam name="T">One item's output.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class MapItems<T>
    {
        private readonly RunCheckpoint _checkpoint;
        private readonly int _node;
        private readonly IReadOnlyDictionary<int, ReadOnlyMemory<byte>>? _restored;
        private readonly Func<T, byte[]> _write;
        private readonly Func<ReadOnlyMemory<byte>, T> _read;

        internal MapItems(RunCheckpoint checkpoint, int node, IReadOnlyDictionary<int, ReadOnlyMemory<byte>>? restored, Func<T, byte[]> write, Func<ReadOnlyMemory<byte>, T> read)
        {
            _checkpoint = checkpoint;
            _node = node;
            _restored = restored;
            _write = write;
            _read = read;
        }

        /// <summary>Reads item <paramref name="index"/>'s output if a previous run stored it.</summary>
        /// <param name="index">The item's index.</param>
        /// <param name="value">The stored output.</param>
        /// <returns>Whether the item was stored.</returns>
        public bool TryRestore(int index, out T value)
        {
            if (_restored is not null && _restored.TryGetValue(index, out ReadOnlyMemory<byte> data))
            {
                value = _read(data);
                return true;
            }

            value = default!;
            return false;
        }

        /// <summary>Queues item <paramref name="index"/>'s output for the store.</summary>
        /// <param name="index">The item's index.</param>
        /// <param name="value">Its output.</param>
        public void Store(int index, T value) => _checkpoint.Write(_node, index, _write(value));
    }
}
