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
            Dictionary<int, List<int>> cycles = graph.Cycles();
            foreach (KeyValuePair<int, List<int>> cycle in cycles.OrderBy(c => c.Key))
            {
                string path = string.Join(" → ", cycle.Value.Select(n => spec.Nodes[n].Name));
                problems.Add(new ModelDiagnostic(
                    DiagnosticIds.Cycle, DiagnosticTarget.Method, cycle.Key, -1, -1, -1,
                    new[] { path, spec.Name }.ToEquatableArray()));
            }

            Schedule? schedule = cycles.Count == 0 ? graph.Plan(spec.Nodes.Select(n => n.Cost).ToList()) : null;
            return new CompiledPipeline(bound, schedule, problems.ToEquatableArray());
        }
    }
}
