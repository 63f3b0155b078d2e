using System.Linq;
using Kiln.Model;

namespace Kiln.Generators.Emit
{
    internal static partial class PipelineEmitter
    {
        // The JIT stops optimizing methods past a few thousand basic blocks, so a long chain is emitted as segments
        // of this many nodes, each a method that tail-calls the next.
        private const int SegmentLength = 32;

        // A unit runs its chain synchronously until a node returns an unfinished task; from there a resume method
        // awaits it and runs the rest of the segment, then awaits the next segment. A failing node is handed to
        // Fail, never thrown to the executor.
        private static void EmitUnit(IndentedWriter writer, CompiledPipeline pipeline, int unit)
        {
            if (InlineUnit(pipeline, unit) is not null)
            {
                return;
            }

            EquatableArray<int> nodes = pipeline.Schedule!.Units[unit].Nodes;
            for (int start = 0; start < nodes.Count; start += SegmentLength)
            {
                EmitSegment(writer, pipeline, unit, start);
            }

            for (int position = 0; position < nodes.Count; position++)
            {
                int node = pipeline.Schedule.Vertices[nodes[position]].Node;
                if ((node >= 0 && pipeline.Spec.Nodes[node].IsAsync) || pipeline.Schedule.Vertices[nodes[position]].Stages >= 0)
                {
                    EmitResume(writer, pipeline, unit, position);
                }
            }
        }

        // Units per dispatch method: one switch over thousands of units would be one huge method for the JIT to
        // compile on the first run; switches of this size compile fast and each tiers up on its own.
        private const int DispatchChunk = 64;

        // ExecuteUnit: a switch over the units, in chunks of DispatchChunk when there are more.
        private static void EmitExecuteUnit(IndentedWriter writer, CompiledPipeline pipeline)
        {
            int units = pipeline.Schedule!.Units.Count;
            if (units <= DispatchChunk)
            {
                EmitDispatch(writer, pipeline, "protected override global::System.Threading.Tasks.ValueTask ExecuteUnit(int unit)", 0, units);
                return;
            }

            writer.Open("protected override global::System.Threading.Tasks.ValueTask ExecuteUnit(int unit)");
            writer.Open($"switch (unit / {DispatchChunk})");
            for (int chunk = 0; chunk * DispatchChunk < units; chunk++)
            {
                writer.Line($"case {chunk}: return ExecuteUnits{chunk * DispatchChunk}(unit);");
            }

            writer.Line("default: return default;");
            writer.Close();
            writer.Close();
            for (int start = 0; start < units; start += DispatchChunk)
            {
                writer.Line();
                EmitDispatch(writer, pipeline, $"private global::System.Threading.Tasks.ValueTask ExecuteUnits{start}(int unit)", start, System.Math.Min(units, start + DispatchChunk));
            }
        }

        private static void EmitDispatch(IndentedWriter writer, CompiledPipeline pipeline, string signature, int start, int end)
        {
            writer.Open(signature);
            writer.Open("switch (unit)");
            for (int u = start; u < end; u++)
            {
                writer.Line($"case {u}: {InlineUnit(pipeline, u) ?? $"return Unit{u}();"}");
            }

            writer.Line("default: return default;");
            writer.Close();
            writer.Close();
        }

        /// <summary>
        /// The body of a unit that is one synchronous task, written into <c>ExecuteUnit</c>'s switch instead of a method
        /// of its own; null for other units. A wide graph would otherwise be a thousand small methods, each compiled on
        /// the first run (docs/design.md, "Cold start"). What it throws reaches the executor, which blames the unit's
        /// first node: this node.
        /// </summary>
        private static string? InlineUnit(CompiledPipeline pipeline, int unit)
        {
            Schedule schedule = pipeline.Schedule!;
            EquatableArray<int> nodes = schedule.Units[unit].Nodes;
            if (nodes.Count != 1)
            {
                return null;
            }

            VertexSpec vertex = schedule.Vertices[nodes[0]];
            if (vertex.Node < 0 || vertex.Group >= 0 || vertex.Stages >= 0 || pipeline.Spec.Nodes[vertex.Node].IsAsync)
            {
                return null;
            }

            int node = vertex.Node;
            string call = Call(pipeline, node);
            // NodeStarting and NodeFinished do nothing when nobody observes; unconditional calls keep the switch's
            // cases to straight-line code (fewer blocks to compile; the optimized code inlines them to a null test).
            return $"NodeStarting({node}); "
                + (pipeline.Spec.Nodes[node].HasOutput ? $"{NodeField(node)} = {call}; " : call + "; ")
                + $"NodeFinished({node}); return default;";
        }

