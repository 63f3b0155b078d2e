using System.Collections.Generic;
using System.Linq;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

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
        private static void EmitUnit(IndentedWriter writer, LoweredPlan plan, int unit, HashSet<int> locals)
        {
            if (InlineUnit(plan, unit) is not null)
            {
                return;
            }

            Schedule schedule = plan.Schedule!;
            EquatableArray<int> vertices = schedule.Executor.Units[unit].Vertices;
            for (int start = 0; start < vertices.Count; start += SegmentLength)
            {
                EmitSegment(writer, plan, unit, start, locals);
            }

            for (int position = 0; position < vertices.Count; position++)
            {
                Vertex vertex = schedule.Vertices[vertices[position]];
                if (vertex is StageVertex || (vertex is TaskVertex task && plan.Invocations[task.Node].IsAsync))
                {
                    EmitResume(writer, plan, unit, position);
                }
            }
        }

        // Units per dispatch method: one switch over thousands of units would be one huge method for the JIT to
        // compile on the first run; switches of this size compile fast and each tiers up on its own.
        private const int DispatchChunk = 64;

        // ExecuteUnit: a switch over the units, in chunks of DispatchChunk when there are more.
        private static void EmitExecuteUnit(IndentedWriter writer, LoweredPlan plan)
        {
            const string ExecuteUnit = "protected override global::System.Threading.Tasks.ValueTask ExecuteUnit(int unit)";
            int units = plan.Schedule!.Executor.Units.Count;
            if (units <= DispatchChunk)
            {
                EmitDispatch(writer, plan, ExecuteUnit, 0, units);
                return;
            }

            using (writer.Block(ExecuteUnit))
            using (writer.Block($"switch (unit / {DispatchChunk})"))
            {
                for (int chunk = 0; chunk * DispatchChunk < units; chunk++)
                {
                    writer.Line($"case {chunk}: return {DispatchName(chunk * DispatchChunk)}(unit);");
                }

                writer.Line("default: return default;");
            }

            for (int start = 0; start < units; start += DispatchChunk)
            {
                writer.Line();
                string signature = $"private global::System.Threading.Tasks.ValueTask {DispatchName(start)}(int unit)";
                EmitDispatch(writer, plan, signature, start, System.Math.Min(units, start + DispatchChunk));
            }
        }

        private static void EmitDispatch(IndentedWriter writer, LoweredPlan plan, string signature, int start, int end)
        {
            if (end > start && Enumerable.Range(start, end - start).All(u => PlainUnitCall(plan, u) is not null))
            {
                EmitPlainDispatch(writer, plan, signature, start, end);
                return;
            }

            using (writer.Block(signature))
            using (writer.Block("switch (unit)"))
            {
                for (int u = start; u < end; u++)
                {
                    writer.Line($"case {u}: {InlineUnit(plan, u) ?? $"return {SegmentName(u, 0)}();"}");
                }

                writer.Line("default: return default;");
            }
        }

        // A switch whose every unit is one synchronous task that no condition skips: each case is the call alone, and the
        // start and finish reports are written once around the switch. A wide fan-out compiles this on its first run,
        // and a case of one call compiles several times faster than one of three (docs/design.md, "Cold start").
        private static void EmitPlainDispatch(IndentedWriter writer, LoweredPlan plan, string signature, int start, int end)
        {
            using (writer.Block(signature))
            {
                writer.Line("int first = s_firstNodes[unit];");
                writer.Line("NodeStarting(first);");
                using (writer.Block("switch (unit)"))
                {
                    for (int u = start; u < end; u++)
                    {
                        writer.Line($"case {u}: {PlainUnitCall(plan, u)} break;");
                    }

                    writer.Line("default: return default;");
                }

                writer.Line("NodeFinished(first);");
                writer.Line("return default;");
            }
        }

        // The statement of a unit that is one synchronous task with no condition; null for any other unit.
        private static string? PlainUnitCall(LoweredPlan plan, int unit)
        {
            Schedule schedule = plan.Schedule!;
            EquatableArray<int> vertices = schedule.Executor.Units[unit].Vertices;
            if (IsDurable(plan) || vertices.Count != 1 || schedule.Vertices[vertices[0]] is not TaskVertex task
                || plan.Invocations[task.Node].IsAsync || InlineSkip(plan, task).Length != 0)
            {
                return null;
            }

            return SyncTaskStatement(plan, plan.Invocations[task.Node]);
        }

        /// <summary>
        /// The body of a unit that is one synchronous task, written into <c>ExecuteUnit</c>'s switch instead of a method
        /// of its own; null for other units. A wide graph would otherwise be a thousand small methods, each compiled on
        /// the first run (docs/design.md, "Cold start"). What it throws reaches the executor, which blames the unit's
        /// first node: this node.
        /// </summary>
        private static string? InlineUnit(LoweredPlan plan, int unit)
        {
            // A durable pipeline's units need their bypass gate and checkpoint writes (PipelineEmitter.Durable.cs).
            Schedule schedule = plan.Schedule!;
            EquatableArray<int> vertices = schedule.Executor.Units[unit].Vertices;
            if (IsDurable(plan) || vertices.Count != 1 || schedule.Vertices[vertices[0]] is not TaskVertex task || plan.Invocations[task.Node].IsAsync)
            {
                return null;
            }

            // NodeStarting and NodeFinished do nothing when nobody observes; unconditional calls keep the switch's
            // cases to straight-line code (fewer blocks to compile; the optimized code inlines them to a null test).
            int node = task.Node;
            return $"{InlineSkip(plan, task)}NodeStarting({node}); {SyncTaskStatement(plan, plan.Invocations[node])} NodeFinished({node}); return default;";
        }

        private static void EmitSegment(IndentedWriter writer, LoweredPlan plan, int unit, int start, HashSet<int> locals)
        {
            Schedule schedule = plan.Schedule!;
            EquatableArray<int> vertices = schedule.Executor.Units[unit].Vertices;
            int end = System.Math.Min(vertices.Count, start + SegmentLength);
            EmitSegmentVariant(writer, plan, unit, start, end, observed: false, locals);
            EmitSegmentVariant(writer, plan, unit, start, end, observed: true, locals);
        }

        // A segment is written twice. The plain variant, the one callers call, has every observation statement compiled
        // out (`observed` is a constant false) and hands an observed run to the other variant: a run nobody observes
        // compiles half the code on its first run, and the observed variant is compiled only if some run is observed.
        private static void EmitSegmentVariant(IndentedWriter writer, LoweredPlan plan, int unit, int start, int end, bool observed, HashSet<int> locals)
        {
            Schedule schedule = plan.Schedule!;
            EquatableArray<int> vertices = schedule.Executor.Units[unit].Vertices;
            writer.Line();
            string name = observed ? ObservedSegmentName(unit, start) : SegmentName(unit, start);
            using (writer.Block($"private global::System.Threading.Tasks.ValueTask {name}()"))
            {
                if (!observed)
                {
                    writer.Line($"if (Observed) return {ObservedSegmentName(unit, start)}();");
                }

                writer.Line(observed ? "const bool observed = true;" : "const bool observed = false;");
                writer.Line($"int at = {schedule.Vertices[vertices[start]].FirstNode};");
                using (writer.Block("try"))
                {
                    for (int position = start; position < end; position++)
                    {
                        EmitVertexStep(writer, plan, unit, position, first: position == start, awaiting: false, locals);
                    }
                }

                EmitFailHandler(writer, "return default;");
                if (end < vertices.Count)
                {
                    writer.Line("if (IsStopping) return default;");
                    writer.Line($"return {SegmentName(unit, end)}();");
                }
                else
                {
                    writer.Line("return default;");
                }

                // The stop test before each vertex but the first jumps here: one exit instead of a `return default` per
                // node, which the JIT compiles on the first run as a block of its own (docs/design.md, "Cold start").
                if (end - start > 1)
                {
                    writer.Line($"{StoppedLabel}:");
                    writer.Line("return default;");
                }
            }
        }

        private const string StoppedLabel = "stopped";

        /// <summary>
        /// The slots that live in a local of a unit segment's method instead of the run's fields: the output of a plain
        /// synchronous task that only later plain synchronous tasks of the same segment read. A chain's segment then
        /// compiles without a field load and store per node on the first run (docs/design.md, "Cold start"). Anything that
        /// might read a value another way keeps the field: a segment with an awaited or stage vertex (its resume method
        /// reads fields), durable and distributed pipelines (checkpoints and remote hosts read slots), results,
        /// conditions, skippable nodes and gated calls. Each slot in the set belongs to exactly one segment, its
        /// producer's; the run declares no field for it.
        /// </summary>
        private static HashSet<int> SegmentLocals(LoweredPlan plan)
        {
            var locals = new HashSet<int>();
            if (!plan.IsValid || IsDurable(plan) || plan.Invocations.Any(i => i.Policy.Distributed))
            {
                return locals;
            }

            // Every reader of every producer, once.
            var readers = new Dictionary<int, List<Invocation>>();
            foreach (Invocation reader in plan.Invocations)
            {
                foreach (int producer in reader.Arguments.Where(a => a.Producer >= 0).Select(a => a.Producer).Distinct())
                {
                    if (!readers.TryGetValue(producer, out List<Invocation>? list))
                    {
                        readers[producer] = list = new List<Invocation>();
                    }

                    list.Add(reader);
                }
            }

            // What is read some other way: a condition's value, a result.
            var keep = new HashSet<int>(plan.Invocations.Select(i => i.Policy.Condition).Where(c => c >= 0));
            keep.UnionWith(plan.Pipeline.Bound.Sinks);
            foreach (UnitSpec unit in plan.Schedule!.Executor.Units)
            {
                // A unit of one vertex (written inline into the dispatch switch, or alone in its segment) has no reader after it.
                for (int start = 0; unit.Vertices.Count > 1 && start < unit.Vertices.Count; start += SegmentLength)
                {
                    AddSegmentLocals(plan, unit.Vertices, start, System.Math.Min(unit.Vertices.Count, start + SegmentLength), readers, keep, locals);
                }
            }

            return locals;
        }

        private static void AddSegmentLocals(
            LoweredPlan plan, EquatableArray<int> vertices, int start, int end, Dictionary<int, List<Invocation>> readers, HashSet<int> keep, HashSet<int> locals)
        {
            Schedule schedule = plan.Schedule!;
            var positions = new Dictionary<int, int>();
            for (int position = start; position < end; position++)
            {
                Vertex vertex = schedule.Vertices[vertices[position]];
                if (vertex is StageVertex || (vertex is TaskVertex awaited && plan.Invocations[awaited.Node].IsAsync))
                {
                    // An awaited task or a stage hands the rest of the segment to a resume method, which reads fields.
                    return;
                }

                if (vertex is TaskVertex task && IsPlainSyncTask(plan, task))
                {
                    positions[task.Node] = position;
                }
            }

            foreach (KeyValuePair<int, int> producer in positions)
            {
                int node = producer.Key;
                Invocation invocation = plan.Invocations[node];
                if (!invocation.HasOutput || invocation.Slot != node || plan.Slots[node] is not { DeviceResident: false }
                    || keep.Contains(node) || CanSkip(plan, node)
                    || !readers.TryGetValue(node, out List<Invocation>? nodeReaders))
                {
                    continue;
                }

                if (nodeReaders.All(reader => positions.TryGetValue(reader.Node, out int at) && at > producer.Value
                    && reader.Arguments.All(a => a.Producer != node || a.Source == ArgumentSource.ProducerValue)))
                {
                    locals.Add(node);
                }
            }
        }

        // A synchronous task called as it is: no wrapper, no skip test before it.
        private static bool IsPlainSyncTask(LoweredPlan plan, TaskVertex task)
        {
            Invocation invocation = plan.Invocations[task.Node];
            return !invocation.IsAsync && invocation.Wrapped is null && InlineSkip(plan, task).Length == 0;
        }

        private static void EmitResume(IndentedWriter writer, LoweredPlan plan, int unit, int from)
        {
            Schedule schedule = plan.Schedule!;
            EquatableArray<int> vertices = schedule.Executor.Units[unit].Vertices;
            int segmentEnd = System.Math.Min(vertices.Count, ((from / SegmentLength) + 1) * SegmentLength);
            Vertex resumed = schedule.Vertices[vertices[from]];
            Invocation? task = resumed is TaskVertex t ? plan.Invocations[t.Node] : null;
            writer.Line();
            string pending = task is null ? "global::System.Threading.Tasks.ValueTask" : task.ReturnType;
            using (writer.Block($"private async global::System.Threading.Tasks.ValueTask {ResumeName(unit, from)}({pending} pending)"))
            {
                writer.Line("bool observed = Observed;");
                writer.Line($"int at = {resumed.FirstNode};");
                using (writer.Block("try"))
                {
                    writer.Line(task is { HasOutput: true }
                        ? $"{NodeField(task.Slot)} = await pending.ConfigureAwait(false);"
                        : "await pending.ConfigureAwait(false);");
                    if (resumed is StageVertex stages)
                    {
                        EmitStageCheckpoints(writer, plan, stages);
                    }

                    if (task is not null)
                    {
                        if (CheckpointStatement(plan, task) is { } checkpoint)
                        {
                            writer.Line(checkpoint);
                        }

                        writer.Line($"if (observed) NodeFinished({task.Node});");
                    }

                    for (int position = from + 1; position < segmentEnd; position++)
                    {
                        EmitVertexStep(writer, plan, unit, position, first: false, awaiting: true);
                    }
                }

                EmitFailHandler(writer, "return;");
                if (segmentEnd < vertices.Count)
                {
                    writer.Line("if (IsStopping) return;");
                    writer.Line($"await {SegmentName(unit, segmentEnd)}().ConfigureAwait(false);");
                }
            }
        }

        /// <summary>
        /// One vertex of a unit. In a segment (<paramref name="awaiting"/> false) an unfinished task hands the rest of
        /// the chain to its resume method; in a resume method everything is awaited in place.
        /// </summary>
        private static void EmitVertexStep(IndentedWriter writer, LoweredPlan plan, int unit, int position, bool first, bool awaiting, HashSet<int>? locals = null)
        {
            Schedule schedule = plan.Schedule!;
            Vertex vertex = schedule.Vertices[schedule.Executor.Units[unit].Vertices[position]];
            if (!first)
            {
                writer.Line(awaiting ? "if (IsStopping) return;" : $"if (IsStopping) goto {StoppedLabel};");
                writer.Line($"at = {vertex.FirstNode};");
            }

            bool bypassable = OpenBypassGate(writer, plan, vertex);
            bool gated = OpenSkipGate(writer, plan, vertex);
            switch (vertex)
            {
                case FusionVertex fusion:
                    writer.Line("if (observed) { " + string.Concat(fusion.Nodes.Select(m => $"NodeStarting({m}); ")) + "}");
                    writer.Line($"{GroupMethod(fusion.Group)}(ref at);");
                    writer.Line("if (observed) { " + string.Concat(fusion.Nodes.Select(m => $"NodeFinished({m}); ")) + "}");
                    break;
                case StageVertex stages when awaiting:
                    writer.Line($"await {StagesMethod(stages.Group)}().ConfigureAwait(false);");
                    EmitStageCheckpoints(writer, plan, stages);
                    break;
                case StageVertex stages:
                    string pendingStages = $"pendingStages{stages.Group}";
                    writer.Line($"var {pendingStages} = {StagesMethod(stages.Group)}();");
                    writer.Line($"if (!{pendingStages}.IsCompletedSuccessfully) return {ResumeName(unit, position)}({pendingStages});");
                    writer.Line($"{pendingStages}.GetAwaiter().GetResult();");
                    EmitStageCheckpoints(writer, plan, stages);
                    break;
                case TaskVertex task:
                    EmitTaskCall(writer, plan, plan.Invocations[task.Node], awaiting ? null : ResumeName(unit, position), locals);
                    break;
            }

            if (gated)
            {
                writer.Close();
            }

            if (bypassable)
            {
                writer.Close();
            }
        }

        /// <summary>
        /// The one place a task's call is written, observed and stored. <paramref name="resume"/> names the method an
        /// unfinished task is handed to; null means the caller is asynchronous and awaits it in place.
        /// </summary>
        private static void EmitTaskCall(IndentedWriter writer, LoweredPlan plan, Invocation invocation, string? resume, HashSet<int>? locals = null)
        {
            int node = invocation.Node;
            string call = CallExpression(plan, invocation, FieldArgument);
            writer.Line($"if (observed) NodeStarting({node});");
            if (invocation.IsAsync && resume is not null)
            {
                writer.Line($"var pending{node} = {call};");
                writer.Line($"if (!pending{node}.IsCompletedSuccessfully) return {resume}(pending{node});");
                switch (invocation.Shape)
                {
                    case ReturnShape.TaskOfT when invocation.HasOutput:
                    case ReturnShape.ValueTaskOfT when invocation.HasOutput:
                        writer.Line($"{NodeField(invocation.Slot)} = pending{node}.Result;");
                        break;
                    case ReturnShape.ValueTask:
                    case ReturnShape.ValueTaskOfT: // a wrapped call without output (PipelineEmitter.Maps.cs)
                        writer.Line($"pending{node}.GetAwaiter().GetResult();");
                        break;
                }
            }
            else if (invocation.IsAsync)
            {
                string value = $"await {call}.ConfigureAwait(false)";
                writer.Line(invocation.HasOutput ? $"{NodeField(invocation.Slot)} = {value};" : value + ";");
            }
            else
            {
                writer.Line(SyncTaskStatement(plan, invocation, locals));
            }

            if (CheckpointStatement(plan, invocation) is { } checkpoint)
            {
                writer.Line(checkpoint);
            }

            writer.Line($"if (observed) NodeFinished({node});");
        }

        /// <summary>
        /// A synchronous task's call as one statement, its output stored in its slot, or in a local of the segment when
        /// <paramref name="locals"/> holds the slot (then readers in <paramref name="locals"/> read the local).
        /// </summary>
        private static string SyncTaskStatement(LoweredPlan plan, Invocation invocation, HashSet<int>? locals = null)
        {
            string call = CallExpression(plan, invocation, a =>
                a.Source == ArgumentSource.ProducerValue && locals is not null && locals.Contains(a.Producer) ? SegmentLocal(a.Producer) : FieldArgument(a));
            if (!invocation.HasOutput)
            {
                return call + ";";
            }

            return locals is not null && locals.Contains(invocation.Slot)
                ? $"{plan.Slots[invocation.Slot]!.Type} {SegmentLocal(invocation.Slot)} = {call};"
                : $"{NodeField(invocation.Slot)} = {call};";
        }

        private static void EmitFailHandler(IndentedWriter writer, string exit)
        {
            using (writer.Block("catch (global::System.Exception exception)"))
            {
                writer.Line("Fail(at, exception);");
                writer.Line(exit);
            }
        }
    }
}
