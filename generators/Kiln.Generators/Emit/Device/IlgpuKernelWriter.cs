using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln.Model;

namespace Kiln.Generators.Emit.Device
{
    /// <summary>
    /// Writes kernel IR as C# that ILGPU compiles to PTX: one static method per kernel, reduction and helper body, in
    /// the pipeline's nested <c>__KilnCuda</c> class. The C# is written from the IR, not taken from the user's methods,
    /// because ILGPU alone does not keep C#'s semantics, so it:
    /// <list type="bullet">
    /// <item>casts floats to sbyte, byte, short and ushort through a masked int (ILGPU folds <c>(byte)(int)x</c> into a
    /// saturating <c>cvt.rzi.u8.f32</c>, which gives 255 for 300.7f where C# gives 44);</item>
    /// <item>checks integer division, remainder and <c>Math.Abs</c> and sets the fault flag (1: divide by zero,
    /// 2: overflow, the codes <c>Kiln.Execution.DeviceLaunch</c> reads) instead of dividing;</item>
    /// <item>writes float Min/Max as C# defines them (NaN propagates, -0 &lt; +0) rather than PTX's min/max;</item>
    /// <item>decides float <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c> and <c>&gt;=</c> on a NaN operand from the operands' bits
    /// before comparing: ILGPU 1.5.3 moves a constant left operand to the right and, doing so, turns an ordered
    /// comparison into an unordered one (<c>CompareValue.SwapOperands</c> toggles the flag that only inverting should),
    /// so <c>1f &lt; x</c> became <c>setp.gtu</c>, true for NaN, and a Min reduction's +∞ identity swallowed NaNs on a
    /// real GPU;</item>
    /// <item>converts floats to int, uint, long and ulong through helpers that give 0 for NaN, as C# does (the GPU's
    /// <c>cvt.rzi</c> gives 0x80000000…, measured on an H200) and saturate as C# does;</item>
    /// <item>writes constants that are not plain numbers (NaN payloads, infinities, -0) from their exact bits;</item>
    /// <item>clamps gather indices.</item>
    /// </list>
    /// Everything else is C# as the user wrote it (unchecked): ILGPU's arithmetic wraps as C#'s does.
    /// </summary>
    internal sealed class IlgpuKernelWriter
    {
        private const string View = "global::ILGPU.ArrayView";
        private const string FaultName = "kiln_fault";

        private readonly bool _checksFaults;
        private readonly KernelFunctions _functions;
        private readonly IndentedWriter _writer;

        public IlgpuKernelWriter(IndentedWriter writer, bool checksFaults)
        {
            _writer = writer;
            _checksFaults = checksFaults;
            _functions = new KernelFunctions((body, count) => $"F{count}_{DeviceSourceWriter.Sanitize(body.MethodName)}", Write);
        }

        /// <summary>The argument that passes the fault flag on, after a call's other arguments (empty when unchecked).</summary>
        public string FaultArgument => _checksFaults ? ", " + FaultName : string.Empty;

        private string FaultParameter => _checksFaults ? $", {View}<int> {FaultName}" : string.Empty;

        /// <summary>The C# type of a value of <paramref name="type"/> in device memory: bools are bytes, as on OpenCL.</summary>
        public static string Storage(ScalarType type) => type == ScalarType.Bool ? "byte" : ScalarTypes.Keyword(type);

        public static string ViewOf(ScalarType type) => $"{View}<{Storage(type)}>";

