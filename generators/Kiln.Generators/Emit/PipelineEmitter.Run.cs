using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    internal static partial class PipelineEmitter
    {
        private static void EmitRunClass(IndentedWriter writer, LoweredPlan plan, RunSignature signature, CancellationToken cancellationToken)
        {
            string resultType = signature.ResultType;
            CompiledPipeline pipeline = plan.Pipeline;
            PipelineSpec spec = pipeline.Spec;
            Schedule schedule = pipeline.Schedule!;
            writer.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
            writer.Open($"private sealed class {Run} : global::Kiln.Execution.PipelineRun<{resultType}>");

            EmitPlan(writer, plan);
            EmitWrappers(writer, plan);
            EmitGraph(writer, pipeline);

            writer.Line();
            foreach (BoundInput input in pipeline.Bound.Inputs)
            {
                writer.Line($"private readonly {input.Type} {InputField(input.Name)};");
            }

            HashSet<int> locals = SegmentLocals(plan);
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                if (plan.Slots[n] is { } slot && !locals.Contains(n))
                {
                    writer.Line($"private {slot.Type} {NodeField(slot.Index)} = default!;");
                }

                if (spec.Nodes[n].Kind == NodeKindSpec.Kernel)
                {
                    writer.Line($"private int {LengthField(n)};");
                }

                if (spec.Nodes[n].Kind == NodeKindSpec.Reduce && spec.Nodes[n].HasOutput)
                {
                    writer.Line($"private {spec.Nodes[n].OutputType}[] {PartialsField(n)} = default!;");
                }
            }

            EmitSkipFields(writer, plan);
            EmitDurableMembers(writer, plan);

            writer.Line();
            string parameters = string.Join(", ", pipeline.Bound.Inputs.Select(i => i.Type + " " + Identifier(i.Name)));
            writer.Open($"public {Run}({parameters}) : base({ClassReference(spec)}.{Run}.s_plan)");
            foreach (BoundInput input in pipeline.Bound.Inputs)
            {
                writer.Line($"{InputField(input.Name)} = {Identifier(input.Name)};");
            }

            writer.Close();
            writer.Line();
            writer.Line("protected override " + resultType + " GetResult() => " + ResultExpression(plan, signature) + ";");
            writer.Line();
            writer.Line("protected override int UnitFirstNode(int unit) => s_firstNodes[unit];");
            writer.Line();
            EmitExecuteUnit(writer, plan);

            for (int u = 0; u < schedule.Executor.Units.Count; u++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EmitUnit(writer, plan, u, locals);
            }

            foreach (KernelLaunch launch in plan.Launches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EmitGroup(writer, plan, launch);
            }

            foreach (StageLaunch launch in plan.Stages)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EmitStageGroup(writer, plan, launch);
            }

            EmitAttemptMethods(writer, plan, cancellationToken);

            writer.Close();
        }

        private static void EmitPlan(IndentedWriter writer, LoweredPlan plan)
        {
            CompiledPipeline pipeline = plan.Pipeline;
            Schedule schedule = pipeline.Schedule!;
            UnitGraph executor = schedule.Executor;
            bool usesCancellation = plan.UsesCancellation;
            writer.Line("private static readonly int[] s_firstNodes = " + Ints(executor.Units.Select(u => schedule.Vertices[u.Vertices[0]].FirstNode)) + ";");
            writer.Line();
            writer.Line("private static readonly global::Kiln.Execution.PipelinePlan s_plan = new(");
            writer.Line("    " + Literal(pipeline.Spec.Name) + ",");
            // One literal rather than an array of them: a static constructor of a thousand string loads takes the
            // tier-0 JIT milliseconds of a first run (docs/design.md, "Cold start"). Identifiers hold no comma.
            writer.Line("    " + Literal(string.Join(",", pipeline.Spec.Nodes.Select(n => n.Name))) + ",");
            writer.Line("    joinCounts: " + Ints(executor.JoinCounts) + ",");
            writer.Line("    successorOffsets: " + Ints(executor.SuccessorOffsets) + ",");
            writer.Line("    successors: " + Ints(executor.Successors) + ",");
            writer.Line("    sources: " + Ints(executor.Sources) + ",");
            bool allTasks = pipeline.Spec.Nodes.All(n => n.Kind == NodeKindSpec.Task);
            string kinds = allTasks
                ? "null"
                : "new global::Kiln.NodeKind[] { " + string.Join(", ", pipeline.Spec.Nodes.Select(n => "global::Kiln.NodeKind." + n.Kind)) + " }";
            var groupNames = new string?[pipeline.Spec.Nodes.Count];
            foreach (FusionGroupSpec group in schedule.FusionGroups)
            {
                foreach (int member in group.Members)
                {
                    groupNames[member] = group.Name;
                }
            }

            string groups = schedule.FusionGroups.Count == 0
                ? "null"
                : "new string?[] { " + string.Join(", ", groupNames.Select(g => g is null ? "null" : Literal(g))) + " }";
            writer.Line("    usesCancellation: " + (usesCancellation ? "true" : "false") + ",");
            writer.Line("    nodeKinds: " + kinds + ",");
            writer.Line("    nodeGroups: " + groups + ");");
        }

        private static void EmitGraph(IndentedWriter writer, CompiledPipeline pipeline)
        {
            PipelineSpec spec = pipeline.Spec;
            Schedule schedule = pipeline.Schedule!;
            writer.Line();
            writer.Line("internal static global::Kiln.PipelineGraph Graph => __KilnGraph.Value;");
            writer.Line();

            // A holder class of its own: the graph is built when first read, not on a pipeline's first run.
            writer.Open("private static class __KilnGraph");
            writer.Line("internal static readonly global::Kiln.PipelineGraph Value = new(");
            writer.Line("    " + Literal(spec.Name) + ",");
            writer.Line("    new global::Kiln.PipelineNode[]");
            writer.Line("    {");
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                NodeSpec node = spec.Nodes[n];
                string output = node.OutputDisplay is null ? "null" : Literal(node.OutputDisplay);
                writer.Line($"        new({Literal(node.Name)}, global::Kiln.NodeKind.{node.Kind}, {output}, {schedule.Nodes.Waves[n]}{ConditionArgument(node)}),");
            }

            writer.Line("    },");
            writer.Line("    new global::Kiln.PipelineEdge[]");
            writer.Line("    {");
            foreach (BoundEdge edge in pipeline.Bound.Edges)
            {
                writer.Line($"        new({Literal(spec.Nodes[edge.From].Name)}, {Literal(spec.Nodes[edge.To].Name)}),");
            }

            writer.Line("    },");
            writer.Line("    new global::Kiln.PipelineInput[]");
            writer.Line("    {");
            foreach (BoundInput input in pipeline.Bound.Inputs)
            {
                writer.Line($"        new({Literal(input.Name)}, {Literal(input.TypeDisplay)}),");
            }

            writer.Line("    },");
            writer.Line("    new string[][]");
            writer.Line("    {");
            for (int wave = 0; wave < schedule.Nodes.WaveCount; wave++)
            {
                IEnumerable<string> names = Enumerable.Range(0, spec.Nodes.Count).Where(n => schedule.Nodes.Waves[n] == wave).Select(n => spec.Nodes[n].Name);
                writer.Line("        " + Strings(names) + ",");
            }

            writer.Line("    },");
            writer.Line("    " + Strings(schedule.Nodes.CriticalPath.Select(n => spec.Nodes[n].Name)) + ",");
            if (schedule.FusionGroups.Count == 0)
            {
                writer.Line("    global::System.Array.Empty<global::Kiln.FusionGroup>());");
            }
            else
            {
                writer.Line("    new global::Kiln.FusionGroup[]");
                writer.Line("    {");
                foreach (FusionGroupSpec group in schedule.FusionGroups)
                {
                    writer.Line($"        new({Literal(group.Name)}, {Strings(group.Members.Select(m => spec.Nodes[m].Name))}),");
                }

                writer.Line("    });");
            }

            writer.Close();
        }

        private static string ResultExpression(LoweredPlan plan, RunSignature signature)
        {
            EquatableArray<int> sinks = plan.Pipeline.Bound.Sinks;
            return sinks.Count switch
            {
                0 => "null",
                1 => SinkValue(plan, signature, sinks[0]),
                _ => "new Result(" + string.Join(", ", sinks.Select(s => SinkValue(plan, signature, s))) + ")",
            };
        }

        private static string Ints(IEnumerable<int> values) => "new int[] { " + string.Join(", ", values) + " }";

        private static string Strings(IEnumerable<string> values) => "new string[] { " + string.Join(", ", values.Select(Literal)) + " }";
    }
}