        /// <summary>The node an exception is blamed on before anything in the vertex runs: the node, or a group's first member.</summary>
        private static int FirstNodeOf(Schedule schedule, int vertex)
        {
            VertexSpec spec = schedule.Vertices[vertex];
            return spec.Node >= 0 ? spec.Node
                : spec.Stages >= 0 ? schedule.StageGroups[spec.Stages].Members[0]
                : schedule.FusionGroups[spec.Group].Members[0];
        }

        private static void EmitGroupStep(IndentedWriter writer, CompiledPipeline pipeline, int group)
        {
            EquatableArray<int> members = pipeline.Schedule!.FusionGroups[group].Members;
            writer.Line("if (observed) { " + string.Concat(members.Select(m => $"NodeStarting({m}); ")) + "}");
            writer.Line($"Group{group}(ref at);");
            writer.Line("if (observed) { " + string.Concat(members.Select(m => $"NodeFinished({m}); ")) + "}");
        }

        private static void EmitSegment(IndentedWriter writer, CompiledPipeline pipeline, int unit, int start)
        {
            EquatableArray<int> nodes = pipeline.Schedule!.Units[unit].Nodes;
            int end = System.Math.Min(nodes.Count, start + SegmentLength);
            writer.Line();
            writer.Open($"private global::System.Threading.Tasks.ValueTask {SegmentName(unit, start)}()");
            writer.Line("bool observed = Observed;");
            Schedule schedule = pipeline.Schedule;
            writer.Line($"int at = {FirstNodeOf(schedule, nodes[start])};");
            writer.Open("try");
            for (int position = start; position < end; position++)
            {
                int vertex = nodes[position];
                if (position > start)
                {
                    writer.Line("if (IsStopping) return default;");
                    writer.Line($"at = {FirstNodeOf(schedule, vertex)};");
                }

                if (schedule.Vertices[vertex].Group >= 0)
                {
                    EmitGroupStep(writer, pipeline, schedule.Vertices[vertex].Group);
                    continue;
                }

                if (schedule.Vertices[vertex].Stages >= 0)
                {
                    EmitStagesStep(writer, unit, position, schedule.Vertices[vertex].Stages);
                    continue;
                }

                int node = schedule.Vertices[vertex].Node;
                NodeSpec spec = pipeline.Spec.Nodes[node];

                writer.Line($"if (observed) NodeStarting({node});");
                string call = Call(pipeline, node);
                if (spec.IsAsync)
                {
                    writer.Line($"var pending{node} = {call};");
                    writer.Line($"if (!pending{node}.IsCompletedSuccessfully) return Unit{unit}From{position}(pending{node});");
                    switch (spec.Shape)
                    {
                        case ReturnShape.TaskOfT:
                        case ReturnShape.ValueTaskOfT:
                            writer.Line($"{NodeField(node)} = pending{node}.Result;");
                            break;
                        case ReturnShape.ValueTask:
                            writer.Line($"pending{node}.GetAwaiter().GetResult();");
                            break;
                    }
                }
                else
                {
                    writer.Line(spec.HasOutput ? $"{NodeField(node)} = {call};" : call + ";");
                }

                writer.Line($"if (observed) NodeFinished({node});");
            }

            writer.Close();
            writer.Open("catch (global::System.Exception exception)");
            writer.Line("Fail(at, exception);");
            writer.Line("return default;");
            writer.Close();
            if (end < nodes.Count)
            {
                writer.Line("if (IsStopping) return default;");
                writer.Line($"return {SegmentName(unit, end)}();");
            }
            else
            {
                writer.Line("return default;");
            }

            writer.Close();
        }

