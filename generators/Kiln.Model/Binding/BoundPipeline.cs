namespace Kiln.Model
{
    /// <summary>A pipeline input: a parameter of the generated <c>RunAsync</c>.</summary>
    public sealed record BoundInput(string Name, string Type, string TypeDisplay);

    /// <summary>
    /// An edge between nodes: data (a parameter binds to the producer), ordering (<c>[After]</c>), or a <c>[When]</c>
    /// condition (<paramref name="IsCondition"/>: <paramref name="To"/> reads <paramref name="From"/>'s bool to decide whether it runs).
    /// </summary>
    public sealed record BoundEdge(int From, int To, bool IsData, bool IsCondition = false);

    /// <summary>A pipeline with every parameter bound: inputs, edges, sinks, and the problems binding found.</summary>
    /// <param name="Spec">The discovered pipeline.</param>
    /// <param name="Inputs">The inputs in <c>RunAsync</c> order.</param>
    /// <param name="Edges">Distinct edges, data edges first where both exist.</param>
    /// <param name="Sinks">Nodes whose outputs form the result, in declaration order.</param>
    /// <param name="Problems">Everything wrong, as diagnostics to report.</param>
    public sealed record BoundPipeline(
        PipelineSpec Spec,
        EquatableArray<BoundInput> Inputs,
        EquatableArray<BoundEdge> Edges,
        EquatableArray<int> Sinks,
        EquatableArray<ModelDiagnostic> Problems)
    {
        public bool IsValid => Problems.Count == 0;
    }
}
