using System;

namespace Kiln
{
    /// <summary>Options for one pipeline run. A null options argument means the defaults.</summary>
    public sealed class KilnOptions
    {
        private int _maxDegreeOfParallelism = Environment.ProcessorCount;
        private TimeSpan _retryDelay = TimeSpan.FromMilliseconds(100);
        private int _clusterAttempts = 3;

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

        /// <summary>
        /// The base delay between attempts of a node with <c>Retries</c>: it grows exponentially from one attempt to the
        /// next, with jitter. Defaults to 100 ms.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
        public TimeSpan RetryDelay
        {
            get => _retryDelay;
            set
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
                _retryDelay = value;
            }
        }

        /// <summary>
        /// Puts any Polly resilience pipeline on a node (circuit breaker, rate limiter, hedging, ...): called with the
        /// node's name, a non-null result replaces the node's <c>Retries</c> and <c>TimeoutMs</c> policy. Cancellation of
        /// the run still ends the node.
        /// </summary>
        public Func<string, Polly.ResiliencePipeline?>? Resilience { get; set; }

        /// <summary>
        /// Where a durable run (<c>[Pipeline(Durable = true)]</c>) keeps its inputs and the outputs of its finished nodes.
        /// Set it with <see cref="RunId"/>: each node's output (each map item's) is written as it completes, and a later run
        /// with the same run id, in any process, restores them instead of running their nodes again. Null: nothing is
        /// stored.
        /// </summary>
        public IRunStore? Store { get; set; }

        /// <summary>
        /// Identifies a durable run in <see cref="Store"/>: a run with the id of a stored one resumes it (and must have the
        /// same inputs). Required when <see cref="Store"/> is set.
        /// </summary>
        public string? RunId { get; set; }

        /// <summary>
        /// Runs the nodes marked <c>Distributed = true</c> on this cluster (SPEC section 12); null (the default) runs them
        /// here, with the same results. <c>Kiln.Orleans</c>'s <c>OrleansCluster</c> is one.
        /// </summary>
        public IKilnCluster? Cluster { get; set; }

        /// <summary>
        /// How many silos one distributed call (a task, or one map item) may try before it fails: a silo lost while running
        /// it costs one. Defaults to 3. A node's own exception is no silo failure; it counts toward the node's <c>Retries</c>.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
        public int ClusterAttempts
        {
            get => _clusterAttempts;
            set
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
                _clusterAttempts = value;
            }
        }

        internal static KilnOptions Default { get; } = new();
    }

    /// <summary>A report that one node of a run has finished, was skipped or was restored from the run's store.</summary>
    /// <param name="Node">The node that finished.</param>
    /// <param name="Completed">How many nodes of the run have finished (skipped and restored ones too), this one included.</param>
    /// <param name="Total">How many nodes the run has.</param>
    /// <param name="Skipped">Whether the node was skipped by a <see cref="WhenAttribute"/> condition instead of running.</param>
    /// <param name="Restored">Whether the node's output was read from the run's store instead of running it.</param>
    public readonly record struct PipelineProgress(string Node, int Completed, int Total, bool Skipped = false, bool Restored = false);
}