        /// <summary>Writes the helpers every kernel class needs (index clamp, C#'s float Min/Max, checked division).</summary>
        public void Prelude(bool usesDouble)
        {
            _writer.Line("private static int ClampIndex(int i, int n) => i < 0 ? 0 : (i >= n ? n - 1 : i);");
            foreach (string type in usesDouble ? new[] { "float", "double" } : new[] { "float" })
            {
                string sign = type == "float" ? "0x80000000u" : "0x8000000000000000ul";
                string name = type == "float" ? "Float" : "Double";
                string magnitude = type == "float" ? "0x7FFFFFFFu" : "0x7FFFFFFFFFFFFFFFul";
                string infinity = type == "float" ? "0x7F800000u" : "0x7FF0000000000000ul";
                string suffix = type == "float" ? "f" : "d";

                // NaN from the bits: an integer test that no float-compare rewrite of ILGPU's can turn round.
                _writer.Line($"private static bool NaN{name}({type} x) => (global::ILGPU.Interop.FloatAsInt(x) & {magnitude}) > {infinity};");
                foreach ((string op, string compare) in new[] { ("<", "Less"), ("<=", "LessOrEqual"), (">", "Greater"), (">=", "GreaterOrEqual") })
                {
                    _writer.Line($"private static bool {compare}{name}({type} a, {type} b) {{ if (NaN{name}(a) || NaN{name}(b)) return false; return a {op} b; }}");
                }

                _writer.Line($"private static {type} Max{name}({type} a, {type} b) {{ if (NaN{name}(a)) return a; if (NaN{name}(b)) return b; if (b < a) return a; if (a < b) return b; return (global::ILGPU.Interop.FloatAsInt(b) & {sign}) != 0 ? a : b; }}");
                _writer.Line($"private static {type} Min{name}({type} a, {type} b) {{ if (NaN{name}(a)) return a; if (NaN{name}(b)) return b; if (a < b) return a; if (b < a) return b; return (global::ILGPU.Interop.FloatAsInt(a) & {sign}) != 0 ? a : b; }}");

                // C#'s (.NET 9+) float-to-integer casts: NaN gives 0, out of range saturates, the rest truncates.
                foreach ((ScalarType target, string below, string atOrAbove) in new[]
                {
                    (ScalarType.Int, "-2147483648.0", "2147483648.0"),
                    (ScalarType.UInt, "0.0", "4294967296.0"),
                    (ScalarType.Long, "-9223372036854775808.0", "9223372036854775808.0"),
                    (ScalarType.ULong, "0.0", "18446744073709551616.0"),
                })
                {
                    string to = ScalarTypes.Keyword(target);
                    string low = target is ScalarType.UInt or ScalarType.ULong ? "0" : $"{to}.MinValue";
                    _writer.Line($"private static {to} To{target}{name}({type} x) {{ if (NaN{name}(x)) return 0; if (x < {below}{suffix}) return {low}; if (x >= {atOrAbove}{suffix}) return {to}.MaxValue; return ({to})x; }}");
                }

                // .NET's Math.IEEERemainder, step by step (ILGPU cannot compile .NET's own: it calls Math.Sign).
                string abs = $"global::System.Math.Abs";
                _writer.Line($"private static {type} IeeeRemainder{name}({type} x, {type} y) {{ if ({type}.IsNaN(x)) return x; if ({type}.IsNaN(y)) return y; {type} regular = x % y; if ({type}.IsNaN(regular)) return {type}.NaN; "
                    + $"if (regular == 0 && (global::ILGPU.Interop.FloatAsInt(x) & {sign}) != 0) return -({type})0; {type} alternative = regular - ({abs}(y) * (x > 0 ? 1 : (x < 0 ? -1 : 0))); "
                    + $"if ({abs}(alternative) == {abs}(regular)) {{ {type} division = x / y; {type} rounded = ({type})global::System.Math.Round(division); return {abs}(rounded) > {abs}(division) ? alternative : regular; }} "
                    + $"return {abs}(alternative) < {abs}(regular) ? alternative : regular; }}");
            }

            if (!_checksFaults)
            {
                return;
            }

            foreach (ScalarType type in new[] { ScalarType.Int, ScalarType.UInt, ScalarType.Long, ScalarType.ULong })
            {
                string t = ScalarTypes.Keyword(type);
                bool signed = type is ScalarType.Int or ScalarType.Long;
                string byMinusOne(string quotient) => signed
                    ? $" if (b == -1) {{ if (a == {t}.MinValue) {{ {FaultName}[0] = {DeviceContract.OverflowFault}; return 0; }} return {quotient}; }}"
                    : string.Empty;
                _writer.Line($"private static {t} Div_{t}({t} a, {t} b{FaultParameter}) {{ unchecked {{ if (b == 0) {{ {FaultName}[0] = {DeviceContract.DivideByZeroFault}; return 0; }}{byMinusOne("-a")} return a / b; }} }}");
                _writer.Line($"private static {t} Rem_{t}({t} a, {t} b{FaultParameter}) {{ unchecked {{ if (b == 0) {{ {FaultName}[0] = {DeviceContract.DivideByZeroFault}; return 0; }}{byMinusOne("0")} return a % b; }} }}");
            }

            foreach (ScalarType type in new[] { ScalarType.SByte, ScalarType.Short, ScalarType.Int, ScalarType.Long })
            {
                string t = ScalarTypes.Keyword(type);
                _writer.Line($"private static {t} Abs_{t}({t} x{FaultParameter}) {{ unchecked {{ if (x == {t}.MinValue) {{ {FaultName}[0] = {DeviceContract.OverflowFault}; return x; }} return x < 0 ? ({t})(-x) : x; }} }}");
            }

            // Math.Sign throws ArithmeticException for NaN in C#; past the NaN test, plain compares are exact.
            foreach (string type in usesDouble ? new[] { "float", "double" } : new[] { "float" })
            {
                string name = type == "float" ? "Float" : "Double";
                _writer.Line($"private static int Sign{name}({type} x{FaultParameter}) {{ if (NaN{name}(x)) {{ {FaultName}[0] = {DeviceContract.NaNFault}; return 0; }} return x > 0 ? 1 : (x < 0 ? -1 : 0); }}");
            }
        }