        private static void EmitResume(IndentedWriter writer, CompiledPipeline pipeline, int unit, int from)
        {
            EquatableArray<int> nodes = pipeline.Schedule!.Units[unit].Nodes;
            int segmentEnd = System.Math.Min(nodes.Count, ((from / SegmentLength) + 1) * SegmentLength);
            Schedule schedule = pipeline.Schedule;
            int first = schedule.Vertices[nodes[from]].Node;
            bool stages = first < 0;
            writer.Line();
            writer.Open($"private async global::System.Threading.Tasks.ValueTask Unit{unit}From{from}({(stages ? "global::System.Threading.Tasks.ValueTask" : pipeline.Spec.Nodes[first].ReturnType)} pending)");
            writer.Line("bool observed = Observed;");
            writer.Line($"int at = {FirstNodeOf(schedule, nodes[from])};");
            writer.Open("try");
            writer.Line(!stages && pipeline.Spec.Nodes[first].HasOutput
                ? $"{NodeField(first)} = await pending.ConfigureAwait(false);"
                : "await pending.ConfigureAwait(false);");
            if (!stages)
            {
                writer.Line($"if (observed) NodeFinished({first});");
            }

            for (int position = from + 1; position < segmentEnd; position++)
            {
                int vertex = nodes[position];
                writer.Line("if (IsStopping) return;");
                writer.Line($"at = {FirstNodeOf(schedule, vertex)};");
                if (schedule.Vertices[vertex].Group >= 0)
                {
                    EmitGroupStep(writer, pipeline, schedule.Vertices[vertex].Group);
                    continue;
                }

                if (schedule.Vertices[vertex].Stages >= 0)
                {
                    writer.Line($"await Stages{schedule.Vertices[vertex].Stages}().ConfigureAwait(false);");
                    continue;
                }

                int node = schedule.Vertices[vertex].Node;
                NodeSpec spec = pipeline.Spec.Nodes[node];
                writer.Line($"if (observed) NodeStarting({node});");
                string call = spec.IsAsync ? $"await {Call(pipeline, node)}.ConfigureAwait(false)" : Call(pipeline, node);
                writer.Line(spec.HasOutput ? $"{NodeField(node)} = {call};" : call + ";");
                writer.Line($"if (observed) NodeFinished({node});");
            }

            writer.Close();
            writer.Open("catch (global::System.Exception exception)");
            writer.Line("Fail(at, exception);");
            writer.Line("return;");
            writer.Close();
            if (segmentEnd < nodes.Count)
            {
                writer.Line("if (IsStopping) return;");
                writer.Line($"await {SegmentName(unit, segmentEnd)}().ConfigureAwait(false);");
            }

            writer.Close();
        }

        private static string SegmentName(int unit, int start) => start == 0 ? $"Unit{unit}" : $"Unit{unit}At{start}";

        private static string Call(CompiledPipeline pipeline, int node)
        {
            NodeSpec spec = pipeline.Spec.Nodes[node];
            var arguments = spec.Parameters.Select(p => p.Role switch
            {
                ParameterRole.Node => NodeField(p.Producer),
                ParameterRole.Cancellation => "Token",
                _ => InputField(p.Name),
            });
            return $"{ClassReference(pipeline.Spec)}.{Identifier(spec.Name)}({string.Join(", ", arguments)})";
        }

        private static string ClassReference(PipelineSpec spec)
        {
            string outer = string.Concat(spec.ContainingTypes.Select(t => t.Split(' ').Last() + "."));
            string prefix = spec.Namespace is null ? "global::" : "global::" + spec.Namespace + ".";
            return prefix + outer + Identifier(spec.Name) + spec.TypeParameters;
        }
    }
}
