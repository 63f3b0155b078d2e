using System;

namespace Kiln
{
    /// <summary>Options for one pipeline run. A null options argument means the defaults.</summary>
    public sealed class KilnOptions
    {
        private int _maxDegreeOfParallelism = Environment.ProcessorCount;

        /// <summary>
        /// The most nodes that run on threads at the same time (asynchronous nodes awaiting I/O hold no thread).
        /// Defaults to <see cref="Environment.ProcessorCount"/>.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
        public int MaxDegreeOfParallelism
        {
            get => _maxDegreeOfParallelism;
            set
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
                _maxDegreeOfParallelism = value;
            }
        }

        /// <summary>Runs each fusion group of kernels as one loop or launch. Set to false to run every kernel on its own.</summary>
        public bool Fusion { get; set; } = true;

        /// <summary>Where kernels run. Defaults to <see cref="DeviceKind.Auto"/>.</summary>
        public DeviceKind Device { get; set; } = DeviceKind.Auto;

        /// <summary>When set, the run writes a Chrome trace-event JSON file to this path.</summary>
        public string? TracePath { get; set; }

        /// <summary>When set, receives a report after each node of the run finishes.</summary>
        public IProgress<PipelineProgress>? Progress { get; set; }

        /// <summary>Bytes buffered in a pipe between two stages at which the writer pauses. Defaults to 1 MiB.</summary>
        public long PipePauseWriterThreshold { get; set; } = 1024 * 1024;

        /// <summary>Bytes buffered in a pipe at which a paused writer resumes. Defaults to 512 KiB.</summary>
        public long PipeResumeWriterThreshold { get; set; } = 512 * 1024;

        internal static KilnOptions Default { get; } = new();
    }

    /// <summary>A report that one node of a run has finished.</summary>
    /// <param name="Node">The node that finished.</param>
    /// <param name="Completed">How many nodes of the run have finished, this one included.</param>
    /// <param name="Total">How many nodes the run has.</param>
    public readonly record struct PipelineProgress(string Node, int Completed, int Total);
}
