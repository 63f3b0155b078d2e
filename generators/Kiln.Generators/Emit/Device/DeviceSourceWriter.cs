using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Kiln.Model;

namespace Kiln.Generators.Emit.Device
{
    /// <summary>
    /// Writes kernel IR as device functions in one <see cref="DeviceDialect"/>, keeping C#'s semantics where C's
    /// differ: signed overflow wraps (computed unsigned), float-to-integer casts saturate, constants are exact bit
    /// patterns where a decimal could not be, gathers clamp their index.
    /// </summary>
    internal sealed class DeviceSourceWriter
    {
        private readonly DeviceDialect _dialect;
        private readonly bool _checksFaults;
        private readonly KernelFunctions _functions;
        private readonly StringBuilder _text = new();
        private int _depth;

        /// <param name="dialect">The device language to write.</param>
        /// <param name="checksFaults">
        /// Whether the source has operations C# checks (<see cref="MayFault"/>): then every function takes the fault flag
        /// last and those operations go through <see cref="DeviceDialect.FaultPrelude"/>'s helpers.
        /// </param>
        public DeviceSourceWriter(DeviceDialect dialect, bool checksFaults)
        {
            _dialect = dialect;
            _checksFaults = checksFaults;
            _functions = new KernelFunctions((body, count) => $"kiln_{Sanitize(body.MethodName)}_{count}", Write);
        }

        /// <summary>Whether <paramref name="expression"/> itself must set the fault flag on a device (<see cref="KernelQueries.MayFault(KExpr)"/>).</summary>
        public static bool MayFault(KExpr expression) => KernelQueries.MayFault(expression);

        /// <summary>The argument that passes the fault flag on, after a call's other arguments (empty when unchecked).</summary>
        public string FaultArgument => _checksFaults ? ", kiln_fault" : string.Empty;

        public DeviceDialect Dialect => _dialect;

        public StringBuilder Text => _text;

        /// <summary>The C name of a translated body, writing the body (and its helpers, callees first) the first time.</summary>
        public string Function(KernelProgram program) => _functions.Function(program);

        private void Write(KernelBody body, string name)
        {
            var parameters = body.Parameters.Select((p, i) => p.Kind == KParameterKind.Gather
                ? $"{_dialect.GlobalPointer(p.Type, readOnly: true)} p{i}, int p{i}_length"
                : $"{_dialect.Type(p.Type)} p{i}");
            if (_checksFaults)
            {
                parameters = parameters.Concat(new[] { _dialect.FaultParameter });
            }

            _text.Append("// ").Append(body.MethodName).Append('\n');
            _text.Append(_dialect.FunctionPrefix).Append(_dialect.Type(body.ReturnType)).Append(' ').Append(name)
                .Append('(').Append(string.Join(", ", parameters)).Append(")\n");
            Statement(body.Body, body);
            _text.Append('\n');
        }

        private void Line(string line) => _text.Append(' ', _depth * 4).Append(line).Append('\n');

        private void Statement(KStmt statement, KernelBody body)
        {
            switch (statement)
            {
                case KBlock block:
                    Line("{");
                    _depth++;
                    foreach (KStmt inner in block.Statements)
                    {
                        Statement(inner, body);
                    }

                    _depth--;
                    Line("}");
                    break;
                case KDeclare declare:
                    string initial = declare.Initializer is null ? Zero(declare.Type) : Expression(declare.Initializer, body);
                    Line($"{_dialect.Type(declare.Type)} {Local(declare.Name)} = {initial};");
                    break;
                case KAssign assign:
                    Line($"{Expression(assign.Target, body)} = {Expression(assign.Value, body)};");
                    break;
                case KIf branch:
                    Line($"if ({Expression(branch.Condition, body)})");
                    Nested(branch.Then, body);
                    if (branch.Else is not null)
                    {
                        Line("else");
                        Nested(branch.Else, body);
                    }

                    break;
                case KFor loop:
                    // Initializers go in an enclosing block; incrementors are assignments, which C allows as comma
                    // expressions in the header, so `continue` still runs them.
                    Line("{");
                    _depth++;
                    foreach (KStmt initializer in loop.Initializers)
                    {
                        Statement(initializer, body);
                    }

                    string condition = loop.Condition is null ? "1" : Expression(loop.Condition, body);
                    string increments = string.Join(", ", loop.Incrementors.Select(i => Increment(i, body)));
                    Line($"for (; {condition}; {increments})");
                    Nested(loop.Body, body);
                    _depth--;
                    Line("}");
                    break;
                case KWhile loop:
                    Line($"while ({Expression(loop.Condition, body)})");
                    Nested(loop.Body, body);
                    break;
                case KDoWhile loop:
                    Line("do");
                    Nested(loop.Body, body);
                    Line($"while ({Expression(loop.Condition, body)});");
                    break;
                case KBreak:
                    Line("break;");
                    break;
                case KContinue:
                    Line("continue;");
                    break;
                case KReturn ret:
                    Line($"return {Expression(ret.Value, body)};");
                    break;
                case KExpressionStatement expression:
                    Line($"(void)({Expression(expression.Expression, body)});");
                    break;
                default:
                    throw new InvalidOperationException("Unknown kernel statement " + statement.GetType().Name);
            }
        }

