using System;
using System.Collections.Generic;

namespace Kiln
{
    /// <summary>A pipeline's graph as the generator computed it at build time.</summary>
    public sealed class PipelineGraph
    {
        /// <summary>Creates a graph descriptor. Generated code calls this with constants.</summary>
        /// <param name="name">The pipeline's name.</param>
        /// <param name="nodes">The nodes in declaration order.</param>
        /// <param name="edges">Data and ordering edges.</param>
        /// <param name="inputs">The inputs in <c>RunAsync</c> order.</param>
        /// <param name="waves">Node names by topological level.</param>
        /// <param name="criticalPath">Node names on the heaviest path by cost.</param>
        /// <param name="fusionGroups">Kernels and reductions that run as one loop or launch.</param>
        public PipelineGraph(
            string name,
            IReadOnlyList<PipelineNode> nodes,
            IReadOnlyList<PipelineEdge> edges,
            IReadOnlyList<PipelineInput> inputs,
            IReadOnlyList<IReadOnlyList<string>> waves,
            IReadOnlyList<string> criticalPath,
            IReadOnlyList<FusionGroup> fusionGroups)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Nodes = nodes ?? throw new ArgumentNullException(nameof(nodes));
            Edges = edges ?? throw new ArgumentNullException(nameof(edges));
            Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
            Waves = waves ?? throw new ArgumentNullException(nameof(waves));
            CriticalPath = criticalPath ?? throw new ArgumentNullException(nameof(criticalPath));
            FusionGroups = fusionGroups ?? throw new ArgumentNullException(nameof(fusionGroups));
        }

        /// <summary>The pipeline's name (the class name).</summary>
        public string Name { get; }

        /// <summary>The nodes in declaration order.</summary>
        public IReadOnlyList<PipelineNode> Nodes { get; }

        /// <summary>Data edges and <see cref="AfterAttribute"/> edges.</summary>
        public IReadOnlyList<PipelineEdge> Edges { get; }

        /// <summary>The pipeline's inputs, in the order <c>RunAsync</c> takes them.</summary>
        public IReadOnlyList<PipelineInput> Inputs { get; }

        /// <summary>Node names grouped by topological level: wave 0 holds the sources.</summary>
        public IReadOnlyList<IReadOnlyList<string>> Waves { get; }

        /// <summary>Node names from a source to a sink on the path of greatest total cost.</summary>
        public IReadOnlyList<string> CriticalPath { get; }

        /// <summary>Kernels and reductions that run as one loop (CPU) or one launch (device).</summary>
        public IReadOnlyList<FusionGroup> FusionGroups { get; }

        /// <summary>The graph as a Mermaid flowchart, fusion groups drawn as subgraphs.</summary>
        public string ToMermaid() => GraphText.Mermaid(this);

        /// <summary>The graph in Graphviz DOT, fusion groups drawn as clusters.</summary>
        public string ToDot() => GraphText.Dot(this);

        /// <inheritdoc />
        public override string ToString() => $"{Name}: {Nodes.Count} nodes, {Edges.Count} edges, {Waves.Count} waves";
    }

    /// <summary>One node of a pipeline.</summary>
    /// <param name="Name">The method name.</param>
    /// <param name="Kind">The node kind.</param>
    /// <param name="OutputType">The output type as C# displays it, or null for a node without output.</param>
    /// <param name="Wave">The node's topological level.</param>
    /// <param name="Condition">The node's <c>[When]</c> condition: null, <c>"Cond"</c> or <c>"!Cond"</c>.</param>
    public sealed record PipelineNode(string Name, NodeKind Kind, string? OutputType, int Wave, string? Condition = null);

    /// <summary>An edge: <paramref name="To"/> runs after <paramref name="From"/>.</summary>
    /// <param name="From">The node that runs first.</param>
    /// <param name="To">The node that runs after it.</param>
    public sealed record PipelineEdge(string From, string To);

    /// <summary>A pipeline input: a parameter of <c>RunAsync</c>.</summary>
    /// <param name="Name">The parameter name.</param>
    /// <param name="Type">The type as C# displays it.</param>
    public sealed record PipelineInput(string Name, string Type);

    /// <summary>Kernels and reductions that run as one loop or one launch.</summary>
    /// <param name="Name">The group's name.</param>
    /// <param name="Nodes">Its members in topological order.</param>
    public sealed record FusionGroup(string Name, IReadOnlyList<string> Nodes);
}
