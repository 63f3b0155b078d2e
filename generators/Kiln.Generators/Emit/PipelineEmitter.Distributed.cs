using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // Distributed tasks and maps (SPEC section 12). A distributed node is a wrapped call (PlanLowering.Wrap): its attempt
    // method either calls the method here or, when the run has a cluster, sends the call there: the arguments written with
    // the pipeline's generated JSON context, as the parameters declare them. On the worker, the generated table
    // (__KilnNodes, named by an assembly attribute) reads them back into the same declared types and calls the method.
    // Nothing about types or methods is read from the wire but the pipeline's and the node's names, which select an entry
    // of the table. Pipelines without distributed nodes generate nothing here.
    internal static partial class PipelineEmitter
    {
        private const string TableClass = "__KilnNodes";
        private const string ClusterType = "global::Kiln.IKilnCluster";
        private const string ClusterNamespace = "global::Kiln.Cluster";

        private static bool EmitsDistributedTable(LoweredPlan plan) =>
            plan.IsValid && plan.Invocations.Any(i => i.Policy.Distributed && i.Wrapped is not null);

        /// <summary>The assembly attribute that lets a worker find the pipeline's distributed nodes, before any namespace.</summary>
        private static void EmitDistributedTableAttribute(IndentedWriter writer, LoweredPlan plan, RunSignature signature)
        {
            if (!signature.IsRunnable || !EmitsDistributedTable(plan))
            {
                return;
            }

            writer.Line($"[assembly: {ClusterNamespace}.DistributedNodeTable(typeof({ClassReference(plan.Spec)}.{TableClass}))]");
            writer.Line();
        }

        /// <summary>
        /// The attempt methods of a distributed node: here or on the cluster, each attempt (each item's) still its own
        /// trace event and activity, naming the worker that ran it.
        /// </summary>
        private static void EmitDistributedAttempt(IndentedWriter writer, LoweredPlan plan, Invocation invocation, WrappedCall wrapped)
        {
            int node = invocation.Node;
            string output = wrapped.CallOutput;
            string parameters = wrapped.IsMap
                ? $"{wrapped.ItemType} item, int index, {CancellationTokenType} token"
                : $"{CancellationTokenType} token";
            string arguments = wrapped.IsMap ? "item, index, token" : "token";
            string method = AttemptMethod(node);
            string remote = method + "Remote";

            writer.Line();
            writer.Line($"private {ValueTaskOf}<{output}> {method}({parameters}) =>");
            writer.Line($"    Observed ? {method}Observed({arguments}) : {method}Direct({arguments});");

            writer.Line();
            using (writer.Block($"private async {ValueTaskOf}<{output}> {method}Observed({parameters})"))
            {
                writer.Line($"var attempt = AttemptStarting({node}, {(wrapped.IsMap ? "index" : "-1")});");
                writer.Line("string? worker = null;");
                using (writer.Block("try"))
                {
                    writer.Line($"{output} value;");
                    using (writer.Block($"if (Options.Cluster is {{ }} cluster)"))
                    {
                        writer.Line($"(value, worker) = await {remote}(cluster, {arguments}).ConfigureAwait(false);");
                    }

                    using (writer.Block("else"))
                    {
                        writer.Line($"value = await {method}Local({arguments}).ConfigureAwait(false);");
                    }

                    writer.Line("AttemptFinishedOn(attempt, null, worker);");
                    writer.Line("return value;");
                }

                using (writer.Block("catch (global::System.Exception exception)"))
                {
                    writer.Line("AttemptFinishedOn(attempt, exception, exception is global::Kiln.RemoteNodeException remote ? remote.Worker : worker);");
                    writer.Line("throw;");
                }
            }

            writer.Line();
            writer.Line($"private {ValueTaskOf}<{output}> {method}Direct({parameters}) =>");
            writer.Line($"    Options.Cluster is {{ }} cluster ? {method}Value({remote}(cluster, {arguments})) : {method}Local({arguments});");
            writer.Line();
            writer.Line($"private static async {ValueTaskOf}<{output}> {method}Value({ValueTaskOf}<({output} Value, string Worker)> pending) =>");
            writer.Line("    (await pending.ConfigureAwait(false)).Value;");

            // Here: the method's own call, exactly as a wrapped node that is not distributed makes it.
            writer.Line();
            using (writer.Block($"private {ValueTaskOf}<{output}> {method}Local({parameters})"))
            {
                string call = MethodCall(plan, invocation, (argument, _) => AttemptArgument(argument));
                EmitReturnAsValueTask(writer, wrapped.MethodShape, output, call);
            }

            // On the cluster: the shared arguments are written once per run, the item per call.
            string json = JsonContext(plan.Spec) + ".Default";
            string argumentsField = $"__kilnArguments{node}";
            writer.Line();
            writer.Line($"private byte[]? {argumentsField};");
            writer.Line();
            using (writer.Block($"private {ValueTaskOf}<({output} Value, string Worker)> {remote}({ClusterType} cluster, {parameters})"))
            {
                writer.Line($"var json = {json};");
                var written = new StringBuilder($"new {ClusterNamespace}.ArgumentWriter()");
                foreach (InvocationArgument argument in WireArguments(invocation))
                {
                    written.Append(argument.Source == ArgumentSource.OptionalValue
                        ? $".WriteOptional<{OptionalInner(argument.Type)}>({FieldArgument(argument)}, json.Of<{OptionalInner(argument.Type)}>())"
                        : $".Write<{argument.Type}>({FieldArgument(argument)}, json.Of<{argument.Type}>())");
                }

                writer.Line($"byte[] arguments = {argumentsField} ??= {written}.ToArray();");
                string item = wrapped.IsMap ? $"{ClusterNamespace}.ArgumentReader.WriteValue<{wrapped.ItemType}>(item, json.Of<{wrapped.ItemType}>())" : "null";
                writer.Line($"var call = new global::Kiln.ClusterCall({Literal(plan.Spec.FullName)}, {Literal(plan.Spec.Nodes[node].Name)}, "
                    + $"{Literal(Fingerprint(plan, invocation, wrapped))}, arguments, {item}, {(wrapped.IsMap ? "index" : "-1")}, Options.ClusterAttempts);");
                writer.Line(HasCallOutput(wrapped)
                    ? $"return {ClusterNamespace}.DistributedCall.InvokeAsync<{output}>(cluster, call, json.Of<{output}>(), token);"
                    : $"return {ClusterNamespace}.DistributedCall.InvokeAsync(cluster, call, token);");
            }
        }

        /// <summary>The table a worker runs the pipeline's distributed nodes from, nested in the pipeline class.</summary>
        private static void EmitDistributedTable(IndentedWriter writer, LoweredPlan plan)
        {
            if (!EmitsDistributedTable(plan))
            {
                return;
            }

            PipelineSpec spec = plan.Spec;
            List<Invocation> distributed = plan.Invocations.Where(i => i.Policy.Distributed && i.Wrapped is not null).ToList();
            writer.Line();
            writer.Line("/// <summary>The distributed nodes a worker (silo) may run for this pipeline: generated, found through an assembly attribute.</summary>");
            writer.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
            using (writer.Block($"internal sealed class {TableClass} : {ClusterNamespace}.IDistributedNodeTable"))
            {
                writer.Line("/// <summary>The pipeline's distributed nodes.</summary>");
                writer.Line($"public global::System.Collections.Generic.IReadOnlyList<{ClusterNamespace}.DistributedNode> Nodes {{ get; }} = new {ClusterNamespace}.DistributedNode[]");
                writer.Line("{");
                foreach (Invocation invocation in distributed)
                {
                    writer.Line($"    new({Literal(spec.FullName)}, {Literal(spec.Nodes[invocation.Node].Name)}, "
                        + $"{Literal(Fingerprint(plan, invocation, invocation.Wrapped!))}, Run{invocation.Node}),");
                }

                writer.Line("};");
                foreach (Invocation invocation in distributed)
                {
                    writer.Line();
                    EmitDistributedHandler(writer, plan, invocation, invocation.Wrapped!);
                }
            }
        }

        // One node's handler: read the arguments (synchronously: the reader holds a parsed document), call, write the output.
        private static void EmitDistributedHandler(IndentedWriter writer, LoweredPlan plan, Invocation invocation, WrappedCall wrapped)
        {
            int node = invocation.Node;
            bool async = invocation.Wrapped!.MethodShape is ReturnShape.Task or ReturnShape.TaskOfT or ReturnShape.ValueTask or ReturnShape.ValueTaskOfT;
            string signature = $"private static {(async ? "async " : string.Empty)}{ValueTaskOf}<byte[]> Run{node}(global::System.ReadOnlyMemory<byte> arguments, "
                + $"global::System.ReadOnlyMemory<byte> item, int index, {CancellationTokenType} token)";
            using (writer.Block(signature))
            {
                writer.Line($"var json = {JsonContext(plan.Spec)}.Default;");
                List<InvocationArgument> wire = WireArguments(invocation).ToList();
                var names = new Dictionary<InvocationArgument, string>();
                for (int a = 0; a < wire.Count; a++)
                {
                    InvocationArgument argument = wire[a];
                    string type = argument.Source == ArgumentSource.OptionalValue ? argument.Type : argument.Type;
                    writer.Line($"{type} argument{a};");
                    names[argument] = $"argument{a}";
                }

                using (writer.Block($"using (var reader = new {ClusterNamespace}.ArgumentReader(arguments, {wire.Count}))"))
                {
                    for (int a = 0; a < wire.Count; a++)
                    {
                        InvocationArgument argument = wire[a];
                        writer.Line(argument.Source == ArgumentSource.OptionalValue
                            ? $"argument{a} = reader.ReadOptional<{OptionalInner(argument.Type)}>({a}, json.Of<{OptionalInner(argument.Type)}>());"
                            : $"argument{a} = reader.Read<{argument.Type}>({a}, json.Of<{argument.Type}>());");
                    }
                }

                if (wrapped.IsMap)
                {
                    writer.Line($"{wrapped.ItemType} value = {ClusterNamespace}.ArgumentReader.ReadValue<{wrapped.ItemType}>(item, json.Of<{wrapped.ItemType}>());");
                }

                string call = MethodCall(plan, invocation, (argument, _) => argument.Source switch
                {
                    ArgumentSource.Token => "token",
                    ArgumentSource.Item => "value!",
                    ArgumentSource.Index => "index",
                    _ => names.TryGetValue(argument, out string? name) ? name : "default!",
                });
                string output = wrapped.CallOutput;
                string result = HasCallOutput(wrapped) ? $"{ClusterNamespace}.ArgumentReader.WriteValue<{output}>(result, json.Of<{output}>())" : "global::System.Array.Empty<byte>()";
                switch (wrapped.MethodShape)
                {
                    case ReturnShape.Value:
                        writer.Line($"{output} result = {call};");
                        writer.Line($"return new {ValueTaskOf}<byte[]>({result});");
                        break;
                    case ReturnShape.Void:
                        writer.Line(call + ";");
                        writer.Line($"return new {ValueTaskOf}<byte[]>({result});");
                        break;
                    case ReturnShape.TaskOfT:
                    case ReturnShape.ValueTaskOfT:
                        writer.Line($"{output} result = await {call}.ConfigureAwait(false);");
                        writer.Line($"return {result};");
                        break;
                    default:
                        writer.Line($"await {call}.ConfigureAwait(false);");
                        writer.Line($"return {result};");
                        break;
                }
            }
        }

        /// <summary>The arguments that travel: everything but the item, its index and the token, in parameter order.</summary>
        private static IEnumerable<InvocationArgument> WireArguments(Invocation invocation) =>
            invocation.Arguments.Where(a => a.Source is ArgumentSource.ProducerValue or ArgumentSource.Input or ArgumentSource.OptionalValue);

        private static bool HasCallOutput(WrappedCall wrapped) => wrapped.MethodShape is ReturnShape.Value or ReturnShape.TaskOfT or ReturnShape.ValueTaskOfT;

        // "global::Kiln.Optional<T>" → "T".
        private static string OptionalInner(string optional)
        {
            int open = optional.IndexOf('<');
            return open < 0 ? optional : optional.Substring(open + 1, optional.Length - open - 2);
        }

        /// <summary>
        /// A hash of what the caller and the worker must agree on: the pipeline, the node, its parameters' types and roles,
        /// its item and its output. A worker running another build of the node refuses the call.
        /// </summary>
        private static string Fingerprint(LoweredPlan plan, Invocation invocation, WrappedCall wrapped)
        {
            var text = new StringBuilder(plan.Spec.FullName).Append('.').Append(plan.Spec.Nodes[invocation.Node].Name).Append('(');
            foreach (InvocationArgument argument in invocation.Arguments)
            {
                text.Append(argument.Source).Append(' ').Append(argument.Type).Append(',');
            }

            text.Append(")[").Append(wrapped.ItemType).Append("]->").Append(wrapped.CallOutput).Append(':').Append(wrapped.MethodShape);
            ulong hash = 14695981039346656037UL;
            foreach (char c in text.ToString())
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash.ToString("x16");
        }

        /// <summary>Returns a method's call as the <c>ValueTask&lt;T&gt;</c> an attempt yields.</summary>
        private static void EmitReturnAsValueTask(IndentedWriter writer, ReturnShape shape, string output, string call)
        {
            switch (shape)
            {
                case ReturnShape.Value:
                case ReturnShape.TaskOfT:
                    writer.Line($"return new {ValueTaskOf}<{output}>({call});");
                    break;
                case ReturnShape.ValueTaskOfT:
                    writer.Line($"return {call};");
                    break;
                case ReturnShape.Void:
                    writer.Line(call + ";");
                    writer.Line($"return new {ValueTaskOf}<bool>(true);");
                    break;
                default: // Task, ValueTask
                    writer.Line($"return global::Kiln.Execution.MapRunner.Done({call});");
                    break;
            }
        }
    }
}
