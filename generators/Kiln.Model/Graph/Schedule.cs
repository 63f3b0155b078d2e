namespace Kiln.Model
{
    /// <summary>A chain of vertices that runs inline on one thread: the executor's unit of work.</summary>
    /// <param name="Vertices">The vertices (indices into <see cref="Schedule.Vertices"/>), in the order they run.</param>
    /// <param name="Priority">The heaviest cost from the unit's start to a sink; higher runs first.</param>
    public sealed record UnitSpec(EquatableArray<int> Vertices, int Priority);

    /// <summary>Order, levels and the critical path of a graph: every array is indexed by the graph's own vertices.</summary>
    /// <param name="Order">Vertices in topological order.</param>
    /// <param name="Waves">Per vertex, its topological level.</param>
    /// <param name="CriticalPath">Vertices from a source to a sink on the heaviest path by cost.</param>
    public sealed record GraphLevels(EquatableArray<int> Order, EquatableArray<int> Waves, EquatableArray<int> CriticalPath)
    {
        /// <summary>How many levels there are.</summary>
        public int WaveCount => Waves.Count == 0 ? 0 : System.Linq.Enumerable.Max(Waves) + 1;
    }

    /// <summary>What the executor runs: chains of vertices, their join counts and successors. Every array is over units.</summary>
    /// <param name="Units">Chains of vertices.</param>
    /// <param name="JoinCounts">Per unit, the number of units that must finish first.</param>
    /// <param name="SuccessorOffsets">Per unit, where its successors start; one extra entry at the end.</param>
    /// <param name="Successors">Successor units, each run sorted by priority, highest first.</param>
    /// <param name="Sources">Units with no predecessor, highest priority first.</param>
    public sealed record UnitGraph(
        EquatableArray<UnitSpec> Units,
        EquatableArray<int> JoinCounts,
        EquatableArray<int> SuccessorOffsets,
        EquatableArray<int> Successors,
        EquatableArray<int> Sources);

    /// <summary>
    /// The build-time schedule of an acyclic pipeline, built once. <see cref="Nodes"/> is over nodes (what the graph
    /// shows); <see cref="Executor"/> is over vertices (<see cref="Vertices"/>), where a fusion group or a group of
    /// stages counts as one; <see cref="VertexOf"/> maps the one to the other.
    /// </summary>
    /// <param name="Nodes">Order, waves and critical path over nodes.</param>
    /// <param name="Executor">Units, join counts and successors over vertices.</param>
    /// <param name="Vertices">What each vertex is.</param>
    /// <param name="VertexOf">Per node, its vertex.</param>
    /// <param name="FusionGroups">The fusion groups.</param>
    /// <param name="StageGroups">The groups of stages joined by pipes.</param>
    public sealed record Schedule(
        GraphLevels Nodes,
        UnitGraph Executor,
        EquatableArray<Vertex> Vertices,
        EquatableArray<int> VertexOf,
        EquatableArray<FusionGroupSpec> FusionGroups,
        EquatableArray<StageGroupSpec> StageGroups)
    {
        /// <summary>The fusion group node <paramref name="node"/> belongs to, or -1.</summary>
        public int FusionGroupOf(int node) => Vertices[VertexOf[node]] is FusionVertex fusion ? fusion.Group : -1;
    }
}
