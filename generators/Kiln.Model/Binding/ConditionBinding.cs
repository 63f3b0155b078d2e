using System.Collections.Generic;

namespace Kiln.Model
{
    /// <summary>SPEC section 10's rules for a node's <c>[When]</c>: KILN015 (not a task), KILN006 (no such node), KILN013 (not bool).</summary>
    internal static class ConditionBinding
    {
        /// <summary>
        /// Checks node <paramref name="node"/>'s condition; true when it is valid, so the node reads the condition's value
        /// (an edge condition → node).
        /// </summary>
        public static bool Check(PipelineSpec spec, int node, ConditionSpec condition, IReadOnlyList<string> names, List<ModelDiagnostic> problems)
        {
            NodeSpec conditional = spec.Nodes[node];
            // Tasks and maps can be conditional: named by what is refused, so that a new kind of task is allowed.
            if (conditional.Kind is NodeKindSpec.Kernel or NodeKindSpec.Reduce or NodeKindSpec.Stage)
            {
                problems.Add(At(DiagnosticIds.NotTaskOrMap, DiagnosticTarget.WhenAttribute, node, "[When]", KindWord(conditional.Kind), conditional.Name));
                return false;
            }

            if (condition.Node < 0)
            {
                string given = condition.Name ?? string.Empty;
                string? closest = PipelineBinder.Closest(given, names);
                problems.Add(At(DiagnosticIds.UnknownNode, DiagnosticTarget.WhenArgument, node, given, spec.Name, PipelineBinder.Hint(closest))
                    with { Suggestion = closest });
                return false;
            }

            NodeSpec decider = spec.Nodes[condition.Node];
            if (decider.OutputType != "bool")
            {
                string output = decider.OutputDisplay is null ? "nothing" : $"'{decider.OutputDisplay}'";
                problems.Add(At(DiagnosticIds.ConditionNotBool, DiagnosticTarget.WhenArgument, node,
                    conditional.Name, decider.Name, condition.RunsWhen ? "true" : "false", output));
                return false;
            }

            return true;
        }

        /// <summary>How messages name a node's kind.</summary>
        public static string KindWord(NodeKindSpec kind) => kind switch
        {
            NodeKindSpec.Kernel => "kernel",
            NodeKindSpec.Reduce => "reduction",
            NodeKindSpec.Stage => "stage",
            _ => "task",
        };

        private static ModelDiagnostic At(string id, DiagnosticTarget target, int node, params string[] arguments) =>
            new(id, target, node, -1, -1, -1, arguments.ToEquatableArray());
    }
}
