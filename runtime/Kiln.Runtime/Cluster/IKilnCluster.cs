using System;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln
{
    /// <summary>
    /// Where the nodes marked <c>Distributed = true</c> run when <see cref="KilnOptions.Cluster"/> is set (SPEC section 12):
    /// a transport that takes one serialized call of a node (a task, or one item of a map) to a worker that hosts the same
    /// pipeline assemblies and brings back the serialized result. Kiln itself knows no transport; package <c>Kiln.Orleans</c>
    /// implements this on Orleans.
    /// </summary>
    /// <remarks>
    /// An implementation retries a call on another worker when the one running it is lost (up to
    /// <see cref="ClusterCall.Attempts"/> workers), reports the node's own exception as <see cref="RemoteNodeException"/>
    /// without retrying it, throws <see cref="ClusterUnavailableException"/> when no worker could run the call, and
    /// <see cref="OperationCanceledException"/> once the caller's token is cancelled. It must be safe to call concurrently.
    /// </remarks>
    public interface IKilnCluster
    {
        /// <summary>The cluster's name, for messages (the Orleans cluster id, for instance).</summary>
        string Name { get; }

        /// <summary>Runs one call of a distributed node on a worker of the cluster.</summary>
        /// <param name="call">The node, its serialized arguments and, for a map, its item.</param>
        /// <param name="cancellationToken">Cancels the call; the worker's node receives the cancellation.</param>
        /// <returns>The node's serialized output and the worker that produced it.</returns>
        /// <exception cref="RemoteNodeException">The node threw on the worker.</exception>
        /// <exception cref="ClusterUnavailableException">No worker could run the call in <see cref="ClusterCall.Attempts"/> tries.</exception>
        ValueTask<ClusterResult> InvokeAsync(ClusterCall call, CancellationToken cancellationToken);
    }

    /// <summary>One call of a distributed node, as it travels: names and bytes only, never a type name.</summary>
    /// <param name="Pipeline">The pipeline class's full name (namespace and name).</param>
    /// <param name="Node">The node's name.</param>
    /// <param name="Fingerprint">
    /// A hash of the node's signature (parameter and output types) computed at build time; a worker built from a different
    /// version of the node refuses the call rather than misread its arguments.
    /// </param>
    /// <param name="Arguments">
    /// The node's arguments other than the item, its index and its token, as one JSON array written with the pipeline's
    /// generated JSON context, in parameter order.
    /// </param>
    /// <param name="Item">For a map, the item as JSON; null for a task.</param>
    /// <param name="ItemIndex">For a map, the item's index; -1 for a task.</param>
    /// <param name="Attempts">How many workers the call may try (<see cref="KilnOptions.ClusterAttempts"/>).</param>
    public sealed record ClusterCall(string Pipeline, string Node, string Fingerprint, byte[] Arguments, byte[]? Item, int ItemIndex, int Attempts);

    /// <summary>What a worker sent back for a <see cref="ClusterCall"/>.</summary>
    /// <param name="Value">The node's output as JSON (empty for a node without output).</param>
    /// <param name="Worker">The worker (silo) that ran the node.</param>
    public readonly record struct ClusterResult(byte[] Value, string Worker);

    /// <summary>
    /// A distributed node threw on the worker that ran it. This is the node's own failure, not the loss of a worker: it
    /// counts toward the node's <c>Retries</c> and then fails the run with <see cref="PipelineException"/>, as it would locally.
    /// </summary>
    public sealed class RemoteNodeException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="remoteType">The full name of the exception's type on the worker.</param>
        /// <param name="remoteMessage">Its message.</param>
        /// <param name="worker">The worker (silo) that ran the node.</param>
        /// <param name="remoteStackTrace">Its stack trace on the worker, if known.</param>
        public RemoteNodeException(string remoteType, string remoteMessage, string worker, string? remoteStackTrace = null)
            : base($"{remoteType} on {worker}: {remoteMessage}")
        {
            RemoteType = remoteType;
            RemoteMessage = remoteMessage;
            Worker = worker;
            RemoteStackTrace = remoteStackTrace;
        }

        /// <summary>The full name of the exception's type on the worker (text only: nothing is instantiated from it).</summary>
        public string RemoteType { get; }

        /// <summary>The exception's message on the worker.</summary>
        public string RemoteMessage { get; }

        /// <summary>The worker (silo) that ran the node.</summary>
        public string Worker { get; }

        /// <summary>The exception's stack trace on the worker, if it was sent.</summary>
        public string? RemoteStackTrace { get; }
    }

    /// <summary>No worker of the cluster could run a distributed call: none reachable, or every one tried was lost.</summary>
    public sealed class ClusterUnavailableException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="cluster">The cluster's name.</param>
        /// <param name="message">What happened, naming the cluster.</param>
        /// <param name="innerException">The last transport failure, if any.</param>
        public ClusterUnavailableException(string cluster, string message, Exception? innerException = null)
            : base(message, innerException) => Cluster = cluster;

        /// <summary>The cluster's name.</summary>
        public string Cluster { get; }
    }
}