        /// <summary>The method name of a translated body, writing the body (and its helpers, callees first) the first time.</summary>
        public string Function(KernelProgram program) => _functions.Function(program);

        private void Write(KernelBody body, string name)
        {
            var parameters = body.Parameters.Select((p, i) => p.Kind == KParameterKind.Gather
                ? $"{ViewOf(p.Type)} p{i}"
                : $"{ScalarTypes.Keyword(p.Type)} p{i}");
            _writer.Line($"// {body.MethodName}");
            _writer.Open($"private static {ScalarTypes.Keyword(body.ReturnType)} {name}({string.Join(", ", parameters)}{FaultParameter})");
            _writer.Open("unchecked");
            foreach (KStmt statement in body.Body.Statements)
            {
                Statement(statement);
            }

            _writer.Close();
            _writer.Close();
        }

        private void Statement(KStmt statement)
        {
            switch (statement)
            {
                case KBlock block:
                    _writer.OpenBlock();
                    foreach (KStmt inner in block.Statements)
                    {
                        Statement(inner);
                    }

                    _writer.Close();
                    break;
                case KDeclare declare:
                    string initial = declare.Initializer is null ? Zero(declare.Type) : Expression(declare.Initializer);
                    _writer.Line($"{ScalarTypes.Keyword(declare.Type)} {Local(declare.Name)} = {initial};");
                    break;
                case KAssign assign:
                    _writer.Line($"{Expression(assign.Target)} = {Expression(assign.Value)};");
                    break;
                case KIf branch:
                    _writer.Line($"if ({Expression(branch.Condition)})");
                    Nested(branch.Then);
                    if (branch.Else is not null)
                    {
                        _writer.Line("else");
                        Nested(branch.Else);
                    }

                    break;
                case KFor loop:
                    _writer.OpenBlock();
                    foreach (KStmt initializer in loop.Initializers)
                    {
                        Statement(initializer);
                    }

                    string condition = loop.Condition is null ? "true" : Expression(loop.Condition);
                    _writer.Line($"for (; {condition}; {string.Join(", ", loop.Incrementors.Select(Increment))})");
                    Nested(loop.Body);
                    _writer.Close();
                    break;
                case KWhile loop:
                    _writer.Line($"while ({Expression(loop.Condition)})");
                    Nested(loop.Body);
                    break;
                case KDoWhile loop:
                    _writer.Line("do");
                    Nested(loop.Body);
                    _writer.Line($"while ({Expression(loop.Condition)});");
                    break;
                case KBreak:
                    _writer.Line("break;");
                    break;
                case KContinue:
                    _writer.Line("continue;");
                    break;
                case KReturn ret:
                    _writer.Line($"return {Expression(ret.Value)};");
                    break;
                case KExpressionStatement expression:
                    _writer.Line($"_ = {Expression(expression.Expression)};");
                    break;
                default:
                    throw new InvalidOperationException("Unknown kernel statement " + statement.GetType().Name);
            }
        }

