using System;
using System.ComponentModel;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Cluster;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Kiln.Orleans
{
    /// <summary>Runs calls of distributed nodes on a silo. Its key names the silo it should live on (see <see cref="KilnPlacementDirector"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IKilnNodeGrain : IGrainWithStringKey
    {
        /// <summary>Runs one call; the node's own failure comes back in the response, never as an exception.</summary>
        /// <param name="request">The call.</param>
        /// <param name="cancellationToken">The caller's cancellation, handed to the node.</param>
        Task<KilnNodeResponse> Run(KilnNodeRequest request, CancellationToken cancellationToken);
    }

    /// <summary>Lists the silos the cluster's membership holds active, for the caller to spread calls over.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IKilnMembershipGrain : IGrainWithIntegerKey
    {
        /// <summary>The active silos: address (parsable) and name.</summary>
        Task<KilnSilo[]> ActiveSilos();
    }

    /// <summary>One call of a distributed node as Orleans carries it.</summary>
    /// <param name="Pipeline">The pipeline's full name.</param>
    /// <param name="Node">The node's name.</param>
    /// <param name="Fingerprint">The node's signature hash.</param>
    /// <param name="Arguments">The arguments as a JSON array.</param>
    /// <param name="Item">The map item as JSON, or null.</param>
    /// <param name="ItemIndex">The item's index, or -1.</param>
    [GenerateSerializer, Immutable, EditorBrowsable(EditorBrowsableState.Never)]
    public sealed record KilnNodeRequest(
        [property: Id(0)] string Pipeline,
        [property: Id(1)] string Node,
        [property: Id(2)] string Fingerprint,
        [property: Id(3)] byte[] Arguments,
        [property: Id(4)] byte[]? Item,
        [property: Id(5)] int ItemIndex);

    /// <summary>What a silo sent back: the output, or the node's failure as text, and the silo's name.</summary>
    /// <param name="Value">The output as JSON when the node succeeded.</param>
    /// <param name="ErrorType">The exception's type name when it failed.</param>
    /// <param name="ErrorMessage">Its message.</param>
    /// <param name="ErrorStackTrace">Its stack trace.</param>
    /// <param name="Worker">The silo that ran the node.</param>
    [GenerateSerializer, Immutable, EditorBrowsable(EditorBrowsableState.Never)]
    public sealed record KilnNodeResponse(
        [property: Id(0)] byte[]? Value,
        [property: Id(1)] string? ErrorType,
        [property: Id(2)] string? ErrorMessage,
        [property: Id(3)] string? ErrorStackTrace,
        [property: Id(4)] string Worker);

    /// <summary>An active silo.</summary>
    /// <param name="Address">Its address, as <see cref="SiloAddress.ToParsableString"/> writes it.</param>
    /// <param name="Name">Its name.</param>
    [GenerateSerializer, Immutable, EditorBrowsable(EditorBrowsableState.Never)]
    public sealed record KilnSilo([property: Id(0)] string Address, [property: Id(1)] string Name);

    // Reentrant: one activation serves many calls at once; each node runs on the thread pool, not on the activation's
    // single-threaded scheduler, so a synchronous, CPU-bound node does not serialize the calls behind it.
    [KilnPlacement, Reentrant]
    internal sealed class KilnNodeGrain : Grain, IKilnNodeGrain
    {
        private readonly KilnNodes _nodes;
        private readonly ILocalSiloDetails _silo;

        public KilnNodeGrain(KilnNodes nodes, ILocalSiloDetails silo)
        {
            _nodes = nodes;
            _silo = silo;
        }

        public async Task<KilnNodeResponse> Run(KilnNodeRequest request, CancellationToken cancellationToken)
        {
            DistributedNodeRegistry registry = _nodes.Registry;
            DistributedOutcome outcome = await Task.Run(
                () => registry.RunAsync(request.Pipeline, request.Node, request.Fingerprint, request.Arguments, request.Item, request.ItemIndex, cancellationToken).AsTask(),
                cancellationToken);
            return new KilnNodeResponse(outcome.Value, outcome.ErrorType, outcome.ErrorMessage, outcome.ErrorStackTrace, _silo.Name);
        }
    }

    [StatelessWorker]
    internal sealed class KilnMembershipGrain : Grain, IKilnMembershipGrain
    {
        private readonly IClusterMembershipService _membership;

        public KilnMembershipGrain(IClusterMembershipService membership) => _membership = membership;

        public Task<KilnSilo[]> ActiveSilos() => Task.FromResult(_membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => new KilnSilo(m.SiloAddress.ToParsableString(), m.Name))
            .OrderBy(s => s.Address, StringComparer.Ordinal)
            .ToArray());
    }

    /// <summary>The distributed nodes this silo runs, found once from the assemblies given to <c>AddKiln</c> (or those loaded).</summary>
    internal sealed class KilnNodes
    {
        private readonly Lazy<DistributedNodeRegistry> _registry;

        public KilnNodes(System.Reflection.Assembly[] assemblies) =>
            _registry = new Lazy<DistributedNodeRegistry>(() => assemblies.Length == 0
                ? DistributedNodeRegistry.FromLoadedAssemblies()
                : DistributedNodeRegistry.FromAssemblies(assemblies));

        public DistributedNodeRegistry Registry => _registry.Value;
    }
}