        private void Nested(KStmt statement, KernelBody body)
        {
            if (statement is KBlock)
            {
                Statement(statement, body);
                return;
            }

            _depth++;
            Statement(statement, body);
            _depth--;
        }

        private string Increment(KStmt statement, KernelBody body) => statement switch
        {
            KAssign assign => $"{Expression(assign.Target, body)} = {Expression(assign.Value, body)}",
            KExpressionStatement expression => Expression(expression.Expression, body),
            _ => throw new InvalidOperationException("A for incrementor must be an assignment or a call."),
        };

        public string Expression(KExpr expression, KernelBody body) => expression switch
        {
            KConstant constant => Constant(constant),
            KParameterRef parameter => "p" + parameter.Index,
            KGatherRef gather => $"p{gather.Index}, p{gather.Index}_length",
            KLocalRef local => Local(local.Name),
            KUnary unary => Unary(unary, body),
            KBinary binary => Binary(binary, body),
            KConditional conditional => $"({Expression(conditional.Condition, body)} ? {Expression(conditional.WhenTrue, body)} : {Expression(conditional.WhenFalse, body)})",
            KCast cast => Cast(cast, body),
            KMathCall call => Math(call, body),
            KHelperCall call => $"{_functions[call.Helper]}({string.Join(", ", call.Arguments.Select(a => Expression(a, body)))}{FaultArgument})",
            KGatherLoad load => Load($"p{load.Parameter}[kiln_clamp_index({Expression(load.Index, body)}, p{load.Parameter}_length)]", load.Type),
            KGatherLength length => $"p{length.Parameter}_length",
            _ => throw new InvalidOperationException("Unknown kernel expression " + expression.GetType().Name),
        };

        /// <summary>Reads a stored value: bools live in memory as bytes.</summary>
        public string Load(string access, ScalarType type) => type == ScalarType.Bool ? $"({access} != 0)" : access;

        /// <summary>Converts a value for storing: bools become 0 or 1.</summary>
        public string Store(string value, ScalarType type) => type == ScalarType.Bool ? $"({_dialect.ByteType})({value} ? 1 : 0)" : value;

        public string Constant(KConstant constant)
        {
            switch (constant.Type)
            {
                case ScalarType.Bool:
                    return constant.Bits != 0 ? "true" : "false";
                case ScalarType.Float:
                    return IsPlainNumber(constant.Value)
                        ? Decimal(constant.Value) + "f"
                        : $"{_dialect.FloatFromBits}({_dialect.Hex(constant.Bits)})";
                case ScalarType.Double:
                    return IsPlainNumber(constant.Value)
                        ? Decimal(constant.Value)
                        : $"{_dialect.DoubleFromBits}({_dialect.Hex(constant.Bits)}{_dialect.LongSuffix})";
                case ScalarType.Int:
                    return (int)constant.Bits >= 0 ? ((int)constant.Bits).ToString(CultureInfo.InvariantCulture) : $"((int){_dialect.Hex((uint)constant.Bits)}u)";
                case ScalarType.UInt:
                    return ((uint)constant.Bits).ToString(CultureInfo.InvariantCulture) + "u";
                case ScalarType.Long:
                    return $"(({_dialect.Type(ScalarType.Long)}){_dialect.Hex(constant.Bits)}{_dialect.ULongSuffix})";
                case ScalarType.ULong:
                    return _dialect.Hex(constant.Bits) + _dialect.ULongSuffix;
                default:
                    return $"(({_dialect.Type(constant.Type)}){constant.Value})";
            }
        }