        // A statement under if/else/loops always gets braces, so a declaration there is in a block as C# requires.
        private void Nested(KStmt statement)
        {
            if (statement is KBlock)
            {
                Statement(statement);
                return;
            }

            _writer.OpenBlock();
            Statement(statement);
            _writer.Close();
        }

        private string Increment(KStmt statement) => statement switch
        {
            KAssign assign => $"{Expression(assign.Target)} = {Expression(assign.Value)}",
            KExpressionStatement expression => $"_ = {Expression(expression.Expression)}",
            _ => throw new InvalidOperationException("A for incrementor must be an assignment or a call."),
        };

        public string Expression(KExpr expression) => expression switch
        {
            KConstant constant => Constant(constant),
            KParameterRef parameter => "p" + parameter.Index,
            KGatherRef gather => "p" + gather.Index,
            KLocalRef local => Local(local.Name),
            KUnary unary => Unary(unary),
            KBinary binary => Binary(binary),
            KConditional conditional => $"({Expression(conditional.Condition)} ? {Expression(conditional.WhenTrue)} : {Expression(conditional.WhenFalse)})",
            KCast cast => Cast(cast),
            KMathCall call => Math(call),
            KHelperCall call => $"{_functions[call.Helper]}({string.Join(", ", call.Arguments.Select(Expression))}{FaultArgument})",
            KGatherLoad load => Load($"p{load.Parameter}[ClampIndex({Expression(load.Index)}, (int)p{load.Parameter}.Length)]", load.Type),
            KGatherLength length => $"((int)p{length.Parameter}.Length)",
            _ => throw new InvalidOperationException("Unknown kernel expression " + expression.GetType().Name),
        };

        /// <summary>Reads a stored value: bools live in memory as bytes.</summary>
        public static string Load(string access, ScalarType type) => type == ScalarType.Bool ? $"({access} != 0)" : access;

        /// <summary>Converts a value for storing: bools become 0 or 1.</summary>
        public static string Store(string value, ScalarType type) => type == ScalarType.Bool ? $"(byte)({value} ? 1 : 0)" : value;

        public static string Constant(KConstant constant)
        {
            switch (constant.Type)
            {
                case ScalarType.Bool:
                    return constant.Bits != 0 ? "true" : "false";
                case ScalarType.Float:
                    return IsPlainNumber(constant.Value)
                        ? constant.Value + "f"
                        : $"global::ILGPU.Interop.IntAsFloat(0x{((uint)constant.Bits).ToString("x8", CultureInfo.InvariantCulture)}u)";
                case ScalarType.Double:
                    return IsPlainNumber(constant.Value)
                        ? constant.Value + "d"
                        : $"global::ILGPU.Interop.IntAsFloat(0x{constant.Bits.ToString("x16", CultureInfo.InvariantCulture)}ul)";
                case ScalarType.Int:
                    return (int)constant.Bits >= 0
                        ? ((int)constant.Bits).ToString(CultureInfo.InvariantCulture)
                        : $"unchecked((int)0x{((uint)constant.Bits).ToString("x", CultureInfo.InvariantCulture)}u)";
                case ScalarType.UInt:
                    return $"0x{((uint)constant.Bits).ToString("x", CultureInfo.InvariantCulture)}u";
                case ScalarType.Long:
                    return $"unchecked((long)0x{constant.Bits.ToString("x", CultureInfo.InvariantCulture)}ul)";
                case ScalarType.ULong:
                    return $"0x{constant.Bits.ToString("x", CultureInfo.InvariantCulture)}ul";
                default:
                    return $"unchecked(({ScalarTypes.Keyword(constant.Type)})0x{constant.Bits.ToString("x", CultureInfo.InvariantCulture)}ul)";
            }
        }

