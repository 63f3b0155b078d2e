using System;
using System.Buffers;
using System.ComponentModel;
using System.IO;
using System.IO.Pipelines;

namespace Kiln.Streaming
{
    /// <summary>What generated code uses to wire stages: pipes with the run's thresholds, and task outputs as readers.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class StagePipes
    {
        /// <summary>A pipe between two stages, pausing its writer at <see cref="KilnOptions.PipePauseWriterThreshold"/>.</summary>
        /// <param name="options">The run's options.</param>
        /// <returns>A new pipe.</returns>
        public static Pipe Create(KilnOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            return new Pipe(new PipeOptions(
                pauseWriterThreshold: options.PipePauseWriterThreshold,
                resumeWriterThreshold: options.PipeResumeWriterThreshold,
                useSynchronizationContext: false));
        }

        /// <summary>A task's <see cref="PipeReader"/> output, as it is.</summary>
        /// <param name="reader">The reader.</param>
        /// <returns><paramref name="reader"/>.</returns>
        public static PipeReader ToReader(PipeReader reader) => reader ?? throw new ArgumentNullException(nameof(reader));

        /// <summary>A task's <see cref="Stream"/> output, read as a pipe; completing the reader disposes the stream.</summary>
        /// <param name="stream">The stream.</param>
        /// <returns>A reader over <paramref name="stream"/>.</returns>
        public static PipeReader ToReader(Stream stream) => PipeReader.Create(stream ?? throw new ArgumentNullException(nameof(stream)));

        /// <summary>A task's <c>byte[]</c> output, read as a pipe without copying.</summary>
        /// <param name="bytes">The bytes.</param>
        /// <returns>A reader over <paramref name="bytes"/>.</returns>
        public static PipeReader ToReader(byte[] bytes) => PipeReader.Create(new ReadOnlySequence<byte>(bytes ?? throw new ArgumentNullException(nameof(bytes))));

        /// <summary>A task's <see cref="ReadOnlyMemory{T}"/> output, read as a pipe without copying.</summary>
        /// <param name="bytes">The bytes.</param>
        /// <returns>A reader over <paramref name="bytes"/>.</returns>
        public static PipeReader ToReader(ReadOnlyMemory<byte> bytes) => PipeReader.Create(new ReadOnlySequence<byte>(bytes));
    }
}
