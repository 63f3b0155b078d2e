using System.Linq;
using System.Threading;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // Maps and tasks with Retries or TimeoutMs (SPEC section 10). The unit awaits a wrapper from the runtime: a MapRunner
    // for a map, NodeAttempts for a retried task; the wrapper calls the node's attempt method once per attempt (and item),
    // through a static lambda whose state is the run itself, so no call allocates a closure. Pipelines without either
    // generate nothing here.
    internal static partial class PipelineEmitter
    {
        private const string ValueTaskOf = "global::System.Threading.Tasks.ValueTask";
        private const string CancellationTokenType = "global::System.Threading.CancellationToken";

        /// <summary>The wrapper's call, as the unit awaits it: a <c>ValueTask&lt;T&gt;</c>.</summary>
        private static string WrapperCall(LoweredPlan plan, Invocation invocation, WrappedCall wrapped)
        {
            int node = invocation.Node;
            if (wrapped.IsMap)
            {
                return $"{MapField(node)}.RunAsync<{Run}, {wrapped.ItemType}, {wrapped.CallOutput}>(Options, this, {NodeField(wrapped.Items)}, "
                    + $"static (run, item, index, token) => run.{AttemptMethod(node)}(item, index, token), Token{MapCheckpointArgument(invocation, wrapped)})";
            }

            return $"{AttemptsField(node)}.RunAsync<{Run}, {wrapped.CallOutput}>(Options, this, "
                + $"static (run, token) => run.{AttemptMethod(node)}(token), Token)";
        }

        /// <summary>One static policy per wrapped node, shared by every run.</summary>
        private static void EmitWrappers(IndentedWriter writer, LoweredPlan plan)
        {
            foreach (Invocation invocation in plan.Invocations.Where(i => i.Wrapped is not null))
            {
                int node = invocation.Node;
                string name = Literal(plan.Spec.Nodes[node].Name);
                writer.Line($"private static readonly global::Kiln.Execution.NodeAttempts {AttemptsField(node)} = new({name}, "
                    + $"{invocation.Policy.Retries}, {invocation.Policy.TimeoutMs});");
                if (invocation.Wrapped!.IsMap)
                {
                    bool hasPolicy = invocation.Policy.Retries > 0 || invocation.Policy.TimeoutMs > 0;
                    writer.Line($"private static readonly global::Kiln.Execution.MapRunner {MapField(node)} = new({name}, "
                        + $"{invocation.Wrapped.MaxConcurrency}, {AttemptsField(node)}, {(hasPolicy ? "true" : "false")});");
                }
            }
        }

        /// <summary>
        /// Per wrapped node, the attempt method the wrapper calls: when the run is observed, each attempt (each item's) is a
        /// trace event and an activity of its own; otherwise it is the method's call and nothing else.
        /// </summary>
        private static void EmitAttemptMethods(IndentedWriter writer, LoweredPlan plan, CancellationToken cancellationToken)
        {
            foreach (Invocation invocation in plan.Invocations)
            {
                if (invocation.Wrapped is not { } wrapped)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (invocation.Policy.Distributed)
                {
                    EmitDistributedAttempt(writer, plan, invocation, wrapped); // PipelineEmitter.Distributed.cs
                    continue;
                }

                int node = invocation.Node;
                string output = wrapped.CallOutput;
                string parameters = wrapped.IsMap
                    ? $"{wrapped.ItemType} item, int index, {CancellationTokenType} token"
                    : $"{CancellationTokenType} token";
                string arguments = wrapped.IsMap ? "item, index, token" : "token";
                string method = AttemptMethod(node);

                writer.Line();
                writer.Line($"private {ValueTaskOf}<{output}> {method}({parameters}) =>");
                writer.Line($"    Observed ? {method}Observed({arguments}) : {method}Direct({arguments});");

                writer.Line();
                using (writer.Block($"private async {ValueTaskOf}<{output}> {method}Observed({parameters})"))
                {
                    writer.Line($"var attempt = AttemptStarting({node}, {(wrapped.IsMap ? "index" : "-1")});");
                    using (writer.Block("try"))
                    {
                        writer.Line($"{output} value = await {method}Direct({arguments}).ConfigureAwait(false);");
                        writer.Line("AttemptFinished(attempt, null);");
                        writer.Line("return value;");
                    }

                    using (writer.Block("catch (global::System.Exception exception)"))
                    {
                        writer.Line("AttemptFinished(attempt, exception);");
                        writer.Line("throw;");
                    }
                }

                writer.Line();
                using (writer.Block($"private {ValueTaskOf}<{output}> {method}Direct({parameters})"))
                {
                    EmitReturnAsValueTask(writer, wrapped.MethodShape, output, MethodCall(plan, invocation, (argument, _) => AttemptArgument(argument)));
                }
            }
        }

        /// <summary>An argument of the method's call inside an attempt: the attempt's token, the item and its index.</summary>
        private static string AttemptArgument(InvocationArgument argument) => argument.Source switch
        {
            ArgumentSource.Token => "token",
            ArgumentSource.Item => "item!",
            ArgumentSource.Index => "index",
            _ => FieldArgument(argument),
        };
    }
}
