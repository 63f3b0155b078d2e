using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // The CPU backend's Vector<T> path: when every member of a block is element-wise arithmetic over one element type,
    // the block runs a Vector<T> loop first and the scalar loop finishes the last (end - start) % Vector<T>.Count
    // elements. Only operations whose Vector<T> form gives the same bits as the scalar C# are translated (IEEE + - * /
    // and sqrt are exact, integers wrap in both, and nothing is fused into an FMA the user did not write); anything else
    // keeps the block scalar. The choice depends only on the members' IR, never on the run's length or the hardware,
    // so a reduction's lane-then-block order, and with it its float result, is fixed for a given machine.
    internal static partial class PipelineEmitter
    {
        private const string VectorClass = "global::System.Numerics.Vector";

        /// <summary>An operation's Vector&lt;T&gt; form: a format over the translated operands ({0}, {1}…; {T} is the element keyword).</summary>
        private sealed class VectorOp
        {
            public VectorOp(string format, params ScalarType[] operands)
            {
                Format = format;
                Operands = operands;
            }

            public string Format { get; }

            /// <summary>The operand types it is exact for; <see cref="ScalarType.Bool"/> stands for a lane mask.</summary>
            public ScalarType[] Operands { get; }
        }

        private static readonly ScalarType[] VectorFloats = { ScalarType.Float, ScalarType.Double };
        private static readonly ScalarType[] VectorIntegers = { ScalarType.Int, ScalarType.UInt, ScalarType.Long, ScalarType.ULong };
        private static readonly ScalarType[] VectorNumbers = VectorFloats.Concat(VectorIntegers).ToArray();
        private static readonly ScalarType[] VectorMasks = { ScalarType.Bool };

        // Integer division and remainder throw on zero and shifts need a uniform count, so they stay scalar.
        private static readonly Dictionary<KBinaryOp, VectorOp> VectorBinaryOps = new()
        {
            [KBinaryOp.Add] = new("({0} + {1})", VectorNumbers),
            [KBinaryOp.Subtract] = new("({0} - {1})", VectorNumbers),
            [KBinaryOp.Multiply] = new("({0} * {1})", VectorNumbers),
            [KBinaryOp.Divide] = new("({0} / {1})", VectorFloats),
            [KBinaryOp.BitAnd] = new("({0} & {1})", VectorIntegers.Concat(VectorMasks).ToArray()),
            [KBinaryOp.BitOr] = new("({0} | {1})", VectorIntegers.Concat(VectorMasks).ToArray()),
            [KBinaryOp.BitXor] = new("({0} ^ {1})", VectorIntegers.Concat(VectorMasks).ToArray()),
            [KBinaryOp.LogicalAnd] = new("({0} & {1})", VectorMasks),
            [KBinaryOp.LogicalOr] = new("({0} | {1})", VectorMasks),
            [KBinaryOp.Equal] = new(VectorClass + ".Equals<{T}>({0}, {1})", VectorNumbers),
            [KBinaryOp.NotEqual] = new("~" + VectorClass + ".Equals<{T}>({0}, {1})", VectorNumbers),
            [KBinaryOp.Less] = new(VectorClass + ".LessThan<{T}>({0}, {1})", VectorNumbers),
            [KBinaryOp.LessOrEqual] = new(VectorClass + ".LessThanOrEqual<{T}>({0}, {1})", VectorNumbers),
            [KBinaryOp.Greater] = new(VectorClass + ".GreaterThan<{T}>({0}, {1})", VectorNumbers),
            [KBinaryOp.GreaterOrEqual] = new(VectorClass + ".GreaterThanOrEqual<{T}>({0}, {1})", VectorNumbers),
        };

        // Float negation flips the sign bit (-0 from +0) in both forms.
        private static readonly Dictionary<KUnaryOp, VectorOp> VectorUnaryOps = new()
        {
            [KUnaryOp.Negate] = new("(-{0})", VectorNumbers),
            [KUnaryOp.BitNot] = new("(~{0})", VectorIntegers),
            [KUnaryOp.LogicalNot] = new("(~{0})", VectorMasks),
        };

        // Since .NET 9, Vector.Min/Max propagate NaN and order -0 below +0 exactly as Math.Min/Max do. Integer Math.Abs
        // throws for MinValue, so only the float overloads map.
        private static readonly Dictionary<string, VectorOp> VectorMathCalls = new()
        {
            ["MathF.Sqrt"] = new(VectorClass + ".SquareRoot({0})", ScalarType.Float),
            ["Math.Sqrt"] = new(VectorClass + ".SquareRoot({0})", ScalarType.Double),
            ["MathF.Abs"] = new(VectorClass + ".Abs({0})", ScalarType.Float),
            ["Math.Abs"] = new(VectorClass + ".Abs({0})", VectorFloats),
            ["MathF.Min"] = new(VectorClass + ".Min({0}, {1})", ScalarType.Float),
            ["Math.Min"] = new(VectorClass + ".Min({0}, {1})", VectorNumbers),
            ["MathF.Max"] = new(VectorClass + ".Max({0}, {1})", ScalarType.Float),
            ["Math.Max"] = new(VectorClass + ".Max({0}, {1})", VectorNumbers),
            ["MathF.Floor"] = new(VectorClass + ".Floor({0})", ScalarType.Float),
            ["Math.Floor"] = new(VectorClass + ".Floor({0})", ScalarType.Double),
            ["MathF.Ceiling"] = new(VectorClass + ".Ceiling({0})", ScalarType.Float),
            ["Math.Ceiling"] = new(VectorClass + ".Ceiling({0})", ScalarType.Double),
            ["float.IsNaN"] = new("~" + VectorClass + ".Equals<{T}>({0}, {0})", ScalarType.Float),
            ["double.IsNaN"] = new("~" + VectorClass + ".Equals<{T}>({0}, {0})", ScalarType.Double),
            ["MathF.FusedMultiplyAdd"] = new(VectorClass + ".FusedMultiplyAdd({0}, {1}, {2})", ScalarType.Float),
            ["Math.FusedMultiplyAdd"] = new(VectorClass + ".FusedMultiplyAdd({0}, {1}, {2})", ScalarType.Double),
        };

        /// <summary>
        /// Writes <c>int i = start;</c> and a Vector&lt;T&gt; loop over the block when every member vectorizes, leaving
        /// <c>i</c> at the first element the scalar loop must still do; writes nothing and returns false otherwise.
        /// </summary>
        private static bool TryEmitVectorLoop(IndentedWriter writer, LoweredPlan plan, KernelBlock block)
        {
            PipelineSpec spec = plan.Spec;
            EquatableArray<int> members = block.Members;
            if (VectorElementType(spec, members) is not { } element)
            {
                return false;
            }

            var body = new VectorLoopBody(element);
            foreach (int member in members)
            {
                if (!body.AddMember(spec, plan.Invocations[member], block))
                {
                    return false;
                }
            }

            string vector = body.VectorType;
            writer.Line("int i = start;");
            foreach (string line in body.Hoisted)
            {
                writer.Line(line);
            }

            writer.Open($"for (; i <= end - {vector}.Count; i += {vector}.Count)");
            foreach (string line in body.Loop)
            {
                writer.Line(line);
            }

            writer.Close();

            // Lanes fold into the block's accumulator in lane order, only when the vector loop ran, so a short block
            // folds exactly as the scalar loop does.
            foreach (int member in members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Reduce))
            {
                writer.Open("if (i != start)");
                writer.Open($"for (int lane = 0; lane < {vector}.Count; lane++)");
                writer.Line($"{Accumulator(member)} = {Method(spec, member)}({Accumulator(member)}, {VectorAccumulator(member)}[lane]);");
                writer.Close();
                writer.Close();
            }

            return true;
        }

        // The one element type every member computes in, if it is a type Vector<T> is exact for.
        private static ScalarType? VectorElementType(PipelineSpec spec, IReadOnlyList<int> members)
        {
            ScalarType? element = null;
            foreach (int member in members)
            {
                if (spec.Nodes[member].Program is not { } program || !VectorNumbers.Contains(program.Kernel.ReturnType)
                    || (element is { } known && known != program.Kernel.ReturnType))
                {
                    return null;
                }

                element = program.Kernel.ReturnType;
            }

            return element;
        }


        /// <summary>Translates a block's members into the lines before and inside its Vector&lt;T&gt; loop.</summary>
        private sealed class VectorLoopBody
        {
            // Helpers are inlined; a chain deeper than this is surely recursion, which stays scalar.
            private const int MaxInlineDepth = 16;

            private readonly ScalarType _element;
            private readonly string _keyword;
            private readonly HashSet<string> _hoistedNames = new();
            private readonly HashSet<string> _loadedNames = new();
            private readonly Dictionary<string, string> _constants = new();
            private int _temporaries;

            public VectorLoopBody(ScalarType element)
            {
                _element = element;
                _keyword = ScalarTypes.Keyword(element);
                VectorType = $"{VectorClass}<{_keyword}>";
            }

            public string VectorType { get; }

            /// <summary>Uniforms, constants and reduction accumulators, declared once before the loop.</summary>
            public List<string> Hoisted { get; } = new();

            /// <summary>The loop body.</summary>
            public List<string> Loop { get; } = new();

            public bool AddMember(PipelineSpec spec, Invocation invocation, KernelBlock block)
            {
                int member = invocation.Node;
                NodeSpec node = spec.Nodes[member];
                KernelProgram program = node.Program!;
                if (program.Kernel.Parameters.Count != node.Parameters.Count)
                {
                    return false;
                }

                var arguments = new List<string>();
                for (int p = 0; p < node.Parameters.Count; p++)
                {
                    KParameter parameter = program.Kernel.Parameters[p];
                    if (parameter.Kind != KParameterKind.Scalar || parameter.Type != _element
                        || Argument(invocation.Arguments[p], block, member) is not { } argument)
                    {
                        return false;
                    }

                    arguments.Add(argument);
                }

                if (Inline(program, program.Kernel, arguments, 0) is not { } value)
                {
                    return false;
                }

                if (node.Kind == NodeKindSpec.Reduce)
                {
                    Hoisted.Add($"var {VectorAccumulator(member)} = new {VectorType}({Identity(node)});");
                    Loop.Add($"{VectorAccumulator(member)} = {value};");
                    return true;
                }

                Loop.Add($"var v{ElementLocal(member)} = {value};");
                if (block.Written.Contains(member))
                {
                    Loop.Add($"{VectorClass}.StoreUnsafe(v{ElementLocal(member)}, ref {OutputRef(member)}, (nuint)i);");
                }

                return true;
            }

            // A member parameter's vector: a load, an earlier member's vector, or a uniform broadcast before the loop.
            private string? Argument(InvocationArgument argument, KernelBlock block, int member)
            {
                switch (argument.Source)
                {
                    case ArgumentSource.Accumulator:
                        return VectorAccumulator(member);
                    case ArgumentSource.Input:
                        return Hoist("v" + InputLocal(argument.Name), InputLocal(argument.Name));
                    case ArgumentSource.StreamElement when block.Fused.Contains(argument.Producer):
                        return "v" + ElementLocal(argument.Producer);
                    case ArgumentSource.StreamElement:
                        string loaded = "v" + StreamRef(argument.Producer);
                        if (_loadedNames.Add(loaded))
                        {
                            Loop.Add($"var {loaded} = {VectorClass}.LoadUnsafe(ref {StreamRef(argument.Producer)}, (nuint)i);");
                        }

                        return loaded;
                    case ArgumentSource.Uniform:
                        return Hoist("v" + UniformLocal(argument.Producer), UniformLocal(argument.Producer));
                    default:
                        return null;
                }
            }

            private string Hoist(string name, string scalar)
            {
                if (_hoistedNames.Add(name))
                {
                    Hoisted.Add($"var {name} = new {VectorType}({scalar});");
                }

                return name;
            }

            // A body of local declarations and one return, with its parameters bound to vectors; null if it does not vectorize.
            private string? Inline(KernelProgram program, KernelBody body, IReadOnlyList<string> arguments, int depth)
            {
                IReadOnlyList<KStmt> statements = body.Body.Statements;
                if (depth > MaxInlineDepth || statements.Count == 0 || statements[statements.Count - 1] is not KReturn ret
                    || (depth == 0 && ret.Value.Type != _element))
                {
                    return null;
                }

                var locals = new Dictionary<string, string>();
                foreach (KStmt statement in statements.Take(statements.Count - 1))
                {
                    if (statement is not KDeclare { Initializer: { } initializer } declare || locals.ContainsKey(declare.Name)
                        || Expression(program, initializer, arguments, locals, depth) is not { } value)
                    {
                        return null;
                    }

                    locals[declare.Name] = Temporary(value);
                }

                return Expression(program, ret.Value, arguments, locals, depth);
            }

            private string Temporary(string value)
            {
                string name = "vtemp" + _temporaries++;
                Loop.Add($"var {name} = {value};");
                return name;
            }

            private string? Expression(KernelProgram program, KExpr expression, IReadOnlyList<string> arguments, Dictionary<string, string> locals, int depth)
            {
                // Every value is a Vector<T> of the element type; a bool is a lane mask of the same type.
                if (expression.Type != _element && expression.Type != ScalarType.Bool)
                {
                    return null;
                }

                string? Operand(KExpr operand) => Expression(program, operand, arguments, locals, depth);

                switch (expression)
                {
                    case KParameterRef parameter:
                        return parameter.Index < arguments.Count ? arguments[parameter.Index] : null;
                    case KLocalRef localRef:
                        return locals.TryGetValue(localRef.Name, out string? name) ? name : null;
                    case KConstant constant:
                        return Constant(constant);
                    case KUnary unary:
                        return Apply(VectorUnaryOps.TryGetValue(unary.Op, out VectorOp? u) ? u : null, unary.Operand.Type, Operand(unary.Operand));
                    case KBinary binary:
                        return Apply(VectorBinaryOps.TryGetValue(binary.Op, out VectorOp? b) ? b : null, binary.Left.Type, Operand(binary.Left),
                            Operand(binary.Right));
                    case KConditional conditional when Operand(conditional.Condition) is { } mask
                            && Operand(conditional.WhenTrue) is { } whenTrue && Operand(conditional.WhenFalse) is { } whenFalse:
                        // Both sides are computed for every lane; kernel expressions have no side effects and no translated operation throws.
                        return $"{VectorClass}.ConditionalSelect<{_keyword}>({mask}, {whenTrue}, {whenFalse})";
                    case KMathCall call when call.Arguments.Count > 0:
                        return Apply(VectorMathCalls.TryGetValue(call.Function, out VectorOp? m) ? m : null, call.Arguments[0].Type,
                            call.Arguments.Select(Operand).ToArray());
                    case KHelperCall helperCall:
                        KernelBody? helper = program.Helpers.FirstOrDefault(h => h.Name == helperCall.Helper);
                        string?[] values = helperCall.Arguments.Select(Operand).ToArray();
                        if (helper is null || values.Any(v => v is null) || helper.Parameters.Any(p => p.Kind != KParameterKind.Scalar))
                        {
                            return null;
                        }

                        return Inline(program, helper, values.Select(v => Temporary(v!)).ToList(), depth + 1);
                    default:
                        return null;
                }
            }

            private string? Apply(VectorOp? op, ScalarType operandType, params string?[] operands)
            {
                bool allSameType = operandType == _element || operandType == ScalarType.Bool;
                if (op is null || !allSameType || !op.Operands.Contains(operandType) || operands.Any(o => o is null))
                {
                    return null;
                }

                return string.Format(CultureInfo.InvariantCulture, op.Format.Replace("{T}", _keyword), operands);
            }

            // Constants are broadcast once before the loop; floats from their exact bits, so no literal can round differently.
            private string Constant(KConstant constant)
            {
                if (constant.Type == ScalarType.Bool)
                {
                    return constant.Bits != 0 ? $"{VectorType}.AllBitsSet" : $"{VectorType}.Zero";
                }

                string scalar = constant.Type switch
                {
                    ScalarType.Float => $"global::System.BitConverter.UInt32BitsToSingle(0x{constant.Bits:X8}u) /* {constant.Value} */",
                    ScalarType.Double => $"global::System.BitConverter.UInt64BitsToDouble(0x{constant.Bits:X16}UL) /* {constant.Value} */",
                    _ => $"({_keyword})({constant.Value})",
                };
                if (!_constants.TryGetValue(scalar, out string? name))
                {
                    name = "vconstant" + _constants.Count;
                    _constants.Add(scalar, name);
                    Hoisted.Add($"var {name} = new {VectorType}({scalar});");
                }

                return name;
            }
        }
    }
}
