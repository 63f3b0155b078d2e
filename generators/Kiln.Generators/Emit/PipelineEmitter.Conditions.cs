using System.Collections.Generic;
using System.Linq;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // SPEC section 10's skips. Only nodes SkipAnalysis marks as skippable get anything: a bool field saying the run
    // skipped them, and a gate around their call that tests their condition and their producers' flags. A skipped
    // vertex does not run but its unit goes on, so the executor releases its successors as usual and the run ends.
    internal static partial class PipelineEmitter
    {
        /// <summary>Whether a run of <paramref name="plan"/> can skip <paramref name="node"/>.</summary>
        private static bool CanSkip(LoweredPlan plan, int node) => node < plan.Skippable.Count && plan.Skippable[node];

        /// <summary>One skip flag per skippable node of the run class; nothing for a pipeline without conditions.</summary>
        private static void EmitSkipFields(IndentedWriter writer, LoweredPlan plan)
        {
            if (!plan.Skippable.Contains(true))
            {
                return;
            }

            // A flag nothing reads (a skippable node only [After] refers to, or no node at all) is still
            // written; one write is cheaper than deciding, and the compiler would warn of it.
            writer.Line("#pragma warning disable CS0414");
            for (int n = 0; n < plan.Skippable.Count; n++)
            {
                if (plan.Skippable[n])
                {
                    writer.Line($"private bool {SkipField(n)};");
                }
            }

            writer.Line("#pragma warning restore CS0414");
        }

        /// <summary>
        /// The test that is true when <paramref name="vertex"/> must be skipped, or null when it never is: a member's
        /// condition did not return its value (or was skipped itself), or a member reads a skipped node through a
        /// parameter that is not <c>Optional&lt;T&gt;</c>.
        /// </summary>
        private static string? SkipTest(LoweredPlan plan, Vertex vertex)
        {
            EquatableArray<int> members = vertex.Members;
            if (!CanSkip(plan, members[0]))
            {
                return null;
            }

            var terms = new List<string>();
            foreach (int member in members)
            {
                Invocation invocation = plan.Invocations[member];
                int condition = invocation.Policy.Condition;
                if (condition >= 0)
                {
                    if (CanSkip(plan, condition))
                    {
                        terms.Add(SkipField(condition));
                    }

                    terms.Add((invocation.Policy.RunsWhen ? "!" : string.Empty) + NodeField(condition));
                }

                foreach (InvocationArgument argument in invocation.Arguments)
                {
                    if (argument.Source != ArgumentSource.OptionalValue && argument.Producer >= 0
                        && CanSkip(plan, argument.Producer) && !members.Contains(argument.Producer))
                    {
                        terms.Add(SkipField(argument.Producer));
                    }
                }
            }

            return terms.Count == 0 ? null : string.Join(" || ", terms.Distinct());
        }

        /// <summary>
        /// Opens the gate of a skippable vertex: when its test holds, its members are marked skipped and reported; the
        /// vertex's own steps go in the <c>else</c> block the caller closes. False (nothing written) for other vertices.
        /// </summary>
        private static bool OpenSkipGate(IndentedWriter writer, LoweredPlan plan, Vertex vertex)
        {
            if (SkipTest(plan, vertex) is not { } test)
            {
                return false;
            }

            using (writer.Block($"if ({test})"))
            {
                writer.Line(string.Concat(vertex.Members.Select(m => $"{SkipField(m)} = true; ")).TrimEnd());
                writer.Line("if (observed) { " + string.Concat(vertex.Members.Select(m => $"NodeSkipped({m}); ")) + "}");
            }

            writer.Open("else");
            return true;
        }

        /// <summary>
        /// The statement that skips a one-task unit written into <c>ExecuteUnit</c>'s switch, followed by a space, or an
        /// empty string when the task is never skipped.
        /// </summary>
        private static string InlineSkip(LoweredPlan plan, TaskVertex task) =>
            SkipTest(plan, task) is { } test
                ? $"if ({test}) {{ {SkipField(task.Node)} = true; NodeSkipped({task.Node}); return default; }} "
                : string.Empty;

        /// <summary>An <c>Optional&lt;T&gt;</c> argument: the producer's value, or <c>None</c> when the run skipped it.</summary>
        private static string OptionalArgument(InvocationArgument argument) =>
            argument.ProducerMaySkip
                ? $"({SkipField(argument.Producer)} ? default({argument.Type}) : new {argument.Type}({NodeField(argument.Producer)}))"
                : $"new {argument.Type}({NodeField(argument.Producer)})";

        /// <summary>A sink's value as the result holds it: <c>Optional&lt;T&gt;</c> when the run can skip the sink.</summary>
        private static string SinkValue(LoweredPlan plan, RunSignature signature, int sink) =>
            CanSkip(plan, sink)
                ? $"({SkipField(sink)} ? default({signature.OutputType(sink)}) : new {signature.OutputType(sink)}({NodeField(sink)}))"
                : NodeField(sink);

        /// <summary>The graph's condition argument of a node's descriptor (<c>"Cond"</c> or <c>"!Cond"</c>), or nothing.</summary>
        private static string ConditionArgument(NodeSpec node) => node.Condition is { } condition ? ", " + Literal(condition.Display) : string.Empty;
    }
}
