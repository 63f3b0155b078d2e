namespace Kiln.Model
{
    /// <summary>
    /// What the executor schedules as one step of a unit. One record per kind, so a writer switches on the kind
    /// instead of testing sentinels; a map or a conditional vertex is another record here.
    /// </summary>
    public abstract record Vertex
    {
        private protected Vertex()
        {
        }

        /// <summary>The nodes the vertex runs, in topological order.</summary>
        public abstract EquatableArray<int> Members { get; }

        /// <summary>The node an exception is blamed on before anything in the vertex runs.</summary>
        public int FirstNode => Members[0];
    }

    /// <summary>One node called on its own: a task.</summary>
    /// <param name="Node">The node.</param>
    public sealed record TaskVertex(int Node) : Vertex
    {
        /// <inheritdoc />
        public override EquatableArray<int> Members => new[] { Node }.ToEquatableArray();
    }

    /// <summary>A fusion group: kernels and reductions run as one loop or one launch.</summary>
    /// <param name="Group">Index into <see cref="Schedule.FusionGroups"/>.</param>
    /// <param name="Nodes">The group's members.</param>
    public sealed record FusionVertex(int Group, EquatableArray<int> Nodes) : Vertex
    {
        /// <inheritdoc />
        public override EquatableArray<int> Members => Nodes;
    }

    /// <summary>Stages joined by pipes: they run at the same time.</summary>
    /// <param name="Group">Index into <see cref="Schedule.StageGroups"/>.</param>
    /// <param name="Nodes">The group's members.</param>
    public sealed record StageVertex(int Group, EquatableArray<int> Nodes) : Vertex
    {
        /// <inheritdoc />
        public override EquatableArray<int> Members => Nodes;
    }
}