        private static bool IsPlainNumber(string value) =>
            value != "-0" && value.Length > 0 && (char.IsDigit(value[0]) || (value[0] == '-' && value.Length > 1 && char.IsDigit(value[1])));

        private string Unary(KUnary unary)
        {
            string operand = Expression(unary.Operand);
            return unary.Op switch
            {
                KUnaryOp.Negate => $"({ScalarTypes.Keyword(unary.Type)})(-({operand}))",
                KUnaryOp.BitNot => $"({ScalarTypes.Keyword(unary.Type)})(~({operand}))",
                _ => $"(!({operand}))",
            };
        }

        private string Binary(KBinary binary)
        {
            string left = Expression(binary.Left);
            string right = Expression(binary.Right);
            ScalarType type = binary.Left.Type;
            if (binary.Op is KBinaryOp.Divide or KBinaryOp.Remainder && _checksFaults && DeviceSourceWriter.MayFault(binary))
            {
                return Checked(binary.Op == KBinaryOp.Divide ? "Div" : "Rem", type, binary.Type, left, right);
            }

            if (ScalarTypes.IsFloatingPoint(type) && binary.Op is KBinaryOp.Less or KBinaryOp.LessOrEqual or KBinaryOp.Greater or KBinaryOp.GreaterOrEqual)
            {
                return $"{binary.Op}{FloatName(type)}({left}, {right})";
            }

            string op = binary.Op switch
            {
                KBinaryOp.Add => "+",
                KBinaryOp.Subtract => "-",
                KBinaryOp.Multiply => "*",
                KBinaryOp.Divide => "/",
                KBinaryOp.Remainder => "%",
                KBinaryOp.BitAnd => "&",
                KBinaryOp.BitOr => "|",
                KBinaryOp.BitXor => "^",
                KBinaryOp.ShiftLeft => "<<",
                KBinaryOp.ShiftRight => ">>",
                KBinaryOp.UnsignedShiftRight => ">>>",
                KBinaryOp.Equal => "==",
                KBinaryOp.NotEqual => "!=",
                KBinaryOp.Less => "<",
                KBinaryOp.LessOrEqual => "<=",
                KBinaryOp.Greater => ">",
                KBinaryOp.GreaterOrEqual => ">=",
                KBinaryOp.LogicalAnd => "&&",
                _ => "||",
            };

            // C# promotes narrow operands to int: the cast gives the IR's type back (the IR's operands are already converted).
            string text = $"({left} {op} {right})";
            return binary.Type is ScalarType.Bool || binary.Type is ScalarType.Int or ScalarType.UInt or ScalarType.Long or ScalarType.ULong or ScalarType.Float or ScalarType.Double
                ? text
                : $"({ScalarTypes.Keyword(binary.Type)}){text}";
        }

        /// <summary>A checked integer division or remainder; narrower types compute in int, as C# does.</summary>
        private string Checked(string operation, ScalarType operands, ScalarType result, string left, string right)
        {
            if (operands is ScalarType.Int or ScalarType.UInt or ScalarType.Long or ScalarType.ULong)
            {
                return $"{operation}_{ScalarTypes.Keyword(operands)}({left}, {right}{FaultArgument})";
            }

            return $"(({ScalarTypes.Keyword(result)}){operation}_int((int)({left}), (int)({right}){FaultArgument}))";
        }

