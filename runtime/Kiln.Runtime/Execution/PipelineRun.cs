using System;
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
            for (int i = 1; i < sources.Length; i++)
            {
                _ready[i - 1] = sources[i] + 1;
            }

            _readyTail.Value = sources.Length - 1;
            _active.Value = 1;
            _running.Value = 1;
            if (sources.Length > 1)
            {
                RequestWorker();
            }

            WorkFrom(sources[0]);

            // The caller's thread has left the run; usually a helper worker is finishing the last unit. Spinning a
            // moment here is cheaper than returning a pending task whose awaiter must then be woken.
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
                Interlocked.Increment(ref _active.Value);
                ValueTaskAwaiter awaiter = pending.GetAwaiter();
                awaiter.UnsafeOnCompleted(() => ResumeAfter(unit, pending));
                return -1;
            }

            pending.GetAwaiter().GetResult();
            return Release(unit);
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            if (state == StoppedByFailure)
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
            Start(options, cancellationToken);
            return _completion.Task;
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
