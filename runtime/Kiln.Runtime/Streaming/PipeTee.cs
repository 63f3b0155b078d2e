using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Streaming
{
    /// <summary>
    /// Splits one <see cref="PipeReader"/> into several readers that each see every byte, without copying: every branch
    /// reads slices of the source's own buffer. The source is advanced to the position the slowest branch has
    /// consumed, and read again only once every branch has examined all it has, so the slowest branch paces the
    /// source and nothing is buffered beyond what the source itself holds (its pipe's pause threshold bounds it).
    /// </summary>
    /// <remarks>
    /// A branch completed with an exception completes the source with it and fails the other branches, so the
    /// stages on both sides stop; a failing source fails every branch. Once every branch is complete, so is the source.
    /// </remarks>
    public sealed class PipeTee
    {
        private readonly PipeReader _source;
        private readonly Branch[] _branches;
        private readonly object _gate = new();
        private ReadOnlySequence<byte> _buffer;
        private bool _hasBuffer;
        private bool _final;
        private bool _refreshing;
        private bool _sourceCompleted;
        private Exception? _completeSourceWith;
        private bool _completeSourcePending;
        private int _open;
        private ExceptionDispatchInfo? _fault;
        private TaskCompletionSource _changed = NewSignal();

        /// <summary>Creates a tee of <paramref name="branches"/> readers over <paramref name="source"/>.</summary>
        /// <param name="source">The reader to split; the tee completes it.</param>
        /// <param name="branches">How many readers; at least one.</param>
        public PipeTee(PipeReader source, int branches)
        {
            ArgumentNullException.ThrowIfNull(source);
            ArgumentOutOfRangeException.ThrowIfLessThan(branches, 1);
            _source = source;
            _branches = new Branch[branches];
            for (int i = 0; i < branches; i++)
            {
                _branches[i] = new Branch(this);
            }

            _open = branches;
        }

        /// <summary>The readers, one per consumer.</summary>
        public IReadOnlyList<PipeReader> Branches => _branches;

        private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async ValueTask<ReadResult> ReadAsync(Branch branch, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task changed;
                bool refresh = false;
                lock (_gate)
                {
                    if (branch.Completed)
                    {
                        throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
                    }

                    _fault?.Throw();
                    if (branch.CancelRequested)
                    {
                        branch.CancelRequested = false;
                        return new ReadResult(Remaining(branch), isCanceled: true, isCompleted: _final);
                    }

                    if (_hasBuffer && (!branch.WantsMore || _final))
                    {
                        return new ReadResult(Remaining(branch), isCanceled: false, isCompleted: _final);
                    }

                    if (!_refreshing && AllOpenWantMore())
                    {
                        _refreshing = true;
                        refresh = true;
                    }

                    changed = _changed.Task;
                }

                if (refresh)
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private bool TryRead(Branch branch, out ReadResult result)
        {
            lock (_gate)
            {
                if (branch.Completed)
                {
                    throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
                }

                _fault?.Throw();
                if (_hasBuffer && (!branch.WantsMore || _final || branch.CancelRequested))
                {
                    result = new ReadResult(Remaining(branch), branch.CancelRequested, _final);
                    branch.CancelRequested = false;
                    return true;
                }
            }

            result = default;
            return false;
        }

        // Advances the source past what every open branch has consumed, then waits for more. Only one refresh runs at
        // a time, and only while no branch holds a buffer (all of them have examined everything).
        private async Task RefreshAsync(CancellationToken cancellationToken)
        {
            ReadResult result;
            try
            {
                lock (_gate)
                {
                    if (_hasBuffer)
                    {
                        long consumed = long.MaxValue;
                        foreach (Branch branch in _branches)
                        {
                            if (!branch.Completed)
                            {
                                consumed = Math.Min(consumed, branch.Consumed);
                            }
                        }

                        _source.AdvanceTo(_buffer.GetPosition(consumed), _buffer.End);
                        foreach (Branch branch in _branches)
                        {
                            branch.Consumed = branch.Completed ? 0 : branch.Consumed - consumed;
                        }

                        _hasBuffer = false;
                        _buffer = default;
                    }
                }

                result = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                bool complete;
                lock (_gate)
                {
                    _refreshing = false;
                    if (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
                    {
                        _fault ??= ExceptionDispatchInfo.Capture(exception);
                    }

                    complete = TakeSourceCompletion();
                }

                CompleteSource(complete);
                Signal();
                throw;
            }

            bool completeNow;
            lock (_gate)
            {
                _refreshing = false;
                _buffer = result.Buffer;
                _final = result.IsCompleted;
                _hasBuffer = true;
                foreach (Branch branch in _branches)
                {
                    branch.WantsMore = false;
                }

                completeNow = TakeSourceCompletion();
            }

            CompleteSource(completeNow);
            Signal();
        }

        private void AdvanceTo(Branch branch, SequencePosition consumed, SequencePosition examined)
        {
            bool signal;
            lock (_gate)
            {
                if (!_hasBuffer || branch.Completed)
                {
                    throw new InvalidOperationException("No read to advance: call ReadAsync first.");
                }

                long consumedOffset = OffsetOf(consumed);
                long examinedOffset = OffsetOf(examined);
                if (consumedOffset < branch.Consumed || examinedOffset < consumedOffset)
                {
                    throw new InvalidOperationException("The examined position cannot be before the consumed one, nor consumed move backwards.");
                }

                branch.Consumed = consumedOffset;
                branch.WantsMore = examinedOffset >= _buffer.Length;

                // Everyone has seen everything: wake a waiting branch so that it fetches more at once.
                signal = branch.WantsMore && AllOpenWantMore();
            }

            if (signal)
            {
                Signal();
            }
        }

        private void CompleteBranch(Branch branch, Exception? exception)
        {
            bool complete;
            lock (_gate)
            {
                if (branch.Completed)
                {
                    return;
                }

                branch.Completed = true;
                _open--;
                if (exception is not null)
                {
                    // A failed branch fails the others, and the source's writer learns of it at its next flush.
                    _fault ??= ExceptionDispatchInfo.Capture(exception);
                    RequestSourceCompletion(exception);
                }
                else if (_open == 0)
                {
                    RequestSourceCompletion(null);
                }

                complete = TakeSourceCompletion();
            }

            CompleteSource(complete);
            Signal();
        }

        private void RequestSourceCompletion(Exception? exception)
        {
            if (_sourceCompleted || _completeSourcePending)
            {
                return;
            }

            _completeSourcePending = true;
            _completeSourceWith = exception;
            if (_refreshing)
            {
                // The refresh holds the source; it completes the source when its read returns.
                _source.CancelPendingRead();
            }
        }

        // Under the lock: whether the caller must complete the source now (never while a refresh is reading it).
        private bool TakeSourceCompletion()
        {
            if (!_completeSourcePending || _refreshing || _sourceCompleted)
            {
                return false;
            }

            _completeSourcePending = false;
            _sourceCompleted = true;
            return true;
        }

        private void CompleteSource(bool complete)
        {
            if (complete)
            {
                _source.Complete(_completeSourceWith);
            }
        }

        private void CancelPendingRead(Branch branch)
        {
            lock (_gate)
            {
                branch.CancelRequested = true;
            }

            Signal();
        }

        private bool AllOpenWantMore()
        {
            foreach (Branch branch in _branches)
            {
                if (!branch.Completed && !branch.WantsMore)
                {
                    return false;
                }
            }

            return true;
        }

        // ReadOnlySequence.GetOffset counts from the first segment's memory, not from the sequence's start.
        private long OffsetOf(SequencePosition position) => _buffer.Slice(_buffer.Start, position).Length;

        private ReadOnlySequence<byte> Remaining(Branch branch) => _hasBuffer ? _buffer.Slice(branch.Consumed) : default;

        private void Signal()
        {
            TaskCompletionSource signal;
            lock (_gate)
            {
                signal = _changed;
                _changed = NewSignal();
            }

            signal.TrySetResult();
        }

        private sealed class Branch : PipeReader
        {
            private readonly PipeTee _tee;

            public Branch(PipeTee tee) => _tee = tee;

            // Guarded by the tee's lock. Consumed is an offset into the tee's current buffer.
            public long Consumed { get; set; }

            public bool WantsMore { get; set; } = true;

            public bool Completed { get; set; }

            public bool CancelRequested { get; set; }

            public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => _tee.ReadAsync(this, cancellationToken);

            public override bool TryRead(out ReadResult result) => _tee.TryRead(this, out result);

            public override void AdvanceTo(SequencePosition consumed) => _tee.AdvanceTo(this, consumed, consumed);

            public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _tee.AdvanceTo(this, consumed, examined);

            public override void CancelPendingRead() => _tee.CancelPendingRead(this);

            public override void Complete(Exception? exception = null) => _tee.CompleteBranch(this, exception);
        }
    }
}