        private string Cast(KCast cast)
        {
            string operand = Expression(cast.Operand);
            if (cast.Operand.Type == cast.Type)
            {
                return operand;
            }

            string to = ScalarTypes.Keyword(cast.Type);
            if (ScalarTypes.IsFloatingPoint(cast.Operand.Type))
            {
                string from = FloatName(cast.Operand.Type);
                if (cast.Type is ScalarType.SByte or ScalarType.Byte or ScalarType.Short or ScalarType.UShort)
                {
                    // Through int, masked so ILGPU cannot fold the two conversions into one saturating cvt (see the class summary).
                    string mask = cast.Type is ScalarType.SByte or ScalarType.Byte ? "0xFF" : "0xFFFF";
                    return $"(({to})(To{ScalarType.Int}{from}({operand}) & {mask}))";
                }

                if (cast.Type is ScalarType.Int or ScalarType.UInt or ScalarType.Long or ScalarType.ULong)
                {
                    return $"To{cast.Type}{from}({operand})";
                }
            }

            return $"(({to})({operand}))";
        }

        private string Math(KMathCall call)
        {
            string[] arguments = call.Arguments.Select(Expression).ToArray();
            ScalarType type = call.Arguments.Count > 0 ? call.Arguments[0].Type : call.Type;
            int dot = call.Function.IndexOf('.');
            string owner = call.Function.Substring(0, dot) switch
            {
                "float" => "Single",
                "double" => "Double",
                string other => other,
            };
            string function = call.Function.Substring(dot + 1);
            string x = arguments.Length > 0 ? arguments[0] : string.Empty;
            bool floating = ScalarTypes.IsFloatingPoint(type);
            string t = ScalarTypes.Keyword(type);
            switch (function)
            {
                case "Abs" when !floating && _checksFaults && DeviceSourceWriter.MayFault(call):
                    return $"Abs_{t}({x}{FaultArgument})";
                case "Abs" when !floating:
                    return $"(({t})(({x}) < 0 ? -({x}) : ({x})))";
                case "Min" when floating:
                    return $"Min{FloatName(type)}({x}, {arguments[1]})";
                case "Max" when floating:
                    return $"Max{FloatName(type)}({x}, {arguments[1]})";
                case "Min":
                    return $"(({x}) < ({arguments[1]}) ? ({x}) : ({arguments[1]}))";
                case "Max":
                    return $"(({x}) > ({arguments[1]}) ? ({x}) : ({arguments[1]}))";
                case "Clamp" when floating:
                    string name = FloatName(type);
                    return $"(Less{name}({x}, {arguments[1]}) ? ({arguments[1]}) : (Greater{name}({x}, {arguments[2]}) ? ({arguments[2]}) : ({x})))";
                case "Sign" when floating && _checksFaults && DeviceSourceWriter.MayFault(call):
                    return $"Sign{FloatName(type)}({x}{FaultArgument})";
                case "Sign" when floating:
                    return $"((Greater{FloatName(type)}({x}, 0) ? 1 : 0) - (Less{FloatName(type)}({x}, 0) ? 1 : 0))";
                case "Clamp":
                    return $"(({x}) < ({arguments[1]}) ? ({arguments[1]}) : (({x}) > ({arguments[2]}) ? ({arguments[2]}) : ({x})))";
                case "Sign":
                    return $"((({x}) > 0 ? 1 : 0) - (({x}) < 0 ? 1 : 0))";
                case "IEEERemainder":
                    return $"IeeeRemainder{FloatName(type)}({x}, {arguments[1]})";
                case "IsPositiveInfinity":
                    return $"(global::System.{owner}.IsInfinity({x}) && ({x}) > 0)";
                case "IsNegativeInfinity":
                    return $"(global::System.{owner}.IsInfinity({x}) && ({x}) < 0)";
            }

            return $"global::System.{owner}.{function}({string.Join(", ", arguments)})";
        }

        /// <summary>The suffix of the prelude's helpers for a float type.</summary>
        private static string FloatName(ScalarType type) => type == ScalarType.Double ? "Double" : "Float";

        private static string Zero(ScalarType type) => type switch
        {
            ScalarType.Bool => "false",
            _ => $"default({ScalarTypes.Keyword(type)})",
        };

        private static string Local(string name) => "l_" + DeviceSourceWriter.Sanitize(name);
    }
}
