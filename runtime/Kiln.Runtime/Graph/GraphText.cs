using System.Collections.Generic;
using System.Text;

namespace Kiln
{
    /// <summary>Writes a <see cref="PipelineGraph"/> as Mermaid or DOT text.</summary>
    internal static class GraphText
    {
        public static string Mermaid(PipelineGraph graph)
        {
            var text = new StringBuilder("flowchart TD\n");
            var grouped = GroupOf(graph);
            int index = 0;
            foreach (FusionGroup group in graph.FusionGroups)
            {
                // Group ids live apart from node ids: a one-kernel group is named as its kernel.
                text.Append("    subgraph fusion_").Append(index++).Append("[\"").Append(group.Name).Append("\"]\n");
                foreach (string node in group.Nodes)
                {
                    text.Append("        ").Append(MermaidNode(graph, node)).Append('\n');
                }

                text.Append("    end\n");
            }

            foreach (PipelineNode node in graph.Nodes)
            {
                if (!grouped.Contains(node.Name))
                {
                    text.Append("    ").Append(MermaidNode(graph, node.Name)).Append('\n');
                }
            }

            Dictionary<string, string>? conditions = ConditionsOf(graph);
            foreach (PipelineEdge edge in graph.Edges)
            {
                text.Append("    ").Append(Id(edge.From)).Append(IsCondition(conditions, edge) ? " -.-> " : " --> ").Append(Id(edge.To)).Append('\n');
            }

            return text.ToString();
        }

        public static string Dot(PipelineGraph graph)
        {
            var text = new StringBuilder();
            text.Append("digraph ").Append(Quote(graph.Name)).Append(" {\n    rankdir=TB;\n    node [shape=box];\n");
            var grouped = GroupOf(graph);
            int cluster = 0;
            foreach (FusionGroup group in graph.FusionGroups)
            {
                text.Append("    subgraph cluster_").Append(cluster++).Append(" {\n        label=").Append(Quote(group.Name)).Append(";\n        style=dashed;\n");
                foreach (string node in group.Nodes)
                {
                    text.Append("        ").Append(Quote(node)).Append(";\n");
                }

                text.Append("    }\n");
            }

            foreach (PipelineNode node in graph.Nodes)
            {
                if (!grouped.Contains(node.Name))
                {
                    text.Append("    ").Append(Quote(node.Name)).Append(";\n");
                }
            }

            Dictionary<string, string>? conditions = ConditionsOf(graph);
            foreach (PipelineEdge edge in graph.Edges)
            {
                text.Append("    ").Append(Quote(edge.From)).Append(" -> ").Append(Quote(edge.To))
                    .Append(IsCondition(conditions, edge) ? " [style=dashed];\n" : ";\n");
            }

            return text.Append("}\n").ToString();
        }

        // A condition edge runs from a node's [When] condition to the node: drawn dashed.
        private static bool IsCondition(Dictionary<string, string>? conditions, PipelineEdge edge) =>
            conditions is not null && conditions.TryGetValue(edge.To, out string? condition)
            && (condition == edge.From || condition == "!" + edge.From);

        // Conditions by node name, or null for a graph without any.
        private static Dictionary<string, string>? ConditionsOf(PipelineGraph graph)
        {
            Dictionary<string, string>? conditions = null;
            foreach (PipelineNode node in graph.Nodes)
            {
                if (node.Condition is string condition)
                {
                    conditions ??= new Dictionary<string, string>();
                    conditions[node.Name] = condition;
                }
            }

            return conditions;
        }

        private static HashSet<string> GroupOf(PipelineGraph graph)
        {
            var grouped = new HashSet<string>();
            foreach (FusionGroup group in graph.FusionGroups)
            {
                grouped.UnionWith(group.Nodes);
            }

            return grouped;
        }

        private static string MermaidNode(PipelineGraph graph, string name)
        {
            foreach (PipelineNode node in graph.Nodes)
            {
                if (node.Name == name)
                {
                    string label = node.OutputType is null ? name : $"{name}: {node.OutputType}";
                    string escaped = label.Replace("\"", "#quot;").Replace("<", "#lt;").Replace(">", "#gt;");
                    return node.Kind switch
                    {
                        NodeKind.Kernel => $"{Id(name)}[/\"{escaped}\"/]",
                        NodeKind.Reduce => $"{Id(name)}{{{{\"{escaped}\"}}}}",
                        NodeKind.Stage => $"{Id(name)}[[\"{escaped}\"]]",
                        _ => $"{Id(name)}[\"{escaped}\"]",
                    };
                }
            }

            return Id(name);
        }

        // Mermaid ids must avoid its keywords ("end", "graph"), so every id gets a prefix.
        private static string Id(string name) => "n_" + name;

        private static string Quote(string name) => "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