        private static bool IsPlainNumber(string value) =>
            value != "-0" && value.Length > 0 && (char.IsDigit(value[0]) || (value[0] == '-' && value.Length > 1 && char.IsDigit(value[1])));

        // C needs a '.' or an exponent for a floating literal.
        private static string Decimal(string value) => value.Contains('.') || value.Contains('E') || value.Contains('e') ? value : value + ".0";

        private string Unary(KUnary unary, KernelBody body)
        {
            string operand = Expression(unary.Operand, body);
            return unary.Op switch
            {
                KUnaryOp.Negate when IsSignedWrapping(unary.Type) => $"(({_dialect.Type(unary.Type)})(({Unsigned(unary.Type)})0 - ({Unsigned(unary.Type)})({operand})))",
                KUnaryOp.Negate => $"(-({operand}))",
                KUnaryOp.BitNot => $"(~({operand}))",
                _ => $"(!({operand}))",
            };
        }

        private string Binary(KBinary binary, KernelBody body)
        {
            string left = Expression(binary.Left, body);
            string right = Expression(binary.Right, body);
            ScalarType type = binary.Left.Type;
            string Wrapped(string op) => $"(({_dialect.Type(type)})(({Unsigned(type)})({left}) {op} ({Unsigned(type)})({right})))";
            return binary.Op switch
            {
                KBinaryOp.Add when IsSignedWrapping(type) => Wrapped("+"),
                KBinaryOp.Subtract when IsSignedWrapping(type) => Wrapped("-"),
                KBinaryOp.Multiply when IsSignedWrapping(type) => Wrapped("*"),
                KBinaryOp.ShiftLeft when IsSignedWrapping(type) => Wrapped("<<"),
                KBinaryOp.UnsignedShiftRight when IsSignedWrapping(type) => Wrapped(">>"),
                KBinaryOp.Remainder when ScalarTypes.IsFloatingPoint(type) => $"{_dialect.MathFunction("fmod", type)}({left}, {right})",
                KBinaryOp.Divide or KBinaryOp.Remainder when _checksFaults && MayFault(binary) => Checked(binary.Op == KBinaryOp.Divide ? "div" : "rem", type, binary.Type, left, right),
                _ => $"({left} {Operator(binary.Op)} {right})",
            };
        }

        private static string Operator(KBinaryOp op) => op switch
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
            KBinaryOp.UnsignedShiftRight => ">>",
            KBinaryOp.Equal => "==",
            KBinaryOp.NotEqual => "!=",
            KBinaryOp.Less => "<",
            KBinaryOp.LessOrEqual => "<=",
            KBinaryOp.Greater => ">",
            KBinaryOp.GreaterOrEqual => ">=",
            KBinaryOp.LogicalAnd => "&&",
            _ => "||",
        };

        private string Cast(KCast cast, KernelBody body)
        {
            string operand = Expression(cast.Operand, body);
            if (cast.Operand.Type == cast.Type)
            {
                return operand;
            }

            if (ScalarTypes.IsFloatingPoint(cast.Operand.Type) && !ScalarTypes.IsFloatingPoint(cast.Type))
            {
                return _dialect.FloatToInteger(cast.Operand.Type, cast.Type, operand);
            }

            return $"(({_dialect.Type(cast.Type)})({operand}))";
        }

