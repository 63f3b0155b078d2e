using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>Kernels and reductions that run as one loop (CPU) or one launch (device).</summary>
    /// <param name="Name">The group's name: its members joined by '+'.</param>
    /// <param name="Members">Member nodes in topological order.</param>
    /// <param name="Materialized">
    /// Members whose stream something outside the group reads (a task, a gather, another group, a sink): only these are
    /// written to memory.
    /// </param>
    public sealed record FusionGroupSpec(string Name, EquatableArray<int> Members, EquatableArray<int> Materialized);

    /// <summary>
    /// Decides fusion at build time: a group is a maximal set of kernels and reductions connected by element-wise
    /// edges (a kernel's stream read element by element). A gather edge ends a group, and a member never joins a
    /// group it also depends on some other way (a uniform read from a reduction of the group, say), which would
    /// make the group wait for itself.
    /// </summary>
    public static class FusionPlanner
    {
        public static List<FusionGroupSpec> Plan(PipelineSpec spec, BoundPipeline bound, IReadOnlyList<int> order, out int[] groupOf)
        {
            int count = spec.Nodes.Count;
            groupOf = Enumerable.Repeat(-1, count).ToArray();
            var members = new List<List<int>>();
            foreach (int node in order)
            {
                NodeSpec consumer = spec.Nodes[node];
                if (!IsFusible(consumer))
                {
                    continue;
                }

                groupOf[node] = members.Count;
                members.Add(new List<int> { node });
                foreach (int producer in ElementwiseProducers(spec, consumer).Distinct())
                {
                    int from = groupOf[producer];
                    int into = groupOf[node];
                    if (from < 0 || from == into)
                    {
                        continue;
                    }

                    // Tentatively merge; keep the merge only if the graph of groups stays acyclic.
                    foreach (int member in members[into])
                    {
                        groupOf[member] = from;
                    }

                    if (ContractedGraphHasCycle(bound, groupOf, count) || ReadsWholeInside(spec, bound, groupOf, from))
                    {
                        foreach (int member in members[into])
                        {
                            groupOf[member] = into;
                        }
                    }
                    else
                    {
                        members[from].AddRange(members[into]);
                        members[into].Clear();
                    }
                }
            }

            var position = new int[count];
            for (int i = 0; i < order.Count; i++)
            {
                position[order[i]] = i;
            }

            var sinks = new HashSet<int>(bound.Sinks);
            var groups = new List<FusionGroupSpec>();
            var renumber = new Dictionary<int, int>();
            foreach (List<int> group in members.Where(m => m.Count > 0).OrderBy(m => m.Min(n => position[n])))
            {
                int index = groups.Count;
                List<int> sorted = group.OrderBy(n => position[n]).ToList();
                foreach (int member in sorted)
                {
                    renumber[groupOf[member]] = index;
                }

                var materialized = sorted.Where(m =>
                    spec.Nodes[m].Kind == NodeKindSpec.Reduce
                    || sinks.Contains(m)
                    || bound.Edges.Any(e => e.From == m && !group.Contains(e.To))
                    || ReadByGather(spec, m));
                groups.Add(new FusionGroupSpec(
                    string.Join("+", sorted.Select(n => spec.Nodes[n].Name)),
                    sorted.ToEquatableArray(),
                    materialized.ToEquatableArray()));
            }

            for (int n = 0; n < count; n++)
            {
                if (groupOf[n] >= 0)
                {
                    groupOf[n] = renumber[groupOf[n]];
                }
            }

            return groups;
        }

        private static bool IsFusible(NodeSpec node) =>
            node.Kind is NodeKindSpec.Kernel or NodeKindSpec.Reduce && node.SignatureProblems.Count == 0;

        /// <summary>Producers whose stream <paramref name="consumer"/> reads element by element, when they are kernels.</summary>
        public static IEnumerable<int> ElementwiseProducers(PipelineSpec spec, NodeSpec consumer)
        {
            foreach (ParameterSpec parameter in consumer.Parameters)
            {
                if (IsElementwise(spec, parameter))
                {
                    yield return parameter.Producer;
                }
            }
        }

        /// <summary>Whether <paramref name="parameter"/> reads a kernel's stream element by element.</summary>
        public static bool IsElementwise(PipelineSpec spec, ParameterSpec parameter) =>
            parameter.Role == ParameterRole.Node
            && !parameter.IsGather
            && parameter.ProducerIsStream
            && spec.Nodes[parameter.Producer].Kind == NodeKindSpec.Kernel;

        private static bool ReadByGather(PipelineSpec spec, int node) =>
            spec.Nodes.Any(n => n.Parameters.Any(p => p.IsGather && p.Role == ParameterRole.Node && p.Producer == node));

        // A member that reads another member whole (gathers its stream, reads a reduction's result as a uniform, or is
        // [After] it) needs that member finished first, which one loop cannot give: the edges inside a group are
        // element-wise only.
        private static bool ReadsWholeInside(PipelineSpec spec, BoundPipeline bound, int[] groupOf, int group) =>
            bound.Edges.Any(e => groupOf[e.From] == group && groupOf[e.To] == group
                && (!e.IsData || spec.Nodes[e.To].Parameters.Any(p => p.Role == ParameterRole.Node && p.Producer == e.From && !IsElementwise(spec, p))));

        private static bool ContractedGraphHasCycle(BoundPipeline bound, int[] groupOf, int count)
        {
            // Vertices: nodes outside groups keep their index; group g becomes count + g.
            int Vertex(int node) => groupOf[node] < 0 ? node : count + groupOf[node];
            var edges = new HashSet<(int, int)>();
            foreach (BoundEdge edge in bound.Edges)
            {
                int from = Vertex(edge.From);
                int to = Vertex(edge.To);
                if (from != to)
                {
                    edges.Add((from, to));
                }
            }

            int vertices = count + count;
            var analysis = new GraphAnalysis(vertices, edges);
            return analysis.TopologicalOrder().Count != vertices;
        }
    }
}
