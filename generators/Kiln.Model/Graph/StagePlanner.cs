using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>Stages joined by pipes: they run at the same time, so the executor sees them as one vertex.</summary>
    /// <param name="Name">The group's name: its members joined by '|'.</param>
    /// <param name="Members">Member stages in topological order.</param>
    public sealed record StageGroupSpec(string Name, EquatableArray<int> Members);

    /// <summary>
    /// Groups stages at build time: a group is a connected set of stages joined by pipe edges (a single stage is a
    /// group of one). Pipe edges are not executor dependencies; everything else a member binds to (a task's output,
    /// another group's result) must finish before the group starts, which rules out waiting on anything that itself
    /// waits for the group (KILN011).
    /// </summary>
    public static class StagePlanner
    {
        public static List<StageGroupSpec> Plan(PipelineSpec spec, IReadOnlyList<int> order, out int[] groupOf)
        {
            int count = spec.Nodes.Count;
            var parent = Enumerable.Range(0, count).ToArray();
            int Root(int x)
            {
                while (parent[x] != x)
                {
                    parent[x] = parent[parent[x]];
                    x = parent[x];
                }

                return x;
            }

            foreach ((int producer, int consumer) in PipeEdges(spec))
            {
                parent[Root(producer)] = Root(consumer);
            }

            // Stages reading one source (an input PipeReader, or a task's bytes) share it through a tee, so they run together.
            var firstReader = new Dictionary<string, int>();
            for (int n = 0; n < count; n++)
            {
                foreach (ParameterSpec parameter in spec.Nodes[n].Parameters)
                {
                    if (SourceKey(spec, spec.Nodes[n], parameter) is string key)
                    {
                        if (firstReader.TryGetValue(key, out int other))
                        {
                            parent[Root(other)] = Root(n);
                        }
                        else
                        {
                            firstReader.Add(key, n);
                        }
                    }
                }
            }

            groupOf = Enumerable.Repeat(-1, count).ToArray();
            var groups = new List<StageGroupSpec>();
            var byRoot = new Dictionary<int, List<int>>();
            var roots = new List<int>();
            foreach (int node in order)
            {
                if (spec.Nodes[node].Kind != NodeKindSpec.Stage)
                {
                    continue;
                }

                int root = Root(node);
                if (!byRoot.TryGetValue(root, out List<int>? members))
                {
                    byRoot.Add(root, members = new List<int>());
                    roots.Add(root);
                }

                members.Add(node);
            }

            foreach (int root in roots)
            {
                List<int> members = byRoot[root];
                foreach (int member in members)
                {
                    groupOf[member] = groups.Count;
                }

                groups.Add(new StageGroupSpec(string.Join("|", members.Select(m => spec.Nodes[m].Name)), members.ToEquatableArray()));
            }

            return groups;
        }

        /// <summary>
        /// KILN011 where a stage waits for something that waits for the stage's own group: the result of a stage it
        /// runs with, or a node downstream of the group. The node graph has no cycle, but the graph of vertices would.
        /// </summary>
        public static List<ModelDiagnostic> Check(PipelineSpec spec, BoundPipeline bound)
        {
            var problems = new List<ModelDiagnostic>();
            if (!spec.Nodes.Any(n => n.Kind == NodeKindSpec.Stage))
            {
                return problems;
            }

            var graph = new GraphAnalysis(spec.Nodes.Count, bound.Edges.Select(e => (e.From, e.To)));
            Plan(spec, graph.TopologicalOrder(), out int[] groupOf);
            var pipes = new HashSet<(int, int)>(PipeEdges(spec));

            // Nodes downstream of each group, following every edge but the group's internal pipes.
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                int group = groupOf[n];
                if (group < 0)
                {
                    continue;
                }

                NodeSpec stage = spec.Nodes[n];
                for (int p = 0; p < stage.Parameters.Count; p++)
                {
                    ParameterSpec parameter = stage.Parameters[p];
                    if (parameter.Role != ParameterRole.Node || StageBinding.ReadsPipe(spec, stage, parameter))
                    {
                        continue;
                    }

                    int producer = parameter.Producer;
                    if (groupOf[producer] == group)
                    {
                        problems.Add(StageBinding.Problem(DiagnosticTarget.Parameter, n, p, stage.Name,
                            $"parameter '{parameter.Name}' waits for the result of '{spec.Nodes[producer].Name}', "
                            + "which runs at the same time, joined to it by pipes"));
                    }
                    else if (DependsOnGroup(spec, graph, groupOf, pipes, producer, group))
                    {
                        problems.Add(StageBinding.Problem(DiagnosticTarget.Parameter, n, p, stage.Name,
                            $"parameter '{parameter.Name}' waits for '{spec.Nodes[producer].Name}', which waits for stages that run with '{stage.Name}'"));
                    }
                }
            }

            return problems;
        }

        /// <summary>
        /// What a stage's PipeReader parameter reads, as a key shared by every reader of the same bytes: <c>pipe:N</c>
        /// (stage N's output), <c>node:N</c> (task N's output) or <c>input:name</c>; null for any other parameter.
        /// </summary>
        public static string? SourceKey(PipelineSpec spec, NodeSpec node, ParameterSpec parameter)
        {
            if (node.Kind != NodeKindSpec.Stage || !StageSignature.IsPipeReader(parameter))
            {
                return null;
            }

            return parameter.Role switch
            {
                ParameterRole.Node when spec.Nodes[parameter.Producer].Kind == NodeKindSpec.Stage => "pipe:" + parameter.Producer,
                ParameterRole.Node => "node:" + parameter.Producer,
                ParameterRole.Input => "input:" + parameter.Name,
                _ => null,
            };
        }

        /// <summary>Pipe edges (producer stage, consumer stage).</summary>
        public static IEnumerable<(int Producer, int Consumer)> PipeEdges(PipelineSpec spec)
        {
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                NodeSpec node = spec.Nodes[n];
                foreach (ParameterSpec parameter in node.Parameters)
                {
                    if (StageBinding.ReadsPipe(spec, node, parameter))
                    {
                        yield return (parameter.Producer, n);
                    }
                }
            }
        }

        private static bool DependsOnGroup(PipelineSpec spec, GraphAnalysis graph, int[] groupOf, HashSet<(int, int)> pipes, int node, int group)
        {
            var seen = new HashSet<int> { node };
            var pending = new Stack<int>();
            pending.Push(node);
            while (pending.Count > 0)
            {
                int current = pending.Pop();
                foreach (int predecessor in graph.PredecessorsOf(current))
                {
                    if (groupOf[predecessor] == group && !pipes.Contains((predecessor, current)))
                    {
                        return true;
                    }

                    if (seen.Add(predecessor))
                    {
                        pending.Push(predecessor);
                    }
                }
            }

            return false;
        }
    }
}
