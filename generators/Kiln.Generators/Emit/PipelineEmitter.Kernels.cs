using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // The CPU backend: a fusion group is one loop over fixed blocks of elements. Each member is the user's own
    // method called per element (the JIT inlines it), so the CPU computes exactly what C# computes; only the
    // members something outside the group reads are written to memory.
    internal static partial class PipelineEmitter
    {
        private const string Loop = "global::Kiln.Execution.KernelLoop";

        // A block method runs a loop over thousands of elements: compiled optimized on its first call, it does not
        // spend the first runs in tier-0 code and on-stack replacement (docs/design.md, "Cold start").
        private const string HotMethod =
            "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        private static void EmitGroup(IndentedWriter writer, LoweredPlan plan, KernelLaunch launch)
        {
            PipelineSpec spec = plan.Spec;
            int group = launch.Group;
            writer.Line();
            writer.Line($"// Fusion group {Literal(launch.Name)}.");
            using (writer.Block($"private void {GroupMethod(group)}(ref int at)"))
            {
                EmitLength(writer, spec, launch);
                foreach (int member in launch.Members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Kernel))
                {
                    writer.Line($"{LengthField(member)} = length;");
                }

                if (launch.HasDeviceCode)
                {
                    writer.Line($"if (Device is {{ }} device) {{ {GroupDeviceMethod(group)}(device, length, ref at); return; }}");
                }

                using (writer.Block("if (!Options.Fusion)"))
                {
                    for (int m = 0; m < launch.Members.Count; m++)
                    {
                        EmitLaunch(writer, spec, MemberBlock(launch.Members[m]), launch.Alone[m]);
                    }

                    writer.Line("return;");
                }

                EmitLaunch(writer, spec, GroupBlock(group), launch.Whole);
            }

            EmitBlock(writer, plan, GroupBlock(group), launch.Whole);
            for (int m = 0; m < launch.Members.Count; m++)
            {
                EmitBlock(writer, plan, MemberBlock(launch.Members[m]), launch.Alone[m]);
            }

            if (launch.HasDeviceCode)
            {
                EmitDeviceGroup(writer, plan, launch);
            }
        }

        // A kernel's stream may live only on the device, so its length has a field of its own.
        private static string StreamLength(PipelineSpec spec, int producer) =>
            spec.Nodes[producer].Kind == NodeKindSpec.Kernel ? LengthField(producer) : NodeField(producer) + ".Length";

        private static void EmitLength(IndentedWriter writer, PipelineSpec spec, KernelLaunch launch)
        {
            writer.Line($"int length = {StreamLength(spec, launch.LengthFrom)};");
            if (launch.Lengths.Count == 0)
            {
                return;
            }

            LengthCheck reference = launch.Lengths[0];
            foreach (LengthCheck check in launch.Lengths.Skip(1))
            {
                string member = Literal(spec.Nodes[check.Member].Name);
                writer.Line($"at = {check.Member};");
                string checkedLength = StreamLength(spec, check.Producer);
                writer.Line($"{Loop}.CheckLength({member}, {Literal(check.Parameter)}, {checkedLength}, {Literal(reference.Parameter)}, length);");
            }

            writer.Line($"at = {launch.Members[0]};");
        }

        // Allocates what the block writes, runs the blocks, and folds reductions.
        private static void EmitLaunch(IndentedWriter writer, PipelineSpec spec, string block, KernelBlock launch)
        {
            foreach (int member in launch.Written)
            {
                NodeSpec node = spec.Nodes[member];
                if (node.Kind == NodeKindSpec.Kernel)
                {
                    writer.Line($"{NodeField(member)} = global::System.GC.AllocateUninitializedArray<{node.ElementType}>(length);");
                }
                else if (launch.Members.Contains(member))
                {
                    writer.Line($"{PartialsField(member)} = new {node.ElementType}[{Loop}.BlockCount(length)];");
                }
            }

            writer.Line($"{Loop}.For(this, length, Options.MaxDegreeOfParallelism, Token, static (run, start, end, block) => run.{block}(start, end, block));");
            foreach (int member in launch.Written)
            {
                if (spec.Nodes[member].Kind == NodeKindSpec.Reduce)
                {
                    writer.Line($"{NodeField(member)} = {FoldPartials(spec, member, PartialsField(member))};");
                    writer.Line($"{PartialsField(member)} = null!;");
                }
            }
        }

        private static void EmitBlock(IndentedWriter writer, LoweredPlan plan, string name, KernelBlock block)
        {
            PipelineSpec spec = plan.Spec;
            writer.Line();
            writer.Line(HotMethod);
            using (writer.Block($"private void {name}(int start, int end, int block)"))
            {
                // Everything the loop reads that is not an element becomes a local first, so the JIT keeps it in registers.
                var declared = new HashSet<string>();
                foreach (int member in block.Members)
                {
                    foreach (InvocationArgument argument in plan.Invocations[member].Arguments)
                    {
                        string? declaration = argument.Source switch
                        {
                            ArgumentSource.StreamElement when !block.Fused.Contains(argument.Producer) =>
                                $"ref {argument.Type} {StreamRef(argument.Producer)} = ref {ArrayData}({NodeField(argument.Producer)});",
                            ArgumentSource.Gather => $"var {GatherLocal(argument.Producer)} = new {argument.Type}({NodeField(argument.Producer)});",
                            ArgumentSource.Uniform => $"var {UniformLocal(argument.Producer)} = {NodeField(argument.Producer)};",
                            ArgumentSource.Input => $"var {InputLocal(argument.Name)} = {InputField(argument.Name)};",
                            _ => null,
                        };
                        if (declaration is not null && declared.Add(declaration))
                        {
                            writer.Line(declaration);
                        }
                    }
                }

                foreach (int member in block.Members.Where(m => block.Written.Contains(m) && spec.Nodes[m].Kind == NodeKindSpec.Kernel))
                {
                    writer.Line($"ref {spec.Nodes[member].ElementType} {OutputRef(member)} = ref {ArrayData}({NodeField(member)});");
                }

                foreach (int member in block.Members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Reduce))
                {
                    writer.Line($"{spec.Nodes[member].ElementType} {Accumulator(member)} = {Identity(spec.Nodes[member])};");
                }

                // A Vector<T> loop first where every member allows it (PipelineEmitter.Vector.cs); it leaves i at the scalar tail.
                bool vectorized = TryEmitVectorLoop(writer, plan, block);
                using (writer.Block(vectorized ? "for (; i < end; i++)" : "for (int i = start; i < end; i++)"))
                {
                    foreach (int member in block.Members)
                    {
                        Invocation invocation = plan.Invocations[member];
                        string call = CallExpression(plan, invocation, argument => ElementArgument(argument, block, member));
                        if (invocation.Kind == NodeKindSpec.Reduce)
                        {
                            writer.Line($"{Accumulator(member)} = {call};");
                            continue;
                        }

                        writer.Line($"{spec.Nodes[member].ElementType} {ElementLocal(member)} = {call};");
                        if (block.Written.Contains(member))
                        {
                            writer.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {OutputRef(member)}, i) = {ElementLocal(member)};");
                        }
                    }
                }

                foreach (int member in block.Members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Reduce))
                {
                    writer.Line($"{PartialsField(member)}[block] = {Accumulator(member)};");
                }
            }
        }

        private const string ArrayData = "global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference";

        /// <summary>An argument of a member's call inside a block's loop, at element <c>i</c>.</summary>
        private static string ElementArgument(InvocationArgument argument, KernelBlock block, int member) => argument.Source switch
        {
            ArgumentSource.Index => "i",
            ArgumentSource.Accumulator => Accumulator(member),
            ArgumentSource.Input => InputLocal(argument.Name),
            ArgumentSource.StreamElement when block.Fused.Contains(argument.Producer) => ElementLocal(argument.Producer),
            ArgumentSource.StreamElement => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {StreamRef(argument.Producer)}, i)",
            ArgumentSource.Gather => GatherLocal(argument.Producer),
            ArgumentSource.Uniform => UniformLocal(argument.Producer),
            _ => "default",
        };

        /// <summary>A reduction's value from its per-block (CPU) or per-work-group (device) partials, folded in the fixed tree.</summary>
        private static string FoldPartials(PipelineSpec spec, int reduction, string partials) =>
            $"{Loop}.Combine({partials}, {Identity(spec.Nodes[reduction])}, static (a, b) => {Method(spec, reduction)}(a, b))";

        private static string Identity(NodeSpec node)
        {
            double value = node.Identity;
            if (node.ElementType == "bool")
            {
                return value != 0 ? "true" : "false";
            }

            string literal = double.IsNaN(value) ? "double.NaN"
                : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
                : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
                : value.ToString("R", CultureInfo.InvariantCulture) + "d";
            return $"unchecked(({node.ElementType})({literal}))";
        }
    }
}
