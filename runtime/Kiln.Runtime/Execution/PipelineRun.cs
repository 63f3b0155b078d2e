using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Execution
{
    /// <summary>
    /// One run of a pipeline: the generated subclass holds the inputs and every node's value as typed fields, and
    /// executes units; this class schedules them. A join counter per unit, a ready list with one slot per unit
    /// (each unit becomes ready once), and up to <see cref="KilnOptions.MaxDegreeOfParallelism"/> workers on the
    /// thread pool. The thread that finishes a unit runs one ready successor itself instead of queueing it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public abstract class PipelineRun : IThreadPoolWorkItem
    {
        private const int Running = 0;
        private const int StoppedByFailure = 1;
        private const int StoppedByCancellation = 2;

        // _failedNode of a run stopped by its store failing a write: no node is to blame.
        private const int NoNode = int.MaxValue;

        // The most ready units one worker claims at once: guided self-scheduling already shrinks claims as the list
        // drains, so this only bounds how much one worker can hold back from the others.
        private const int MaxClaim = 256;

        private readonly PipelinePlan _plan;
        private readonly int[] _joins;

        // Ready units, stored as unit + 1 so that 0 means "reserved, not yet written". Each unit becomes ready once,
        // so one slot per unit is enough and the list never wraps.
        private readonly int[] _ready;

        // Hot counters each on a cache line of their own: two cores claiming and pushing must not invalidate each
        // other's lines for unrelated fields.
        private PaddedInt _readyHead;
        private PaddedInt _readyTail;
        private PaddedInt _running;

        // Running workers plus units awaiting asynchronously: the run ends when this reaches zero. Workers that are
        // requested but not yet started do not count.
        private PaddedInt _active;
        private int _requested;
        private int _maxWorkers;
        private int _state;
        private int _failedNode = -1;
        private Exception? _failure;
        private CancellationToken _callerToken;
        private CancellationTokenSource? _runCancellation;
        private RunObserver? _observer;
        private DeviceSession? _device;
        private RunCheckpoint? _checkpoint;
        private bool[]? _bypass;

        /// <summary>Creates the run for <paramref name="plan"/>.</summary>
        /// <param name="plan">The generated plan.</param>
        protected PipelineRun(PipelinePlan plan)
        {
            _plan = plan ?? throw new ArgumentNullException(nameof(plan));
            _joins = plan.JoinCounts.Length == 0 ? Array.Empty<int>() : (int[])plan.JoinCounts.Clone();
            _ready = new int[plan.UnitCount];
        }

        /// <summary>The token nodes receive: cancelled when the caller cancels or a node fails.</summary>
        protected CancellationToken Token { get; private set; }

        /// <summary>The device this run's kernels use, or null for the CPU backend.</summary>
        protected DeviceSession? Device => _device;

        /// <summary>Whether generated code must report node starts and ends (tracing, progress, activities).</summary>
        protected bool Observed { get; private set; }

        /// <summary>True once a node has failed or the caller has cancelled: no further node may start.</summary>
        protected bool IsStopping
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Volatile.Read(ref _state) != Running || _callerToken.IsCancellationRequested;
        }

        /// <summary>The options of this run.</summary>
        protected KilnOptions Options { get; private set; } = KilnOptions.Default;

        /// <summary>Runs one unit. A failing node is reported with <see cref="Fail"/>, never thrown.</summary>
        /// <param name="unit">The unit index.</param>
        /// <returns>A completed value task, or one that completes when the unit's asynchronous nodes do.</returns>
        protected abstract ValueTask ExecuteUnit(int unit);

        /// <summary>Called once when the run has ended, no unit running any more.</summary>
        /// <param name="error">The failure to surface, or null.</param>
        /// <param name="cancelled">True when the caller cancelled the run.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        private protected abstract void Complete(Exception? error, bool cancelled, CancellationToken cancellationToken);

        /// <summary>Records that <paramref name="node"/> threw <paramref name="exception"/> and stops the run.</summary>
        /// <param name="node">The node index.</param>
        /// <param name="exception">What it threw.</param>
        protected void Fail(int node, Exception exception)
        {
            if (exception is OperationCanceledException && _callerToken.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _state, StoppedByCancellation, Running);
            }
            else if (Interlocked.CompareExchange(ref _failedNode, node, -1) == -1)
            {
                _failure = exception;
                Interlocked.CompareExchange(ref _state, StoppedByFailure, Running);
                CancelNodes();
            }

            if (Observed)
            {
                _observer!.NodeFailed(node, exception);
            }
        }

        /// <summary>Reports that a node starts; does nothing when nobody observes the run.</summary>
        /// <param name="node">The node index.</param>
        protected void NodeStarting(int node) => _observer?.NodeStarting(node);

        /// <summary>Reports that a node finished; does nothing when nobody observes the run.</summary>
        /// <param name="node">The node index.</param>
        protected void NodeFinished(int node) => _observer?.NodeFinished(node);

        /// <summary>
        /// Reports that a <c>[When]</c> condition skipped a node (or a node it depends on was skipped); does nothing when
        /// nobody observes the run. A skipped node counts as completed.
        /// </summary>
        /// <param name="node">The node index.</param>
        protected void NodeSkipped(int node) => _observer?.NodeSkipped(node);

        /// <summary>
        /// Reports that one attempt of a map's item or of a retried task starts: its own trace event and <c>Activity</c>.
        /// Generated code calls it only when the run is observed.
        /// </summary>
        /// <param name="node">The node index.</param>
        /// <param name="item">The map item's index, or -1 for a task.</param>
        /// <returns>What <see cref="AttemptFinished"/> needs.</returns>
        protected AttemptSpan AttemptStarting(int node, int item) => _observer?.AttemptStarting(node, item) ?? default;

        /// <summary>Reports that an attempt started by <see cref="AttemptStarting"/> ended.</summary>
        /// <param name="attempt">The attempt.</param>
        /// <param name="error">What it threw, or null when it succeeded.</param>
        protected void AttemptFinished(AttemptSpan attempt, Exception? error) => _observer?.AttemptFinished(attempt, error);

        /// <summary>Reports that a node's output was restored from the run's store (or is not needed by what is left to run).</summary>
        /// <param name="node">The node index.</param>
        protected void NodeRestored(int node) => _observer?.NodeRestored(node);

        /// <summary>Whether this run writes its outputs to a store (a durable pipeline run with <see cref="KilnOptions.Store"/>).</summary>
        protected bool Checkpointing => _checkpoint is not null;

        /// <summary>Whether a resumed run does not run <paramref name="node"/>: it was restored or nothing left needs it.</summary>
        /// <param name="node">The node index.</param>
        /// <returns>True to bypass the node.</returns>
        protected bool Bypassed(int node) => _bypass is { } bypass && bypass[node];

        /// <summary>Queues a node's serialized output for the store; dependents do not wait for the write.</summary>
        /// <param name="node">The node index.</param>
        /// <param name="data">The output (empty for a node without one); not changed afterwards.</param>
        protected void Checkpoint(int node, byte[] data) => _checkpoint?.Write(node, StoredValue.WholeNode, data);

        /// <summary>The per-item checkpoint of a map node, or null when the run stores nothing.</summary>
        /// <typeparam name="T">One item's output.</typeparam>
        /// <param name="node">The node index.</param>
        /// <param name="write">Serializes an item's output.</param>
        /// <param name="read">Reads a stored item's output back.</param>
        /// <returns>The checkpoint, or null.</returns>
        protected MapItems<T>? MapCheckpoint<T>(int node, Func<T, byte[]> write, Func<ReadOnlyMemory<byte>, T> read) =>
            _checkpoint?.ForMap(node, write, read);

        /// <summary>The resume plan of a durable pipeline; null (the default) for a pipeline that is not durable.</summary>
        protected virtual DurablePlan? Durable => null;

        /// <summary>The run's inputs, serialized, to identify a stored run. Generated for durable pipelines.</summary>
        /// <returns>The inputs' bytes.</returns>
        protected virtual byte[] SerializeInputs() => Array.Empty<byte>();

        /// <summary>Puts a stored output back into its node's field. Generated for durable pipelines.</summary>
        /// <param name="node">The node index.</param>
        /// <param name="data">The stored output (empty for a node without one, or for a map whose items hold it).</param>
        /// <param name="items">A map's stored items by index, or null.</param>
        protected virtual void Restore(int node, ReadOnlyMemory<byte> data, IReadOnlyDictionary<int, ReadOnlyMemory<byte>>? items)
        {
        }

        /// <summary>A completed map's output, read back from its stored items.</summary>
        /// <typeparam name="T">One item's output.</typeparam>
        /// <param name="items">The stored items by index: 0 to count - 1, each once.</param>
        /// <param name="read">Reads one item.</param>
        /// <returns>The outputs in item order.</returns>
        /// <exception cref="System.IO.InvalidDataException">An item is missing.</exception>
        protected static T[] RestoreItems<T>(IReadOnlyDictionary<int, ReadOnlyMemory<byte>>? items, Func<ReadOnlyMemory<byte>, T> read)
        {
            ArgumentNullException.ThrowIfNull(read);
            if (items is null || items.Count == 0)
            {
                return Array.Empty<T>();
            }

            var values = new T[items.Count];
            for (int i = 0; i < values.Length; i++)
            {
                if (!items.TryGetValue(i, out ReadOnlyMemory<byte> data))
                {
                    throw new System.IO.InvalidDataException($"the map completed with {values.Length} items but item {i} is missing");
                }

                values[i] = read(data);
            }

            return values;
        }

        /// <summary>Joins serialized inputs into one header value, each prefixed by its length.</summary>
        /// <param name="inputs">Each input's bytes.</param>
        /// <returns>The joined bytes.</returns>
        protected static byte[] JoinInputs(params byte[][] inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            int length = 0;
            foreach (byte[] input in inputs)
            {
                length += 4 + input.Length;
            }

            var joined = new byte[length];
            int at = 0;
            foreach (byte[] input in inputs)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(joined.AsSpan(at), input.Length);
                input.CopyTo(joined, at + 4);
                at += 4 + input.Length;
            }

            return joined;
        }

        /// <summary>
        /// Opens a durable run's store before it starts: its header is written or checked, its stored values restored,
        /// the nodes it need not run worked out.
        /// </summary>
        private protected async Task<RunCheckpoint> OpenCheckpointAsync(KilnOptions options, CancellationToken cancellationToken)
        {
            DurablePlan durable = Durable ?? throw new InvalidOperationException(
                $"Pipeline '{_plan.Name}' is not durable, so it cannot run with KilnOptions.Store or RunId: mark it [Pipeline(Durable = true)].");
            RunCheckpoint checkpoint = await RunCheckpoint.OpenAsync(
                _plan, durable, options, SerializeInputs(), Restore, FailFromStore, cancellationToken).ConfigureAwait(false);
            _checkpoint = checkpoint;
            _bypass = checkpoint.Bypass;
            return checkpoint;
        }

        // The store failed a write: the run stops and fails with the store's error.
        private void FailFromStore(Exception exception)
        {
            if (Interlocked.CompareExchange(ref _failedNode, NoNode, -1) == -1)
            {
                _failure = exception;
                Interlocked.CompareExchange(ref _state, StoppedByFailure, Running);
                CancelNodes();
            }
        }
        /// <summary>Reports that an attempt of a distributed node ended on <paramref name="silo"/> (null: it ran here).</summary>
        /// <param name="attempt">The attempt.</param>
        /// <param name="error">What it threw, or null when it succeeded.</param>
        /// <param name="silo">The silo that ran it, named in its trace event and activity.</param>
        protected void AttemptFinishedOn(AttemptSpan attempt, Exception? error, string? silo) => _observer?.AttemptFinished(attempt, error, silo);

        private protected void Start(KilnOptions? options, CancellationToken cancellationToken)
        {
            Options = options ?? KilnOptions.Default;
            _maxWorkers = Options.MaxDegreeOfParallelism;
            _callerToken = cancellationToken;
            if (cancellationToken.IsCancellationRequested)
            {
                Complete(null, cancelled: true, cancellationToken);
                return;
            }

            _observer = RunObserver.Create(_plan, Options);
            Observed = _observer is not null;
            if (_plan.UsesCancellation)
            {
                _runCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Token = _runCancellation.Token;
            }
            else
            {
                Token = cancellationToken;
            }

            if (_plan.HasKernels)
            {
                // The device is chosen once per run, before anything starts: an explicitly requested device that
                // is missing fails the run with DeviceUnavailableException saying what was looked for.
                try
                {
                    _device = DeviceSession.Open(Options, _plan.NodeNames.Length, _observer?.Trace);
                }
                catch (Exception exception) when (exception is DeviceUnavailableException or ArgumentException)
                {
                    _runCancellation?.Dispose();
                    Complete(exception, cancelled: false, cancellationToken);
                    return;
                }

                _observer?.UseDevice(_device?.Name);
            }

            _observer?.RunStarting();
            int[] sources = _plan.Sources;
            if (sources.Length == 0)
            {
                Finish();
                return;
            }

            // The sources are known at build time: they fill the ready list with plain writes before any other
            // thread can see it, and the caller's thread becomes the first worker, so a short run never hands off.
            // (Start itself has no loop: at tier 0 a loop makes the JIT compile the whole method again, optimized, a
            // few runs in (on-stack replacement), which cost one of the fan-out's first ten runs about 7 ms.)
            QueueSources(sources);
            _active.Value = 1;
            _running.Value = 1;
            if (sources.Length > 1)
            {
                RequestWorker();
            }

            WorkFrom(sources[0]);
            SpinWhileActive();
        }

        // Puts every source but the first (which the caller's thread runs) on the ready list.
        private void QueueSources(int[] sources)
        {
            for (int i = 1; i < sources.Length; i++)
            {
                _ready[i - 1] = sources[i] + 1;
            }

            _readyTail.Value = sources.Length - 1;
        }

        // The caller's thread has left the run; usually a helper worker is finishing the last unit. Spinning a moment
        // here is cheaper than returning a pending task whose awaiter must then be woken.
        private void SpinWhileActive()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _active.Value) > 0 && !spin.NextSpinWillYield)
            {
                spin.SpinOnce();
            }
        }

        // A requested worker starts here. It neither holds the run open while queued nor takes a slot: if the run
        // ended or enough workers run, it leaves at once.
        void IThreadPoolWorkItem.Execute()
        {
            Interlocked.Decrement(ref _requested);
            if (!TryEnter())
            {
                return;
            }

            if (!TryAcquireWorker())
            {
                Leave();
                return;
            }

            WorkFrom(-1);
        }

        // A worker: runs `unit` (if any) and then whatever it can claim from the ready list; leaves when none is left.
        // The executor's loops are compiled optimized on first use (AggressiveOptimization): tier-0 code here would
        // run for the first thousands of units of every process (docs/design.md, "Cold start").
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WorkFrom(int unit)
        {
            while (true)
            {
                while (unit >= 0)
                {
                    unit = Run(unit);
                }

                while (TryClaim(out int slot, out int end))
                {
                    for (; slot < end; slot++)
                    {
                        if (StopIfCancelled())
                        {
                            break;
                        }

                        for (unit = ReadSlot(slot); unit >= 0;)
                        {
                            unit = Run(unit);
                        }
                    }
                }

                // Leaving: give the slot back, then look once more, so that a unit pushed by someone who saw this
                // worker still running is never stranded.
                Interlocked.Decrement(ref _running.Value);
                if (!HasReady() || !TryAcquireWorker())
                {
                    break;
                }
            }

            Leave();
        }

        // Runs one unit; returns a ready successor to continue with, or -1.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Run(int unit)
        {
            ValueTask pending;
            try
            {
                pending = ExecuteUnit(unit);
            }
            catch (Exception exception)
            {
                Fail(UnitFirstNode(unit), exception);
                return -1;
            }

            if (!pending.IsCompleted)
            {
                Suspend(unit, pending);
                return -1;
            }

            pending.GetAwaiter().GetResult();
            return Release(unit);
        }

        // Apart from Run: a lambda's captures there would be allocated on every call, pending or not, and would make
        // Run's optimized compile on the first run several times longer.
        private void Suspend(int unit, ValueTask pending)
        {
            Interlocked.Increment(ref _active.Value);
            pending.GetAwaiter().UnsafeOnCompleted(() => ResumeAfter(unit, pending));
        }

        private void ResumeAfter(int unit, ValueTask pending)
        {
            try
            {
                pending.GetAwaiter().GetResult();
            }
            catch (Exception exception)
            {
                Fail(UnitFirstNode(unit), exception);
            }

            // This continuation holds an active count: it becomes a worker if a slot is free (continuing with the
            // ready successor itself), else queues the successor for the workers there are.
            int next = Release(unit);
            if (TryAcquireWorker())
            {
                WorkFrom(next);
                return;
            }

            if (next >= 0)
            {
                Push(next);

                // Every worker may have left between the failed acquire above and the push (each looks at the ready
                // list once more only after giving its slot back): one more try, or the unit would be stranded and
                // the run would end without it.
                if (TryAcquireWorker())
                {
                    WorkFrom(-1);
                    return;
                }
            }

            Leave();
        }

        // Counts down the successors of a finished unit; pushes the ready ones but the first, which it returns.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Release(int unit)
        {
            if (Volatile.Read(ref _state) != Running)
            {
                return -1;
            }

            int[] successors = _plan.Successors;
            int[] joinCounts = _plan.JoinCounts;
            int end = _plan.SuccessorOffsets[unit + 1];
            int next = -1;
            for (int i = _plan.SuccessorOffsets[unit]; i < end; i++)
            {
                int successor = successors[i];

                // A unit with one predecessor is ready now; only joins need the atomic count-down.
                if (joinCounts[successor] != 1 && Interlocked.Decrement(ref _joins[successor]) != 0)
                {
                    continue;
                }

                if (next < 0)
                {
                    next = successor;
                }
                else
                {
                    Push(successor);
                    RequestWorker();
                }
            }

            return next;
        }

        // Not optimized on first use: it runs once per wide release, not per unit, and its optimized compile (the thread
        // pool's queueing inlined) cost the first run about 2 ms.
        private void RequestWorker()
        {
            // Racy by design: an extra request costs one work item that finds nothing and leaves.
            if (Volatile.Read(ref _running.Value) + Volatile.Read(ref _requested) < _maxWorkers)
            {
                Interlocked.Increment(ref _requested);
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Push(int unit)
        {
            int slot = Interlocked.Increment(ref _readyTail.Value) - 1;
            Volatile.Write(ref _ready[slot], unit + 1);
        }

        private bool HasReady() => Volatile.Read(ref _readyHead.Value) < Volatile.Read(ref _readyTail.Value) && !IsStopping;

        // Claims a run of ready slots: a share of what is queued (guided self-scheduling), so a wide wave costs a
        // few contended operations instead of one per unit, while the last units are still handed out one by one.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool TryClaim(out int start, out int end)
        {
            while (true)
            {
                int head = Volatile.Read(ref _readyHead.Value);
                int queued = Volatile.Read(ref _readyTail.Value) - head;
                if (queued <= 0 || StopIfCancelled())
                {
                    start = end = 0;
                    return false;
                }

                int take = Math.Clamp(queued / (2 * _maxWorkers), 1, MaxClaim);
                if (Interlocked.CompareExchange(ref _readyHead.Value, head + take, head) == head)
                {
                    start = head;
                    end = head + take;
                    return true;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int ReadSlot(int slot)
        {
            int value = Volatile.Read(ref _ready[slot]);
            if (value == 0)
            {
                // The pusher reserved the slot and has not written it yet.
                var spin = new SpinWait();
                while ((value = Volatile.Read(ref _ready[slot])) == 0)
                {
                    spin.SpinOnce();
                }
            }

            return value - 1;
        }

        private bool StopIfCancelled()
        {
            if (Volatile.Read(ref _state) != Running)
            {
                return true;
            }

            if (_callerToken.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _state, StoppedByCancellation, Running);
                return true;
            }

            return false;
        }

        private bool TryAcquireWorker()
        {
            int running = Volatile.Read(ref _running.Value);
            while (running < _maxWorkers)
            {
                int seen = Interlocked.CompareExchange(ref _running.Value, running + 1, running);
                if (seen == running)
                {
                    return true;
                }

                running = seen;
            }

            return false;
        }

        // Joins the run as a participant unless it has already ended: once the count is zero it stays zero.
        private bool TryEnter()
        {
            int active = Volatile.Read(ref _active.Value);
            while (active > 0)
            {
                int seen = Interlocked.CompareExchange(ref _active.Value, active + 1, active);
                if (seen == active)
                {
                    return true;
                }

                active = seen;
            }

            return false;
        }

        private void Leave()
        {
            if (Interlocked.Decrement(ref _active.Value) == 0)
            {
                Finish();
            }
        }

        private void Finish()
        {
            int state = Volatile.Read(ref _state);

            // Device memory goes first, so a failure to free it is part of what the run reports.
            Exception? releaseError = _device?.Release();
            Exception? error = null;
            if (state == StoppedByFailure && _failedNode == NoNode)
            {
                error = releaseError is null ? _failure! : new AggregateException(_failure!, releaseError);
            }
            else if (state == StoppedByFailure)
            {
                string node = _plan.NodeNames[_failedNode];
                error = releaseError is null
                    ? PipelineException.ForNode(_plan.Name, node, _failure!)
                    : new PipelineException(_plan.Name, node, new AggregateException(_failure!, releaseError));
            }
            else if (releaseError is not null)
            {
                error = releaseError;
            }

            bool cancelled = state == StoppedByCancellation && error is null;
            Exception? traceError = _observer?.RunFinished(error, cancelled);
            if (error is null && !cancelled && traceError is not null)
            {
                // The nodes succeeded but the trace the caller asked for could not be written: say so.
                error = traceError;
            }

            _runCancellation?.Dispose();
            Complete(error, cancelled, _callerToken);
        }

        private void CancelNodes()
        {
            try
            {
                _runCancellation?.Cancel();
            }
            catch (AggregateException exception)
            {
                // A node's cancellation callback threw; the run already fails, keep the first cause and this one.
                _failure = new AggregateException(_failure!, exception);
            }
        }

        /// <summary>The first node of <paramref name="unit"/>, to name it when a unit fails outside a node.</summary>
        /// <param name="unit">The unit index.</param>
        /// <returns>A node index.</returns>
        protected abstract int UnitFirstNode(int unit);
    }

    /// <summary>An int alone on its cache line (64 bytes either side).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    internal struct PaddedInt
    {
        [FieldOffset(64)]
        public int Value;
    }

    /// <summary>A run whose result is <typeparamref name="TResult"/>.</summary>
    /// <typeparam name="TResult">What <c>RunAsync</c> returns.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public abstract class PipelineRun<TResult> : PipelineRun
    {
        private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Creates the run for <paramref name="plan"/>.</summary>
        /// <param name="plan">The generated plan.</param>
        protected PipelineRun(PipelinePlan plan)
            : base(plan)
        {
        }

        /// <summary>Starts the run; the caller's thread runs the first units.</summary>
        /// <param name="options">The run's options, or null for the defaults.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <returns>A task that completes with the result when no node of the run is running any more.</returns>
        public Task<TResult> RunAsync(KilnOptions? options, CancellationToken cancellationToken)
        {
            if (options is not null && (options.Store is not null || options.RunId is not null))
            {
                return RunDurableAsync(options, cancellationToken);
            }

            Start(options, cancellationToken);
            return _completion.Task;
        }

        // A run with a store: opened (and restored) first, then run; whatever it wrote is flushed before it returns, also
        // when it failed or was cancelled, so that a later run resumes from everything that completed.
        private async Task<TResult> RunDurableAsync(KilnOptions options, CancellationToken cancellationToken)
        {
            RunCheckpoint checkpoint = await OpenCheckpointAsync(options, cancellationToken).ConfigureAwait(false);
            Start(options, cancellationToken);
            TResult result;
            try
            {
                result = await _completion.Task.ConfigureAwait(false);
            }
            catch (Exception error)
            {
                Exception? writeError = await checkpoint.CompleteAsync().ConfigureAwait(false);
                if (writeError is not null && !ReferenceEquals(writeError, error))
                {
                    throw new AggregateException(error, writeError);
                }

                throw;
            }

            if (await checkpoint.CompleteAsync().ConfigureAwait(false) is { } failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }

            return result;
        }

        /// <summary>Builds the result from the sinks' values once every node has finished.</summary>
        /// <returns>The run's result.</returns>
        protected abstract TResult GetResult();

        private protected sealed override void Complete(Exception? error, bool cancelled, CancellationToken cancellationToken)
        {
            if (cancelled)
            {
                _completion.TrySetCanceled(cancellationToken);
            }
            else if (error is not null)
            {
                _completion.TrySetException(error);
            }
            else
            {
                TResult result;
                try
                {
                    result = GetResult();
                }
                catch (Exception exception)
                {
                    _completion.TrySetException(exception);
                    return;
                }

                _completion.TrySetResult(result);
            }
        }
    }
}
