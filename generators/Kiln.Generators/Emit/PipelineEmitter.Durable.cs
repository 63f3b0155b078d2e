using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // Durable runs (SPEC section 11). A durable pipeline's run class gets what the runtime's resume needs: a DurablePlan
    // (fingerprint and graph), its inputs serialized, a Restore that puts stored outputs back into their fields, a bypass
    // gate around every vertex, and after every checkpointed node a write of its output. Writing happens only when the
    // run has a store (Checkpointing); a pipeline that is not durable generates none of it.
    internal static partial class PipelineEmitter
    {
        private const string JsonSerializer = "global::System.Text.Json.JsonSerializer";
        private const string StoredBytes = "global::System.ReadOnlyMemory<byte>";

        private static bool IsDurable(LoweredPlan plan) => plan.Spec.Durable;

        /// <summary>The JSON metadata field of a type, in the run class's holder of them.</summary>
        private static string JsonInfo(int node, bool item = false) => $"__KilnJsonInfo.Node{node}{(item ? "Item" : string.Empty)}";

        /// <summary>The members a durable pipeline's run class adds; nothing for other pipelines.</summary>
        private static void EmitDurableMembers(IndentedWriter writer, LoweredPlan plan)
        {
            if (!IsDurable(plan))
            {
                return;
            }

            CompiledPipeline pipeline = plan.Pipeline;
            PipelineSpec spec = plan.Spec;
            Schedule schedule = plan.Schedule!;
            string context = JsonContext(spec) + ".Default";
            const string Info = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

            // Holders of their own: nothing here is built by a run without a store.
            writer.Line();
            using (writer.Block("private static class __KilnDurable"))
            {
                var successors = new List<int>[spec.Nodes.Count];
                for (int n = 0; n < successors.Length; n++)
                {
                    successors[n] = new List<int>();
                }

                foreach (BoundEdge edge in pipeline.Bound.Edges)
                {
                    successors[edge.From].Add(edge.To);
                }

                var offsets = new List<int> { 0 };
                foreach (List<int> list in successors)
                {
                    offsets.Add(offsets[offsets.Count - 1] + list.Count);
                }

                writer.Line("internal static readonly global::Kiln.Execution.DurablePlan Value = new(");
                writer.Line("    " + Literal(spec.FullName) + ",");
                writer.Line("    " + Literal(Fingerprint(pipeline)) + ",");
                writer.Line("    order: " + Ints(schedule.Nodes.Order) + ",");
                writer.Line("    vertexOf: " + Ints(schedule.VertexOf) + ",");
                writer.Line("    successorOffsets: " + Ints(offsets) + ",");
                writer.Line("    successors: " + Ints(successors.SelectMany(s => s)) + ");");
            }

            writer.Line();
            using (writer.Block("private static class __KilnJsonInfo"))
            {
                foreach (BoundInput input in pipeline.Bound.Inputs)
                {
                    writer.Line($"internal static readonly {Info}<{input.Type}> {InputField(input.Name)} = {context}.Of<{input.Type}>();");
                }

                foreach (Invocation invocation in plan.Invocations)
                {
                    if (!invocation.Policy.Checkpoint || !invocation.HasOutput)
                    {
                        continue;
                    }

                    string type = plan.Slots[invocation.Node]!.Type;
                    writer.Line($"internal static readonly {Info}<{type}> Node{invocation.Node} = {context}.Of<{type}>();");
                    if (invocation.Wrapped is { IsMap: true } map)
                    {
                        writer.Line($"internal static readonly {Info}<{map.CallOutput}> Node{invocation.Node}Item = {context}.Of<{map.CallOutput}>();");
                    }
                }
            }

            writer.Line();
            writer.Line("protected override global::Kiln.Execution.DurablePlan? Durable => __KilnDurable.Value;");
            writer.Line();
            string inputs = string.Join(", ", pipeline.Bound.Inputs.Select(i =>
                $"{JsonSerializer}.SerializeToUtf8Bytes({InputField(i.Name)}, __KilnJsonInfo.{InputField(i.Name)})"));
            writer.Line($"protected override byte[] SerializeInputs() => JoinInputs({inputs});");
            writer.Line();
            string items = $"global::System.Collections.Generic.IReadOnlyDictionary<int, {StoredBytes}>?";
            using (writer.Block($"protected override void Restore(int node, {StoredBytes} data, {items} items)"))
            using (writer.Block("switch (node)"))
            {
                foreach (Invocation invocation in plan.Invocations)
                {
                    if (!invocation.Policy.Checkpoint)
                    {
                        continue;
                    }

                    int node = invocation.Node;
                    if (!invocation.HasOutput)
                    {
                        writer.Line($"case {node}: break;");
                    }
                    else if (invocation.Wrapped is { IsMap: true } map)
                    {
                        writer.Line($"case {node}: {NodeField(node)} = RestoreItems<{map.CallOutput}>(items, static item => "
                            + $"{JsonSerializer}.Deserialize(item.Span, {JsonInfo(node, item: true)})!); break;");
                    }
                    else
                    {
                        writer.Line($"case {node}: {NodeField(node)} = {JsonSerializer}.Deserialize(data.Span, {JsonInfo(node)})!; break;");
                    }
                }

                writer.Line("default: throw new global::System.IO.InvalidDataException(\"node \" + node + \" is never stored\");");
            }
        }

        /// <summary>
        /// Opens the bypass gate of a vertex in a durable pipeline: a resumed run that restored its members, or needs none
        /// of them, reports them restored; the vertex's own steps go in the <c>else</c> block the caller closes.
        /// </summary>
        private static bool OpenBypassGate(IndentedWriter writer, LoweredPlan plan, Vertex vertex)
        {
            if (!IsDurable(plan))
            {
                return false;
            }

            using (writer.Block($"if (Bypassed({vertex.FirstNode}))"))
            {
                writer.Line("if (observed) { " + string.Concat(vertex.Members.Select(m => $"NodeRestored({m}); ")) + "}");
            }

            writer.Open("else");
            return true;
        }

        /// <summary>
        /// The statement that stores a checkpointed node's output once it is in its field, or null. A map's items are
        /// stored one by one as they complete (MapRunner); the node itself then stores an empty marker that says all are.
        /// </summary>
        private static string? CheckpointStatement(LoweredPlan plan, Invocation invocation)
        {
            if (!invocation.Policy.Checkpoint)
            {
                return null;
            }

            int node = invocation.Node;
            string data = invocation.HasOutput && invocation.Wrapped is not { IsMap: true }
                ? $"{JsonSerializer}.SerializeToUtf8Bytes({NodeField(node)}, {JsonInfo(node)})"
                : "global::System.Array.Empty<byte>()";
            return $"if (Checkpointing) Checkpoint({node}, {data});";
        }

        /// <summary>Once a group of stages has completed, the writes of its members' return values (a durable pipeline's).</summary>
        private static void EmitStageCheckpoints(IndentedWriter writer, LoweredPlan plan, StageVertex stages)
        {
            foreach (int member in stages.Members)
            {
                if (CheckpointStatement(plan, plan.Invocations[member]) is { } checkpoint)
                {
                    writer.Line(checkpoint);
                }
            }
        }

        /// <summary>The map checkpoint argument of a durable map's runner call, with its leading comma; empty otherwise.</summary>
        private static string MapCheckpointArgument(Invocation invocation, WrappedCall map)
        {
            if (!invocation.Policy.Checkpoint)
            {
                return string.Empty;
            }

            int node = invocation.Node;
            return invocation.HasOutput
                ? $", MapCheckpoint<{map.CallOutput}>({node}, static value => {JsonSerializer}.SerializeToUtf8Bytes(value, {JsonInfo(node, item: true)}), "
                    + $"static data => {JsonSerializer}.Deserialize(data.Span, {JsonInfo(node, item: true)})!)"
                : $", MapCheckpoint<bool>({node}, static value => global::System.Array.Empty<byte>(), static data => true)";
        }

        /// <summary>
        /// Identifies the pipeline's version for its stored runs: a 64-bit FNV-1a hash of its name, inputs, nodes (name,
        /// kind, parameters, output) and edges. A change to any of them refuses runs stored before it.
        /// </summary>
        private static string Fingerprint(CompiledPipeline pipeline)
        {
            var text = new StringBuilder("kiln-durable-1|").Append(pipeline.Spec.FullName);
            foreach (BoundInput input in pipeline.Bound.Inputs)
            {
                text.Append("|in:").Append(input.Name).Append(':').Append(input.Type);
            }

            foreach (NodeSpec node in pipeline.Spec.Nodes)
            {
                text.Append("|node:").Append(node.Name).Append(':').Append(node.Kind).Append(':').Append(node.OutputType ?? "void");
                foreach (ParameterSpec parameter in node.Parameters)
                {
                    text.Append(',').Append(parameter.Name).Append(':').Append(parameter.Type).Append(':').Append(parameter.Role);
                }
            }

            foreach (BoundEdge edge in pipeline.Bound.Edges)
            {
                text.Append("|edge:").Append(edge.From).Append('>').Append(edge.To).Append(edge.IsData ? "d" : string.Empty).Append(edge.IsCondition ? "c" : string.Empty);
            }

            ulong hash = 14695981039346656037UL;
            foreach (char c in text.ToString())
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash.ToString("x16");
        }
    }
}
