namespace Kiln.Model
{
    /// <summary>A chain of nodes that runs inline on one thread: the executor's unit of work.</summary>
    /// <param name="Nodes">The nodes, in the order they run.</param>
    /// <param name="Priority">The heaviest cost from the unit's start to a sink; higher runs first.</param>
    public sealed record UnitSpec(EquatableArray<int> Nodes, int Priority);

    /// <summary>What the executor schedules: a node, a whole fusion group, or a whole group of stages joined by pipes.</summary>
    /// <param name="Node">The node, or -1.</param>
    /// <param name="Group">The fusion group, or -1.</param>
    /// <param name="Stages">The stage group, or -1.</param>
    public sealed record VertexSpec(int Node, int Group, int Stages = -1);

    /// <summary>
    /// The build-time schedule of an acyclic pipeline. Order, waves and the critical path are over nodes; units and
    /// their counts are over vertices (<see cref="Vertices"/>), where a fusion group counts as one.
    /// </summary>
    /// <param name="Order">Nodes in topological order.</param>
    /// <param name="Waves">Per node, its topological level.</param>
    /// <param name="CriticalPath">Nodes from a source to a sink on the heaviest path by cost.</param>
    /// <param name="Units">Chains of vertices; the executor schedules these.</param>
    /// <param name="JoinCounts">Per unit, the number of units that must finish first.</param>
    /// <param name="SuccessorOffsets">Per unit, where its successors start; one extra entry at the end.</param>
    /// <param name="Successors">Successor units, each run sorted by priority, highest first.</param>
    /// <param name="Sources">Units with no predecessor, highest priority first.</param>
    /// <param name="Vertices">What each vertex is.</param>
    /// <param name="FusionGroups">The fusion groups.</param>
    /// <param name="StageGroups">The groups of stages joined by pipes.</param>
    public sealed record Schedule(
        EquatableArray<int> Order,
        EquatableArray<int> Waves,
        EquatableArray<int> CriticalPath,
        EquatableArray<UnitSpec> Units,
        EquatableArray<int> JoinCounts,
        EquatableArray<int> SuccessorOffsets,
        EquatableArray<int> Successors,
        EquatableArray<int> Sources,
        EquatableArray<VertexSpec> Vertices = default,
        EquatableArray<FusionGroupSpec> FusionGroups = default,
        EquatableArray<StageGroupSpec> StageGroups = default)
    {
        public int WaveCount => Waves.Count == 0 ? 0 : System.Linq.Enumerable.Max(Waves) + 1;
    }
}
