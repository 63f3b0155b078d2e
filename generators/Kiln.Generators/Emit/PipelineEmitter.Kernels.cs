using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln.Model;

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

        private static void EmitGroup(IndentedWriter writer, CompiledPipeline pipeline, int group)
        {
            PipelineSpec spec = pipeline.Spec;
            FusionGroupSpec fusion = pipeline.Schedule!.FusionGroups[group];
            var members = fusion.Members.ToList();
            var inGroup = new HashSet<int>(members);
            List<(int Member, ParameterSpec Parameter)> external = ExternalStreams(spec, members, inGroup);

            writer.Line();
            writer.Line($"// Fusion group {Literal(fusion.Name)}.");
            writer.Open($"private void Group{group}(ref int at)");
            EmitLength(writer, spec, members, external);
            foreach (int member in members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Kernel))
            {
                writer.Line($"{LengthField(member)} = length;");
            }

            bool device = HasDeviceCode(pipeline, group);
            if (device)
            {
                writer.Line($"if (Device is {{ }} device) {{ Group{group}Device(device, length, ref at); return; }}");
            }

            writer.Open("if (!Options.Fusion)");
            foreach (int member in members)
            {
                EmitLaunch(writer, spec, $"Member{member}Block", new[] { member }, new[] { member });
            }

            writer.Line("return;");
            writer.Close();
            EmitLaunch(writer, spec, $"Group{group}Block", members, fusion.Materialized);
            writer.Close();

            EmitBlock(writer, pipeline, $"Group{group}Block", members, inGroup, new HashSet<int>(fusion.Materialized));
            foreach (int member in members)
            {
                EmitBlock(writer, pipeline, $"Member{member}Block", new[] { member }, new HashSet<int>(), new HashSet<int> { member });
            }

            if (device)
            {
                EmitDeviceGroup(writer, pipeline, group);
            }
        }

        // A kernel's stream may live only on the device, so its length has a field of its own.
        private static string StreamLength(PipelineSpec spec, int producer) =>
            spec.Nodes[producer].Kind == NodeKindSpec.Kernel ? LengthField(producer) : NodeField(producer) + ".Length";

        private static string LengthField(int node) => "__n" + node;

        // Streams the group reads from outside (task arrays, other groups' outputs), element by element.
        private static List<(int Member, ParameterSpec Parameter)> ExternalStreams(PipelineSpec spec, IReadOnlyList<int> members, HashSet<int> inGroup)
        {
            var external = new List<(int, ParameterSpec)>();
            foreach (int member in members)
            {
                foreach (ParameterSpec parameter in spec.Nodes[member].Parameters)
                {
                    if (IsStreamRead(parameter) && !inGroup.Contains(parameter.Producer))
                    {
                        external.Add((member, parameter));
                    }
                }
            }

            return external;
        }

        private static bool IsStreamRead(ParameterSpec parameter) =>
            parameter.Role == ParameterRole.Node && parameter.ProducerIsStream && !parameter.IsGather;

        private static void EmitLength(IndentedWriter writer, PipelineSpec spec, List<int> members, List<(int Member, ParameterSpec Parameter)> external)
        {
            if (external.Count == 0)
            {
                // Only gathers: the first gathered stream gives the length.
                ParameterSpec gather = members.SelectMany(m => spec.Nodes[m].Parameters).First(p => p.IsGather && p.Role == ParameterRole.Node);
                writer.Line($"int length = {StreamLength(spec, gather.Producer)};");
                return;
            }

            var (_, reference) = external[0];
            writer.Line($"int length = {StreamLength(spec, reference.Producer)};");
            foreach (var (member, parameter) in external.Skip(1))
            {
                writer.Line($"at = {member};");
                writer.Line($"{Loop}.CheckLength({Literal(spec.Nodes[member].Name)}, {Literal(parameter.Name)}, {StreamLength(spec, parameter.Producer)}, {Literal(reference.Name)}, length);");
            }

            writer.Line($"at = {members[0]};");
        }

        // Allocates what the block writes, runs the blocks, and folds reductions.
        private static void EmitLaunch(IndentedWriter writer, PipelineSpec spec, string block, IReadOnlyList<int> members, IReadOnlyList<int> written)
        {
            foreach (int member in written)
            {
                NodeSpec node = spec.Nodes[member];
                if (node.Kind == NodeKindSpec.Kernel)
                {
                    writer.Line($"{NodeField(member)} = global::System.GC.AllocateUninitializedArray<{node.ElementType}>(length);");
                }
                else if (members.Contains(member))
                {
                    writer.Line($"{PartialsField(member)} = new {node.ElementType}[{Loop}.BlockCount(length)];");
                }
            }

            writer.Line($"{Loop}.For(this, length, Options.MaxDegreeOfParallelism, Token, static (run, start, end, block) => run.{block}(start, end, block));");
            foreach (int member in written)
            {
                NodeSpec node = spec.Nodes[member];
                if (node.Kind == NodeKindSpec.Reduce)
                {
                    writer.Line($"{NodeField(member)} = {FoldPartials(spec, member, PartialsField(member))};");
                    writer.Line($"{PartialsField(member)} = null!;");
                }
            }
        }

        private static void EmitBlock(IndentedWriter writer, CompiledPipeline pipeline, string name, IReadOnlyList<int> members, HashSet<int> local, HashSet<int> written)
        {
            PipelineSpec spec = pipeline.Spec;
            writer.Line();
            writer.Line(HotMethod);
            writer.Open($"private void {name}(int start, int end, int block)");

            // Everything the loop reads that is not an element becomes a local first, so the JIT keeps it in registers.
            var declared = new HashSet<string>();
            foreach (int member in members)
            {
                foreach (ParameterSpec parameter in spec.Nodes[member].Parameters)
                {
                    string? declaration = parameter.Role switch
                    {
                        ParameterRole.Node when IsStreamRead(parameter) && !local.Contains(parameter.Producer) =>
                            $"ref {parameter.Type} {StreamRef(parameter.Producer)} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({NodeField(parameter.Producer)});",
                        ParameterRole.Node when parameter.IsGather =>
                            $"var {GatherLocal(parameter.Producer)} = new {parameter.Type}({NodeField(parameter.Producer)});",
                        ParameterRole.Node when !parameter.ProducerIsStream =>
                            $"var {UniformLocal(parameter.Producer)} = {NodeField(parameter.Producer)};",
                        ParameterRole.Input => $"var {InputLocal(parameter.Name)} = {InputField(parameter.Name)};",
                        _ => null,
                    };
                    if (declaration is not null && declared.Add(declaration))
                    {
                        writer.Line(declaration);
                    }
                }
            }

            foreach (int member in members.Where(m => written.Contains(m) && spec.Nodes[m].Kind == NodeKindSpec.Kernel))
            {
                writer.Line($"ref {spec.Nodes[member].ElementType} {OutputRef(member)} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({NodeField(member)});");
            }

            foreach (int member in members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Reduce))
            {
                writer.Line($"{spec.Nodes[member].ElementType} {Accumulator(member)} = {Identity(spec.Nodes[member])};");
            }

            // A Vector<T> loop first where every member allows it (PipelineEmitter.Vector.cs); it leaves i at the scalar tail.
            bool vectorized = TryEmitVectorLoop(writer, spec, members, local, written);
            writer.Open(vectorized ? "for (; i < end; i++)" : "for (int i = start; i < end; i++)");
            foreach (int member in members)
            {
                NodeSpec node = spec.Nodes[member];
                IEnumerable<string> arguments = node.Parameters.Select(p => Argument(spec, p, local, member));
                string call = $"{ClassReference(spec)}.{Identifier(node.Name)}({string.Join(", ", arguments)})";
                if (node.Kind == NodeKindSpec.Reduce)
                {
                    writer.Line($"{Accumulator(member)} = {call};");
                    continue;
                }

                writer.Line($"{node.ElementType} {ElementLocal(member)} = {call};");
                if (written.Contains(member))
                {
                    writer.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {OutputRef(member)}, i) = {ElementLocal(member)};");
                }
            }

            writer.Close();
            foreach (int member in members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Reduce))
            {
                writer.Line($"{PartialsField(member)}[block] = {Accumulator(member)};");
            }

            writer.Close();
        }

        private static string Argument(PipelineSpec spec, ParameterSpec parameter, HashSet<int> local, int member) => parameter.Role switch
        {
            ParameterRole.Index => "i",
            ParameterRole.Accumulator => Accumulator(member),
            ParameterRole.Input => InputLocal(parameter.Name),
            ParameterRole.Node when IsStreamRead(parameter) && local.Contains(parameter.Producer) => ElementLocal(parameter.Producer),
            ParameterRole.Node when IsStreamRead(parameter) => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {StreamRef(parameter.Producer)}, i)",
            ParameterRole.Node when parameter.IsGather => GatherLocal(parameter.Producer),
            ParameterRole.Node => UniformLocal(parameter.Producer),
            _ => "default",
        };

        /// <summary>A reduction's value from its per-block (CPU) or per-work-group (device) partials, folded in the fixed tree.</summary>
        private static string FoldPartials(PipelineSpec spec, int reduction, string partials) =>
            $"{Loop}.Combine({partials}, {Identity(spec.Nodes[reduction])}, static (a, b) => {ClassReference(spec)}.{Identifier(spec.Nodes[reduction].Name)}(a, b))";

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

        private static string PartialsField(int node) => "__p" + node;

        private static string StreamRef(int producer) => "stream" + producer;

        private static string OutputRef(int member) => "output" + member;

        private static string GatherLocal(int producer) => "gather" + producer;

        private static string UniformLocal(int producer) => "uniform" + producer;

        private static string InputLocal(string name) => "input_" + name;

        private static string ElementLocal(int member) => "element" + member;

        private static string Accumulator(int member) => "accumulator" + member;
    }
}
