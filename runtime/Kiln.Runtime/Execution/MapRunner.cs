using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Execution
{
    /// <summary>
    /// Runs a <c>[Map]</c> node: its method once per item of a collection, at most <c>MaxConcurrency</c> items at once,
    /// each item through the node's <see cref="NodeAttempts"/> when it has a policy (or <see cref="KilnOptions.Resilience"/>
    /// is set), the outputs collected in item order. An item that fails (after its retries) fails the node: the other
    /// items are cancelled and awaited, then the failure is thrown with the item's index. One instance per node, shared
    /// by every run. Used by generated code.
    /// </summary>
    /// <remarks>
    /// Workers claim the next item with one atomic increment, as <c>Parallel.ForEachAsync</c> does; each worker is one
    /// asynchronous loop, so awaiting an item allocates nothing per item beyond what the item's own task costs. The
    /// caller's thread starts a worker, and another each time the last one's item is pending, up to the concurrency; a
    /// worker whose item completed at once queues one more to the thread pool, so a synchronous, CPU-bound map still
    /// spreads over the cores.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class MapRunner
    {
        private readonly string _node;
        private readonly int _maxConcurrency;
        private readonly NodeAttempts _attempts;
        private readonly bool _hasPolicy;

        /// <summary>Describes a map node.</summary>
        /// <param name="node">The node's name.</param>
        /// <param name="maxConcurrency">The most items that run at once, at least 1.</param>
        /// <param name="attempts">The node's retries and timeout, used when <paramref name="hasPolicy"/> or when the run has a
        /// <see cref="KilnOptions.Resilience"/> callback.</param>
        /// <param name="hasPolicy">Whether the node declares <c>Retries</c> or <c>TimeoutMs</c>.</param>
        public MapRunner(string node, int maxConcurrency, NodeAttempts attempts, bool hasPolicy)
        {
            ArgumentException.ThrowIfNullOrEmpty(node);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
            ArgumentNullException.ThrowIfNull(attempts);
            _node = node;
            _maxConcurrency = maxConcurrency;
            _attempts = attempts;
            _hasPolicy = hasPolicy;
        }

        /// <summary>
        /// Calls <paramref name="call"/> once per item of <paramref name="items"/>. The result holds each item's output at the
        /// item's index; an empty collection gives an empty array. A failing item surfaces as <see cref="MapItemException"/>
        /// (its inner exception what the item threw, or <see cref="AttemptsExhaustedException"/>) once no item runs any more;
        /// cancellation of <paramref name="runToken"/> as <see cref="OperationCanceledException"/>.
        /// </summary>
        /// <typeparam name="TState">What every call needs (the run), passed without a closure.</typeparam>
        /// <typeparam name="TItem">The collection's element type.</typeparam>
        /// <typeparam name="TOut">One item's output.</typeparam>
        /// <param name="options">The run's options.</param>
        /// <param name="state">Passed to every call.</param>
        /// <param name="items">The collection.</param>
        /// <param name="call">One item's call (one attempt of it): state, item, index, the attempt's token.</param>
        /// <param name="runToken">The run's token.</param>
        /// <param name="checkpoint">In a durable run, the map's stored items (restored instead of run) and where each
        /// completed item is written; null otherwise.</param>
        public ValueTask<TOut[]> RunAsync<TState, TItem, TOut>(
            KilnOptions options,
            TState state,
            IReadOnlyList<TItem> items,
            Func<TState, TItem, int, CancellationToken, ValueTask<TOut>> call,
            CancellationToken runToken,
            MapItems<TOut>? checkpoint = null)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(call);
            if (items is null)
            {
                throw new InvalidOperationException($"Map '{_node}' received a null collection; a map runs over an array or a list.");
            }

            int count = items.Count;
            if (count == 0)
            {
                return new ValueTask<TOut[]>(Array.Empty<TOut>());
            }

            runToken.ThrowIfCancellationRequested();
            NodeAttempts? attempts = _hasPolicy || options.Resilience is not null ? _attempts : null;
            var map = new Map<TState, TItem, TOut>(options, state, items, count, call, attempts, Math.Min(_maxConcurrency, count), runToken, checkpoint);
            return map.Start();
        }

        /// <summary>A task without output as a <c>ValueTask&lt;bool&gt;</c>, so void maps and tasks share the typed path.</summary>
        /// <param name="task">The method's task.</param>
        /// <returns>True once <paramref name="task"/> has completed.</returns>
        public static ValueTask<bool> Done(Task task)
        {
            ArgumentNullException.ThrowIfNull(task);
            return task.IsCompletedSuccessfully ? new ValueTask<bool>(true) : Await(task);

            static async ValueTask<bool> Await(Task task)
            {
                await task.ConfigureAwait(false);
                return true;
            }
        }

        /// <summary>A value task without output as a <c>ValueTask&lt;bool&gt;</c>.</summary>
        /// <param name="task">The method's value task.</param>
        /// <returns>True once <paramref name="task"/> has completed.</returns>
        public static ValueTask<bool> Done(ValueTask task)
        {
            if (task.IsCompletedSuccessfully)
            {
                task.GetAwaiter().GetResult();
                return new ValueTask<bool>(true);
            }

            return Await(task);

            static async ValueTask<bool> Await(ValueTask task)
            {
                await task.ConfigureAwait(false);
                return true;
            }
        }

        /// <summary>One run of a map: the claim counter, the results, the first failure.</summary>
        private sealed class Map<TState, TItem, TOut>
        {
            private readonly KilnOptions _options;
            private readonly TState _state;
            private readonly IReadOnlyList<TItem> _items;
            private readonly int _count;
            private readonly Func<TState, TItem, int, CancellationToken, ValueTask<TOut>> _call;
            private readonly NodeAttempts? _attempts;
            private readonly int _maxWorkers;
            private readonly CancellationToken _runToken;
            private readonly CancellationTokenSource _cancellation;
            private readonly TOut[] _results;
            private readonly MapItems<TOut>? _checkpoint;
            private readonly TaskCompletionSource<TOut[]> _completion = new();
            private int _next;
            private int _started = 1;
            private int _running = 1;
            private int _failedItem = -1;
            private Exception? _failure;

            public Map(
                KilnOptions options,
                TState state,
                IReadOnlyList<TItem> items,
                int count,
                Func<TState, TItem, int, CancellationToken, ValueTask<TOut>> call,
                NodeAttempts? attempts,
                int maxWorkers,
                CancellationToken runToken,
                MapItems<TOut>? checkpoint)
            {
                _checkpoint = checkpoint;
                _options = options;
                _state = state;
                _items = items;
                _count = count;
                _call = call;
                _attempts = attempts;
                _maxWorkers = maxWorkers;
                _runToken = runToken;
                _cancellation = CancellationTokenSource.CreateLinkedTokenSource(runToken);
                _results = new TOut[count];
            }

            public ValueTask<TOut[]> Start()
            {
                // The caller's thread starts the workers: each runs until its item is pending, then the next starts, so
                // asynchronous items are all under way without a hop through the thread pool; items that complete at once
                // run here, joined by pool workers only as WorkAsync asks for them.
                while (!WorkAsync().IsCompleted && TryAddWorker())
                {
                }

                return new ValueTask<TOut[]>(_completion.Task);
            }

            private async Task WorkAsync()
            {
                CancellationToken token = _cancellation.Token;
                bool helped = false;
                try
                {
                    while (true)
                    {
                        int item = Interlocked.Increment(ref _next) - 1;
                        if (item >= _count || Volatile.Read(ref _failedItem) >= 0)
                        {
                            break;
                        }

                        if (token.IsCancellationRequested)
                        {
                            Fail(item, new OperationCanceledException(token));
                            break;
                        }

                        TOut value;
                        bool synchronous;
                        try
                        {
                            // An item a previous run of a durable pipeline completed is read back, never run again.
                            if (_checkpoint is not null && _checkpoint.TryRestore(item, out value))
                            {
                                _results[item] = value;
                                continue;
                            }

                            ValueTask<TOut> pending = CallAsync(item, token);
                            synchronous = pending.IsCompleted;
                            value = await pending.ConfigureAwait(false);
                            _checkpoint?.Store(item, value);
                        }
                        catch (Exception exception)
                        {
                            Fail(item, exception);
                            break;
                        }

                        _results[item] = value;

                        // An item that completed at once may be CPU work: ask the pool for one more worker, which does the
                        // same, so workers multiply only as fast as such items are claimed.
                        if (synchronous && !helped)
                        {
                            helped = true;
                            if (TryAddWorker())
                            {
                                ThreadPool.UnsafeQueueUserWorkItem(static map => _ = map.WorkAsync(), this, preferLocal: false);
                            }
                        }
                    }
                }
                finally
                {
                    if (Interlocked.Decrement(ref _running) == 0)
                    {
                        Finish();
                    }
                }
            }

            private ValueTask<TOut> CallAsync(int item, CancellationToken token) =>
                _attempts is null
                    ? _call(_state, _items[item], item, token)
                    : _attempts.RunAsync(
                        _options,
                        (Map: this, Item: item),
                        static (s, attemptToken) => s.Map._call(s.Map._state, s.Map._items[s.Item], s.Item, attemptToken),
                        token);

            // Reserves one more worker while items are unclaimed and concurrency is left. It joins only a map that still
            // runs: once the last worker has left (and Finish has run), the count stays zero.
            private bool TryAddWorker()
            {
                if (Volatile.Read(ref _next) >= _count || Volatile.Read(ref _failedItem) >= 0)
                {
                    return false;
                }

                int started = Volatile.Read(ref _started);
                while (started < _maxWorkers)
                {
                    int seen = Interlocked.CompareExchange(ref _started, started + 1, started);
                    if (seen == started)
                    {
                        int running = Volatile.Read(ref _running);
                        while (running > 0)
                        {
                            int before = Interlocked.CompareExchange(ref _running, running + 1, running);
                            if (before == running)
                            {
                                return true;
                            }

                            running = before;
                        }

                        return false;
                    }

                    started = seen;
                }

                return false;
            }

            // The first failure wins and cancels the other items; the items it cancels then fail too, and are ignored.
            private void Fail(int item, Exception exception)
            {
                if (Interlocked.CompareExchange(ref _failedItem, item, -1) != -1)
                {
                    return;
                }

                _failure = exception;
                try
                {
                    _cancellation.Cancel();
                }
                catch (AggregateException callbacks)
                {
                    // An item's cancellation callback threw: keep both, the item's failure first.
                    _failure = new AggregateException(exception, callbacks);
                }
            }

            // Every worker has left, so no item runs any more.
            private void Finish()
            {
                _cancellation.Dispose();
                int failed = Volatile.Read(ref _failedItem);
                if (failed < 0)
                {
                    _completion.TrySetResult(_results);
                }
                else if (_runToken.IsCancellationRequested && _failure is OperationCanceledException)
                {
                    _completion.TrySetCanceled(_runToken);
                }
                else
                {
                    _completion.TrySetException(new MapItemException(failed, _failure!));
                }
            }
        }
    }

    /// <summary>An item of a <c>[Map]</c> failed; <see cref="Exception.InnerException"/> is its failure.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class MapItemException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="itemIndex">The failing item's index.</param>
        /// <param name="failure">What the item threw (after its retries).</param>
        public MapItemException(int itemIndex, Exception failure)
            : base($"Item {itemIndex} failed: {failure.Message}", failure)
        {
            ItemIndex = itemIndex;
        }

        /// <summary>The failing item's index.</summary>
        public int ItemIndex { get; }
    }
}
