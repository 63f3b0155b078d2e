using System;
using System.ComponentModel;
using System.IO;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Streaming
{
    /// <summary>
    /// The <see cref="PipeReader"/> a stage receives: the pipe's reader, with the run's token standing in wherever the
    /// stage passes none, so a stage that ignores cancellation still stops waiting when the run fails or is cancelled.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class StageReader : PipeReader
    {
        private readonly PipeReader _inner;
        private readonly CancellationToken _run;

        /// <summary>Wraps <paramref name="inner"/> for one run.</summary>
        /// <param name="inner">The reader.</param>
        /// <param name="run">The run's token.</param>
        public StageReader(PipeReader inner, CancellationToken run)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _run = run;
        }

        /// <inheritdoc/>
        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(cancellationToken.CanBeCanceled ? cancellationToken : _run);

        /// <inheritdoc/>
        protected override ValueTask<ReadResult> ReadAtLeastAsyncCore(int minimumSize, CancellationToken cancellationToken) =>
            _inner.ReadAtLeastAsync(minimumSize, cancellationToken.CanBeCanceled ? cancellationToken : _run);

        /// <inheritdoc/>
        public override bool TryRead(out ReadResult result) => _inner.TryRead(out result);

        /// <inheritdoc/>
        public override void AdvanceTo(SequencePosition consumed) => _inner.AdvanceTo(consumed);

        /// <inheritdoc/>
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _inner.AdvanceTo(consumed, examined);

        /// <inheritdoc/>
        public override void CancelPendingRead() => _inner.CancelPendingRead();

        /// <inheritdoc/>
        public override void Complete(Exception? exception = null) => _inner.Complete(exception);

        /// <inheritdoc/>
        public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);

        /// <inheritdoc/>
        public override Task CopyToAsync(PipeWriter destination, CancellationToken cancellationToken = default) =>
            _inner.CopyToAsync(destination, cancellationToken.CanBeCanceled ? cancellationToken : _run);

        /// <inheritdoc/>
        public override Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default) =>
            _inner.CopyToAsync(destination, cancellationToken.CanBeCanceled ? cancellationToken : _run);
    }

    /// <summary>The <see cref="PipeWriter"/> a stage receives: the pipe's writer, flushing with the run's token where the stage passes none.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class StageWriter : PipeWriter
    {
        private readonly PipeWriter _inner;
        private readonly CancellationToken _run;

        /// <summary>Wraps <paramref name="inner"/> for one run.</summary>
        /// <param name="inner">The writer.</param>
        /// <param name="run">The run's token.</param>
        public StageWriter(PipeWriter inner, CancellationToken run)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _run = run;
        }

        /// <inheritdoc/>
        public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

        /// <inheritdoc/>
        public override long UnflushedBytes => _inner.UnflushedBytes;

        /// <inheritdoc/>
        public override void Advance(int bytes) => _inner.Advance(bytes);

        /// <inheritdoc/>
        public override Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

        /// <inheritdoc/>
        public override Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);

        /// <inheritdoc/>
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            _inner.FlushAsync(cancellationToken.CanBeCanceled ? cancellationToken : _run);

        /// <inheritdoc/>
        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
            _inner.WriteAsync(source, cancellationToken.CanBeCanceled ? cancellationToken : _run);

        /// <inheritdoc/>
        public override void CancelPendingFlush() => _inner.CancelPendingFlush();

        /// <inheritdoc/>
        public override void Complete(Exception? exception = null) => _inner.Complete(exception);

        /// <inheritdoc/>
        public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);
    }
}