        private string Math(KMathCall call, KernelBody body)
        {
            string[] arguments = call.Arguments.Select(a => Expression(a, body)).ToArray();
            ScalarType type = call.Arguments.Count > 0 ? call.Arguments[0].Type : call.Type;
            string function = call.Function.Substring(call.Function.IndexOf('.') + 1);
            string x = arguments.Length > 0 ? arguments[0] : string.Empty;
            bool floating = ScalarTypes.IsFloatingPoint(type);
            switch (function)
            {
                case "Abs" when floating:
                    return $"{_dialect.MathFunction("fabs", type)}({x})";
                case "Abs" when _checksFaults && MayFault(call):
                    return $"kiln_abs_{ScalarTypes.Keyword(type)}({x}, kiln_fault)";
                case "Abs" when IsSignedWrapping(type):
                    return $"(({_dialect.Type(type)})(({x}) < 0 ? ({Unsigned(type)})0 - ({Unsigned(type)})({x}) : ({Unsigned(type)})({x})))";
                case "Abs":
                    return $"(({_dialect.Type(type)})(({x}) < 0 ? -({x}) : ({x})))";
                case "Min" when floating:
                    return $"kiln_min_{_dialect.Type(type)}({x}, {arguments[1]})";
                case "Max" when floating:
                    return $"kiln_max_{_dialect.Type(type)}({x}, {arguments[1]})";
                case "Min":
                    return $"(({x}) < ({arguments[1]}) ? ({x}) : ({arguments[1]}))";
                case "Max":
                    return $"(({x}) > ({arguments[1]}) ? ({x}) : ({arguments[1]}))";
                case "Clamp":
                    return $"(({x}) < ({arguments[1]}) ? ({arguments[1]}) : (({x}) > ({arguments[2]}) ? ({arguments[2]}) : ({x})))";
                case "Sign" when floating && _checksFaults && MayFault(call):
                    // C# throws ArithmeticException for NaN: set the fault flag (the launch throws it) and give 0.
                    return $"(isnan({x}) ? (*kiln_fault = {DeviceContract.NaNFault}, 0) : (int)((({x}) > 0) - (({x}) < 0)))";
                case "Sign":
                    return $"((int)((({x}) > 0) - (({x}) < 0)))";
                case "IsNaN":
                    return $"(isnan({x}) != 0)";
                case "IsInfinity":
                    return $"(isinf({x}) != 0)";
                case "IsFinite":
                    return $"(isfinite({x}) != 0)";
                case "IsPositiveInfinity":
                    return $"(isinf({x}) != 0 && ({x}) > 0)";
                case "IsNegativeInfinity":
                    return $"(isinf({x}) != 0 && ({x}) < 0)";
            }

            if (!DeviceDialect.MathFunctions.TryGetValue(function, out string? name))
            {
                throw new InvalidOperationException($"No {_dialect.Name} counterpart for {call.Function}.");
            }

            return $"{_dialect.MathFunction(name, type)}({string.Join(", ", arguments)})";
        }

        /// <summary>
        /// A checked integer division or remainder of <paramref name="operands"/>-typed values; narrower types compute in
        /// int, as C# does, and the int result converts to the expression's <paramref name="result"/> type.
        /// </summary>
        private string Checked(string operation, ScalarType operands, ScalarType result, string left, string right)
        {
            if (operands is ScalarType.Int or ScalarType.UInt or ScalarType.Long or ScalarType.ULong)
            {
                return $"kiln_{operation}_{ScalarTypes.Keyword(operands)}({left}, {right}, kiln_fault)";
            }

            return $"(({_dialect.Type(result)})kiln_{operation}_int((int)({left}), (int)({right}), kiln_fault))";
        }

        private static bool IsSignedWrapping(ScalarType type) => type is ScalarType.Int or ScalarType.Long;

        private string Unsigned(ScalarType type) => _dialect.Type(type == ScalarType.Long ? ScalarType.ULong : ScalarType.UInt);

        private string Zero(ScalarType type) => type switch
        {
            ScalarType.Bool => "false",
            ScalarType.Float => "0.0f",
            ScalarType.Double => "0.0",
            _ => $"(({_dialect.Type(type)})0)",
        };

        private static string Local(string name) => "l_" + Sanitize(name);

        public static string Sanitize(string name)
        {
            var text = new StringBuilder();
            foreach (char c in name)
            {
                if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_')
                {
                    text.Append(c);
                }
                else
                {
                    text.Append("_u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
            }

            return text.ToString();
        }
    }
}
