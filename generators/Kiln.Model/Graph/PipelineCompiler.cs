using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>A pipeline bound and scheduled: everything the emitter needs, and every problem found.</summary>
    /// <param name="Bound">The bound pipeline.</param>
    /// <param name="Schedule">The schedule, or null when the graph has a cycle.</param>
    /// <param name="Problems">Binding problems and cycles.</param>
    public sealed record CompiledPipeline(BoundPipeline Bound, Schedule? Schedule, EquatableArray<ModelDiagnostic> Problems)
    {
        public PipelineSpec Spec => Bound.Spec;

        public bool IsValid => Problems.Count == 0 && Schedule is not null;
    }

    /// <summary>Runs binding and graph analysis: the whole build-time compiler for one pipeline.</summary>
    public static class PipelineCompiler
    {
        public static CompiledPipeline Compile(PipelineSpec spec)
        {
            BoundPipeline bound = PipelineBinder.Bind(spec);
            var graph = new GraphAnalysis(spec.Nodes.Count, bound.Edges.Select(e => (e.From, e.To)));
            var problems = new List<ModelDiagnostic>(bound.Problems);
            GeneratedMemberCheck.Check(bound, problems);
            Dictionary<int, List<int>> cycles = graph.Cycles();
            foreach (KeyValuePair<int, List<int>> cycle in cycles.OrderBy(c => c.Key))
            {
                string path = string.Join(" → ", cycle.Value.Select(n => spec.Nodes[n].Name));
                problems.Add(new ModelDiagnostic(
                    DiagnosticIds.Cycle, DiagnosticTarget.Method, cycle.Key, -1, -1, -1,
                    new[] { path, spec.Name }.ToEquatableArray()));
            }

            if (cycles.Count == 0)
            {
                problems.AddRange(StagePlanner.Check(spec, bound));
            }

            Schedule? schedule = cycles.Count == 0 && problems.All(p => p.Id != DiagnosticIds.InvalidStage) ? Plan(spec, bound, graph) : null;
            return new CompiledPipeline(bound, schedule, problems.ToEquatableArray());
        }

        private static Schedule Plan(PipelineSpec spec, BoundPipeline bound, GraphAnalysis graph)
        {
            List<int> costs = spec.Nodes.Select(n => n.Cost).ToList();
            (GraphLevels byNode, UnitGraph nodeUnits) = graph.Plan(costs);
            List<FusionGroupSpec> groups = FusionPlanner.Plan(spec, bound, byNode.Order, out int[] groupOf);
            List<StageGroupSpec> stageGroups = StagePlanner.Plan(spec, byNode.Order, out int[] stageGroupOf);

            // The executor sees each fusion group, and each set of stages joined by pipes, as one vertex.
            var vertices = new List<Vertex>();
            var vertexOf = new int[spec.Nodes.Count];
            var groupVertex = Enumerable.Repeat(-1, groups.Count).ToArray();
            var stageVertex = Enumerable.Repeat(-1, stageGroups.Count).ToArray();
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                int group = groupOf[n];
                int stages = stageGroupOf[n];
                if (stages >= 0)
                {
                    // Stages joined by pipes run at the same time: one vertex, like a fusion group.
                    if (stageVertex[stages] < 0)
                    {
                        stageVertex[stages] = vertices.Count;
                        vertices.Add(new StageVertex(stages, stageGroups[stages].Members));
                    }

                    vertexOf[n] = stageVertex[stages];
                }
                else if (group < 0)
                {
                    vertexOf[n] = vertices.Count;
                    vertices.Add(new TaskVertex(n));
                }
                else
                {
                    if (groupVertex[group] < 0)
                    {
                        groupVertex[group] = vertices.Count;
                        vertices.Add(new FusionVertex(group, groups[group].Members));
                    }

                    vertexOf[n] = groupVertex[group];
                }
            }

            // Without groups every vertex is its node, so the node graph's units are the executor's.
            UnitGraph units = nodeUnits;
            if (groups.Count > 0 || stageGroups.Count > 0)
            {
                var edges = bound.Edges.Select(e => (vertexOf[e.From], vertexOf[e.To])).Where(e => e.Item1 != e.Item2);
                var vertexCosts = vertices.Select(v => v.Members.Sum(m => costs[m])).ToList();
                units = new GraphAnalysis(vertices.Count, edges).Plan(vertexCosts).Units;
            }

            return new Schedule(
                byNode,
                units,
                vertices.ToEquatableArray(),
                vertexOf.ToEquatableArray(),
                groups.ToEquatableArray(),
                stageGroups.ToEquatableArray());
        }
    }
}
