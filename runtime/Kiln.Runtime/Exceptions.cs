using System;

namespace Kiln
{
    /// <summary>A node of a pipeline run failed. <see cref="Exception.InnerException"/> is what it threw.</summary>
    public sealed class PipelineException : Exception
    {
        /// <summary>Creates the exception for a failed node.</summary>
        /// <param name="pipeline">The pipeline's name.</param>
        /// <param name="nodeName">The first node that failed.</param>
        /// <param name="innerException">What the node threw.</param>
        public PipelineException(string pipeline, string nodeName, Exception innerException)
            : base($"Node '{nodeName}' of pipeline '{pipeline}' failed: {innerException.Message}", innerException)
        {
            PipelineName = pipeline;
            NodeName = nodeName;
        }

        /// <summary>Creates the exception with a message of its own, for failures that are not a node's exception.</summary>
        /// <param name="pipeline">The pipeline's name.</param>
        /// <param name="nodeName">The node concerned.</param>
        /// <param name="message">What went wrong.</param>
        public PipelineException(string pipeline, string nodeName, string message)
            : base(message)
        {
            PipelineName = pipeline;
            NodeName = nodeName;
        }

        /// <summary>The pipeline's name.</summary>
        public string PipelineName { get; }

        /// <summary>
        /// The exception for a node that failed with <paramref name="failure"/>: when that is the end of the node's
        /// retries, the last attempt's exception becomes the inner exception and the attempts are counted.
        /// </summary>
        /// <param name="pipeline">The pipeline's name.</param>
        /// <param name="nodeName">The node that failed.</param>
        /// <param name="failure">What the node's call threw.</param>
        /// <param name="itemIndex">For a map, the failing item.</param>
        internal static PipelineException ForNode(string pipeline, string nodeName, Exception failure, int? itemIndex = null)
        {
            // A map's failing item: the item's own failure, and its index.
            if (failure is Execution.MapItemException item)
            {
                return ForNode(pipeline, nodeName, item.InnerException!, item.ItemIndex);
            }

            return failure is Execution.AttemptsExhaustedException exhausted
                ? new PipelineException(pipeline, nodeName, exhausted.InnerException!) { Attempts = exhausted.Attempts, ItemIndex = itemIndex }
                : new PipelineException(pipeline, nodeName, failure) { ItemIndex = itemIndex };
        }

        /// <summary>The first node of the run that failed.</summary>
        public string NodeName { get; }

        /// <summary>For a <c>[Map]</c> node, the index of the item that failed; null for other nodes.</summary>
        public int? ItemIndex { get; init; }

        /// <summary>How many attempts the failing node (or item) made before the run gave up: 1 without retries.</summary>
        public int Attempts { get; init; } = 1;
    }

    /// <summary>An explicitly requested device is not present on this machine.</summary>
    public sealed class DeviceUnavailableException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="device">The device kind that was asked for.</param>
        /// <param name="message">What was looked for and not found.</param>
        public DeviceUnavailableException(DeviceKind device, string message)
            : base(message) => Device = device;

        /// <summary>The device kind that was asked for.</summary>
        public DeviceKind Device { get; }
    }
}
