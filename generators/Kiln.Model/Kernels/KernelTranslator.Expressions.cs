using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Kiln.Model
{
    public static partial class KernelTranslator
    {
        /// <summary>
        /// One <c>Visit*</c> per expression, each returning the expression's value in its own C# type; <see cref="Translate"/>
        /// adds the implicit conversion the semantic model reports. Unsupported expressions report at their whole syntax.
        /// </summary>
        private sealed class ExpressionTranslator : CSharpSyntaxVisitor<KExpr?>
        {
            private readonly BodyTranslator _body;

            public ExpressionTranslator(BodyTranslator body) => _body = body;

            private SemanticModel Model => _body.Model;

            /// <summary>
            /// The value of <paramref name="expression"/> after its implicit conversion. A constant (literal, const field,
            /// <c>float.NaN</c>, folded arithmetic) becomes a <see cref="KConstant"/> of the converted type. A conversion to a
            /// type that is not a scalar (boxing to <c>object</c>, to <c>float?</c>…) fails silently: the syntax that declares that
            /// type (the local, parameter, return type or cast) is where it is reported, once.
            /// </summary>
            public KExpr? Translate(ExpressionSyntax expression)
            {
                TypeInfo info = Model.GetTypeInfo(expression, _body.CancellationToken);
                ITypeSymbol? converted = info.ConvertedType ?? info.Type;
                if (info.Type?.TypeKind == TypeKind.Error || converted?.TypeKind == TypeKind.Error)
                {
                    return _body.Fail();
                }

                Optional<object?> constant = Model.GetConstantValue(expression, _body.CancellationToken);
                if (constant.HasValue)
                {
                    if (ScalarTypes.Of(converted) is { } target && KernelConstants.Create(target, constant.Value) is { } value)
                    {
                        return value;
                    }

                    return constant.Value is string ? Allocation(expression, "strings") : _body.Fail();
                }

                KExpr? result = Visit(expression);
                if (result is null || converted is null || SymbolEqualityComparer.Default.Equals(converted, info.Type))
                {
                    return result;
                }

                Conversion conversion = Model.GetConversion(expression, _body.CancellationToken);
                if (!conversion.Exists)
                {
                    return _body.Fail();
                }

                return ScalarTypes.Of(converted) is { } scalar ? Cast(result, scalar) : _body.Fail();
            }

            /// <summary>A conversion to <paramref name="type"/>, or <paramref name="value"/> itself when it has that type.</summary>
            public static KExpr Cast(KExpr value, ScalarType type)
            {
                if (value.Type == type)
                {
                    return value;
                }

                // A constant converts at build time, exactly as C# would at run time.
                if (value is KConstant constant && type != ScalarType.Bool && constant.Type != ScalarType.Bool
                    && KernelConstants.Create(type, ValueOf(constant)) is { } converted)
                {
                    return converted;
                }

                return new KCast(type, value);
            }

            public static bool IsShift(KBinaryOp op) => op is KBinaryOp.ShiftLeft or KBinaryOp.ShiftRight or KBinaryOp.UnsignedShiftRight;

            /// <summary>C# uses the low 5 (or 6, for 64-bit operands) bits of a shift count; the IR makes that explicit.</summary>
            public static KExpr MaskShiftCount(KExpr count, ScalarType shifted)
            {
                int mask = ScalarTypes.Is64BitInteger(shifted) ? 63 : 31;
                return count is KConstant constant
                    ? KernelConstants.Integer(ScalarType.Int, unchecked((int)constant.Bits) & mask)
                    : new KBinary(ScalarType.Int, KBinaryOp.BitAnd, count, KernelConstants.Integer(ScalarType.Int, mask));
            }

            /// <summary>The local or parameter an assignment writes, or null (reported) when it is something else.</summary>
            public KExpr? AssignmentTarget(ExpressionSyntax target)
            {
                while (target is ParenthesizedExpressionSyntax parenthesized)
                {
                    target = parenthesized.Expression;
                }

                ISymbol? symbol = Model.GetSymbolInfo(target, _body.CancellationToken).Symbol;
                switch (symbol)
                {
                    case ILocalSymbol local:
                        return ScalarTypes.Of(local.Type) is { } localType ? new KLocalRef(localType, local.Name) : _body.Fail();
                    case IParameterSymbol parameter:
                        if (_body.ParameterOf(parameter) is not { } known)
                        {
                            return _body.Fail();
                        }

                        return known.Parameter.Kind == KParameterKind.Gather
                            ? _body.Unsupported(target, "assignments to a Gather<T>")
                            : new KParameterRef(known.Parameter.Type, known.Index);
                    case IFieldSymbol { IsStatic: true } field:
                        return StaticField(target, field);
                    case null:
                        return _body.Fail();
                    default:
                        return Visit(target) is null ? null : _body.Unsupported(target, "assignments to anything but locals and parameters");
                }
            }

            public override KExpr? VisitIdentifierName(IdentifierNameSyntax node) =>
                Symbol(node, Model.GetSymbolInfo(node, _body.CancellationToken).Symbol);

            public override KExpr? VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
            {
                if (node.IsKind(SyntaxKind.PointerMemberAccessExpression))
                {
                    return _body.Unsupported(node, "pointers");
                }

                ISymbol? symbol = Model.GetSymbolInfo(node, _body.CancellationToken).Symbol;
                if (symbol is IPropertySymbol { Name: "Length", IsStatic: false } property && ScalarTypes.GatherElement(property.ContainingType) is not null)
                {
                    return GatherParameter(node.Expression) is { } gather ? new KGatherLength(gather) : null;
                }

                // An instance member of something else: report the receiver's own problem first, if it has one.
                return symbol is { IsStatic: false } and not IParameterSymbol and not ILocalSymbol && !TranslatesAlone(node.Expression)
                    ? null
                    : Symbol(node, symbol);
            }

            /// <summary>
            /// Whether <paramref name="receiver"/> translates without a failure, ignoring its conversion: then the construct
            /// around it (a call on it, a <c>var</c> declared from it) is the one to report.
            /// </summary>
            public bool TranslatesAlone(ExpressionSyntax receiver)
            {
                Optional<object?> constant = Model.GetConstantValue(receiver, _body.CancellationToken);
                if (constant.HasValue)
                {
                    return constant.Value is not string || Allocation(receiver, "strings") is not null;
                }

                // Visit, not Translate: converting the receiver (boxing it for object.GetType) is the call's business.
                int failures = _body.Failures;
                Visit(receiver);
                return _body.Failures == failures;
            }

            private KExpr? Symbol(ExpressionSyntax node, ISymbol? symbol)
            {
                switch (symbol)
                {
                    case null:
                        return _body.Fail();
                    case IParameterSymbol parameter:
                        if (_body.ParameterOf(parameter) is not { } known)
                        {
                            return _body.Fail();
                        }

                        return known.Parameter.Kind == KParameterKind.Gather
                            ? _body.Unsupported(node, "a Gather<T> as a value (index it, read its Length, or pass it to a helper)")
                            : new KParameterRef(known.Parameter.Type, known.Index);
                    case ILocalSymbol local:
                        // A local of another type is reported at its declaration.
                        return ScalarTypes.Of(local.Type) is { } type ? new KLocalRef(type, local.Name) : _body.Fail();
                    case IFieldSymbol { IsStatic: true } field:
                        return StaticField(node, field);
                    case IFieldSymbol:
                        return _body.Unsupported(node, "instance fields");
                    case IPropertySymbol property:
                        return property.DeclaringSyntaxReferences.Length > 0
                            ? _body.Unsupported(node, "properties (use a static method)")
                            : _body.Report(DiagnosticDescriptors.KernelUnknownCall, node.GetLocation(), PropertyName(property));
                    case IMethodSymbol:
                        return _body.Unsupported(node, "method groups and delegates");
                    default:
                        return _body.Unsupported(node, BodyTranslator.Describe(node));
                }
            }

            private KExpr? StaticField(ExpressionSyntax node, IFieldSymbol field) =>
                field.IsConst
                    ? _body.Fail() // a const in a place that is no constant expression: the compiler says why
                    : _body.Report(DiagnosticDescriptors.KernelStaticField, node.GetLocation(), field.ContainingType.Name + "." + field.Name);

            private static string PropertyName(IPropertySymbol property) =>
                property.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) + "." + property.Name;

            /// <summary>The index of the gather parameter <paramref name="expression"/> names, or null (reported) otherwise.</summary>
            private int? GatherParameter(ExpressionSyntax expression)
            {
                while (expression is ParenthesizedExpressionSyntax parenthesized)
                {
                    expression = parenthesized.Expression;
                }

                if (Model.GetSymbolInfo(expression, _body.CancellationToken).Symbol is IParameterSymbol parameter)
                {
                    if (_body.ParameterOf(parameter) is { Parameter.Kind: KParameterKind.Gather } known)
                    {
                        return known.Index;
                    }

                    _body.Fail();
                    return null;
                }

                // Locals of Gather<T> are reported at their declaration; anything else is some other expression.
                if (Model.GetSymbolInfo(expression, _body.CancellationToken).Symbol is ILocalSymbol)
                {
                    _body.Fail();
                    return null;
                }

                _body.Unsupported(expression, "Gather<T> values other than parameters");
                return null;
            }

            public override KExpr? VisitElementAccessExpression(ElementAccessExpressionSyntax node)
            {
                ITypeSymbol? receiver = Model.GetTypeInfo(node.Expression, _body.CancellationToken).Type;
                if (ScalarTypes.GatherElement(receiver) is null)
                {
                    return BodyTranslator.IsError(receiver) || !TranslatesAlone(node.Expression)
                        ? _body.Fail()
                        : _body.Unsupported(node, "element access on '" + BodyTranslator.Display(receiver!) + "'");
                }

                if (node.ArgumentList.Arguments.Count != 1 || ScalarTypes.Of(Model.GetTypeInfo(node, _body.CancellationToken).Type) is not { } type)
                {
                    return _body.Fail();
                }

                int? gather = GatherParameter(node.Expression);
                KExpr? index = Translate(node.ArgumentList.Arguments[0].Expression);
                return gather is null || index is null ? null : new KGatherLoad(type, gather.Value, Cast(index, ScalarType.Int));
            }

            public override KExpr? VisitInvocationExpression(InvocationExpressionSyntax node)
            {
                if (Model.GetOperation(node, _body.CancellationToken) is not IInvocationOperation invocation)
                {
                    // A delegate or function pointer call, or broken code.
                    return Model.GetSymbolInfo(node, _body.CancellationToken).Symbol is IMethodSymbol { MethodKind: MethodKind.DelegateInvoke }
                        ? _body.Unsupported(node, "delegate calls")
                        : _body.Fail();
                }

                IMethodSymbol method = invocation.TargetMethod;
                if (method.MethodKind == MethodKind.LocalFunction)
                {
                    return _body.Fail(); // reported at the local function
                }

                if (method.MethodKind == MethodKind.DelegateInvoke)
                {
                    return _body.Unsupported(node, "delegate calls");
                }

                if (KnownMathFunctions.Find(method) is { } function)
                {
                    List<KExpr>? mathArguments = Arguments(node, invocation, function.ParameterTypes.AsImmutableArray());
                    return mathArguments is null ? null : new KMathCall(function.ReturnType, function.Canonical, mathArguments.ToEquatableArray());
                }

                IMethodSymbol target = (method.ReducedFrom ?? method).OriginalDefinition;
                if ((!method.IsStatic || method.ReducedFrom is not null) && node.Expression is MemberAccessExpressionSyntax access
                    && !TranslatesAlone(access.Expression))
                {
                    return null;
                }

                if (target.DeclaringSyntaxReferences.Length == 0)
                {
                    return _body.Report(DiagnosticDescriptors.KernelUnknownCall, node.GetLocation(), ProgramBuilder.DisplayName(target));
                }

                if (!target.IsStatic)
                {
                    return _body.Unsupported(node, "instance method calls");
                }

                if (target.IsGenericMethod)
                {
                    return _body.Unsupported(node, "generic method calls");
                }

                if (target.ReturnsVoid)
                {
                    return _body.Unsupported(node, "calls of methods that return nothing (kernel code has no side effects to call them for)");
                }

                string? helper = _body.RequestHelper(target, node);
                ScalarType? returnType = ScalarTypes.Of(target.ReturnType);
                var parameterTypes = target.Parameters
                    .Select(p => ScalarTypes.Of(p.Type) ?? ScalarTypes.Of(ScalarTypes.GatherElement(p.Type)) ?? ScalarType.Int)
                    .ToArray();
                List<KExpr>? arguments = Arguments(node, invocation, parameterTypes);
                return helper is null || returnType is null || arguments is null
                    ? _body.Fail()
                    : new KHelperCall(returnType.Value, helper, arguments.ToEquatableArray());
            }

            /// <summary>The arguments in parameter order, defaults filled in, each converted to its parameter's type.</summary>
            private List<KExpr>? Arguments(InvocationExpressionSyntax node, IInvocationOperation invocation, IReadOnlyList<ScalarType> parameterTypes)
            {
                var arguments = new KExpr?[invocation.Arguments.Length];
                bool ok = true;
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    int ordinal = argument.Parameter?.Ordinal ?? -1;
                    if (ordinal < 0 || ordinal >= arguments.Length || ordinal >= parameterTypes.Count)
                    {
                        _body.Fail();
                        return null;
                    }

                    KExpr? value = Argument(node, argument);
                    ok &= value is not null;
                    arguments[ordinal] = value is null ? null : Cast(value, parameterTypes[ordinal]);
                }

                return ok ? arguments.Select(a => a!).ToList() : null;
            }

            private KExpr? Argument(InvocationExpressionSyntax node, IArgumentOperation argument)
            {
                if (argument.ArgumentKind == ArgumentKind.ParamArray)
                {
                    return _body.Fail(); // reported at the helper's 'params' (a metadata method is a KILN103)
                }

                IParameterSymbol parameter = argument.Parameter!;
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                {
                    return ScalarTypes.Of(parameter.Type) is { } defaultType
                        && KernelConstants.Create(defaultType, argument.Value.ConstantValue.Value) is { } value
                        ? value
                        : _body.Fail();
                }

                // An extension method's receiver is an argument whose syntax is the receiver expression itself.
                ExpressionSyntax? expression = argument.Syntax switch
                {
                    ArgumentSyntax syntax when syntax.RefKindKeyword.IsKind(SyntaxKind.None) => syntax.Expression,
                    ArgumentSyntax syntax => null,
                    ExpressionSyntax receiver => receiver,
                    _ => null,
                };
                if (expression is null)
                {
                    return argument.Syntax is ArgumentSyntax { } byReference
                        ? _body.Unsupported(byReference.RefKindKeyword, "'" + byReference.RefKindKeyword.ValueText + "' arguments")
                        : _body.Fail();
                }

                if (ScalarTypes.GatherElement(parameter.Type) is { } element)
                {
                    return ScalarTypes.Of(element) is { } elementType && GatherParameter(expression) is { } gather
                        ? new KGatherRef(elementType, gather)
                        : null;
                }

                // A parameter of another type is reported at the helper's signature, once.
                return ScalarTypes.Of(parameter.Type) is null ? _body.Fail() : Translate(expression);
            }

            public override KExpr? VisitBinaryExpression(BinaryExpressionSyntax node)
            {
                KBinaryOp? op = node.Kind() switch
                {
                    SyntaxKind.AddExpression => KBinaryOp.Add,
                    SyntaxKind.SubtractExpression => KBinaryOp.Subtract,
                    SyntaxKind.MultiplyExpression => KBinaryOp.Multiply,
                    SyntaxKind.DivideExpression => KBinaryOp.Divide,
                    SyntaxKind.ModuloExpression => KBinaryOp.Remainder,
                    SyntaxKind.BitwiseAndExpression => KBinaryOp.BitAnd,
                    SyntaxKind.BitwiseOrExpression => KBinaryOp.BitOr,
                    SyntaxKind.ExclusiveOrExpression => KBinaryOp.BitXor,
                    SyntaxKind.LeftShiftExpression => KBinaryOp.ShiftLeft,
                    SyntaxKind.RightShiftExpression => KBinaryOp.ShiftRight,
                    SyntaxKind.UnsignedRightShiftExpression => KBinaryOp.UnsignedShiftRight,
                    SyntaxKind.EqualsExpression => KBinaryOp.Equal,
                    SyntaxKind.NotEqualsExpression => KBinaryOp.NotEqual,
                    SyntaxKind.LessThanExpression => KBinaryOp.Less,
                    SyntaxKind.LessThanOrEqualExpression => KBinaryOp.LessOrEqual,
                    SyntaxKind.GreaterThanExpression => KBinaryOp.Greater,
                    SyntaxKind.GreaterThanOrEqualExpression => KBinaryOp.GreaterOrEqual,
                    SyntaxKind.LogicalAndExpression => KBinaryOp.LogicalAnd,
                    SyntaxKind.LogicalOrExpression => KBinaryOp.LogicalOr,
                    _ => null,
                };
                if (op is not { } binary)
                {
                    return node.Kind() switch
                    {
                        SyntaxKind.CoalesceExpression => _body.Unsupported(node, "'??' (kernel values are never null)"),
                        SyntaxKind.IsExpression => _body.Unsupported(node, "type tests ('is')"),
                        SyntaxKind.AsExpression => _body.Unsupported(node, "'as' conversions"),
                        _ => _body.Unsupported(node, BodyTranslator.Describe(node)),
                    };
                }

                // String operators are reported whole; other operators only if their operands are fine by themselves.
                IMethodSymbol? @operator = Model.GetSymbolInfo(node, _body.CancellationToken).Symbol as IMethodSymbol;
                if (@operator is not null && @operator.Parameters.Any(p => p.Type.SpecialType == SpecialType.System_String))
                {
                    return Allocation(node, @operator.ReturnType.SpecialType == SpecialType.System_String ? "string concatenation" : "strings");
                }

                int failures = _body.Failures;
                KExpr? left = Translate(node.Left);
                KExpr? right = Translate(node.Right);
                if (_body.Failures != failures)
                {
                    return null;
                }

                // The operator's own operand types: a string +, a lifted int? +, a user-defined operator are no scalar arithmetic.
                if (@operator is not null)
                {
                    ITypeSymbol? offending = @operator.Parameters.Select(p => p.Type).Concat(new[] { @operator.ReturnType })
                        .FirstOrDefault(t => ScalarTypes.Of(t) is null);
                    if (offending is not null)
                    {
                        return BodyTranslator.IsError(offending)
                            ? _body.Fail()
                            : _body.Report(DiagnosticDescriptors.KernelType, node.GetLocation(), BodyTranslator.Display(offending));
                    }
                }

                ScalarType? type = ScalarTypes.Of(Model.GetTypeInfo(node, _body.CancellationToken).Type);
                if (type is null || left is null || right is null)
                {
                    return _body.Fail();
                }

                if (IsShift(binary))
                {
                    return new KBinary(type.Value, binary, Cast(left, type.Value), MaskShiftCount(Cast(right, ScalarType.Int), type.Value));
                }

                // The model converts both operands to the operator's type; make sure of it.
                ScalarType operands = left.Type == right.Type ? left.Type : ScalarTypes.Common(left.Type, right.Type);
                return new KBinary(type.Value, binary, Cast(left, operands), Cast(right, operands));
            }

            public override KExpr? VisitPrefixUnaryExpression(PrefixUnaryExpressionSyntax node)
            {
                KUnaryOp? op;
                switch (node.Kind())
                {
                    case SyntaxKind.UnaryMinusExpression:
                        op = KUnaryOp.Negate;
                        break;
                    case SyntaxKind.BitwiseNotExpression:
                        op = KUnaryOp.BitNot;
                        break;
                    case SyntaxKind.LogicalNotExpression:
                        op = KUnaryOp.LogicalNot;
                        break;
                    case SyntaxKind.UnaryPlusExpression:
                        op = null;
                        break;
                    case SyntaxKind.PreIncrementExpression:
                    case SyntaxKind.PreDecrementExpression:
                        return _body.Unsupported(node, "'++' and '--' inside an expression (make it a statement)");
                    case SyntaxKind.AddressOfExpression:
                    case SyntaxKind.PointerIndirectionExpression:
                        return _body.Unsupported(node, "pointers");
                    default:
                        return _body.Unsupported(node, BodyTranslator.Describe(node));
                }

                ITypeSymbol? resultType = Model.GetTypeInfo(node, _body.CancellationToken).Type;
                if (ScalarTypes.Of(resultType) is not { } type)
                {
                    return BodyTranslator.IsError(resultType)
                        ? _body.Fail()
                        : _body.Report(DiagnosticDescriptors.KernelType, node.GetLocation(), BodyTranslator.Display(resultType!));
                }

                KExpr? operand = Translate(node.Operand);
                if (operand is null)
                {
                    return null;
                }

                return op is { } unary ? new KUnary(type, unary, Cast(operand, type)) : Cast(operand, type);
            }

            public override KExpr? VisitPostfixUnaryExpression(PostfixUnaryExpressionSyntax node) =>
                node.IsKind(SyntaxKind.SuppressNullableWarningExpression)
                    ? Translate(node.Operand)
                    : _body.Unsupported(node, "'++' and '--' inside an expression (make it a statement)");

            public override KExpr? VisitParenthesizedExpression(ParenthesizedExpressionSyntax node) => Translate(node.Expression);

            public override KExpr? VisitConditionalExpression(ConditionalExpressionSyntax node)
            {
                if (node.Condition is RefExpressionSyntax || node.WhenTrue is RefExpressionSyntax)
                {
                    return _body.Unsupported(node, "ref conditionals");
                }

                // A conditional of another type is reported where that type is declared (the local, parameter, cast).
                ScalarType? type = ScalarTypes.Of(Model.GetTypeInfo(node, _body.CancellationToken).Type);
                KExpr? condition = Translate(node.Condition);
                KExpr? whenTrue = Translate(node.WhenTrue);
                KExpr? whenFalse = Translate(node.WhenFalse);
                return type is null || condition is null || whenTrue is null || whenFalse is null
                    ? _body.Fail()
                    : new KConditional(type.Value, Cast(condition, ScalarType.Bool), Cast(whenTrue, type.Value), Cast(whenFalse, type.Value));
            }

            public override KExpr? VisitCastExpression(CastExpressionSyntax node)
            {
                ITypeSymbol? target = Model.GetTypeInfo(node.Type, _body.CancellationToken).Type;
                if (ScalarTypes.Of(target) is not { } type)
                {
                    return BodyTranslator.IsError(target)
                        ? _body.Fail()
                        : _body.Report(DiagnosticDescriptors.KernelType, node.Type.GetLocation(), BodyTranslator.Display(target!));
                }

                KExpr? operand = Translate(node.Expression);
                return operand is null ? null : Cast(operand, type);
            }

            public override KExpr? VisitCheckedExpression(CheckedExpressionSyntax node) =>
                node.IsKind(SyntaxKind.CheckedExpression)
                    ? _body.Unsupported(node, "'checked' arithmetic (kernel arithmetic wraps)")
                    : Translate(node.Expression);

            public override KExpr? VisitAssignmentExpression(AssignmentExpressionSyntax node) =>
                _body.Unsupported(node, "assignments inside an expression (make it a statement)");

            public override KExpr? VisitObjectCreationExpression(ObjectCreationExpressionSyntax node) => Allocation(node, "'new'");

            public override KExpr? VisitImplicitObjectCreationExpression(ImplicitObjectCreationExpressionSyntax node) => Allocation(node, "'new'");

            public override KExpr? VisitAnonymousObjectCreationExpression(AnonymousObjectCreationExpressionSyntax node) =>
                Allocation(node, "anonymous objects");

            public override KExpr? VisitArrayCreationExpression(ArrayCreationExpressionSyntax node) => Allocation(node, "arrays");

            public override KExpr? VisitImplicitArrayCreationExpression(ImplicitArrayCreationExpressionSyntax node) => Allocation(node, "arrays");

            public override KExpr? VisitCollectionExpression(CollectionExpressionSyntax node) => Allocation(node, "collection expressions");

            public override KExpr? VisitInitializerExpression(InitializerExpressionSyntax node) => Allocation(node, "arrays");

            public override KExpr? VisitInterpolatedStringExpression(InterpolatedStringExpressionSyntax node) => Allocation(node, "string interpolation");

            public override KExpr? VisitLiteralExpression(LiteralExpressionSyntax node) =>
                node.IsKind(SyntaxKind.StringLiteralExpression) || node.IsKind(SyntaxKind.Utf8StringLiteralExpression)
                    ? Allocation(node, "strings")
                    : Translate(node); // a constant, reached as a receiver

            public override KExpr? VisitStackAllocArrayCreationExpression(StackAllocArrayCreationExpressionSyntax node) =>
                _body.Unsupported(node, "'stackalloc'");

            public override KExpr? VisitImplicitStackAllocArrayCreationExpression(ImplicitStackAllocArrayCreationExpressionSyntax node) =>
                _body.Unsupported(node, "'stackalloc'");

            public override KExpr? VisitTupleExpression(TupleExpressionSyntax node) => _body.Unsupported(node, "tuples");

            public override KExpr? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) => _body.Unsupported(node, "lambdas");

            public override KExpr? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) => _body.Unsupported(node, "lambdas");

            public override KExpr? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node) => _body.Unsupported(node, "anonymous methods");

            public override KExpr? VisitQueryExpression(QueryExpressionSyntax node) => _body.Unsupported(node, "LINQ queries");

            public override KExpr? VisitAwaitExpression(AwaitExpressionSyntax node) => _body.Unsupported(node, "'await'");

            public override KExpr? VisitSwitchExpression(SwitchExpressionSyntax node) => _body.Unsupported(node, "switch expressions (use ?:)");

            public override KExpr? VisitIsPatternExpression(IsPatternExpressionSyntax node) => _body.Unsupported(node, "patterns ('is')");

            public override KExpr? VisitTypeOfExpression(TypeOfExpressionSyntax node) => _body.Unsupported(node, "'typeof'");

            public override KExpr? VisitConditionalAccessExpression(ConditionalAccessExpressionSyntax node) => _body.Unsupported(node, "'?.'");

            public override KExpr? VisitThisExpression(ThisExpressionSyntax node) => _body.Unsupported(node, "'this'");

            public override KExpr? VisitBaseExpression(BaseExpressionSyntax node) => _body.Unsupported(node, "'base'");

            public override KExpr? VisitRefExpression(RefExpressionSyntax node) => _body.Unsupported(node, "'ref' expressions");

            public override KExpr? VisitThrowExpression(ThrowExpressionSyntax node) =>
                _body.Report(DiagnosticDescriptors.KernelException, node.ThrowKeyword.GetLocation(), "'throw'");

            public override KExpr? DefaultVisit(SyntaxNode node) => _body.Unsupported(node, BodyTranslator.Describe(node));

            private KExpr? Allocation(ExpressionSyntax node, string what) =>
                _body.Report(DiagnosticDescriptors.KernelAllocation, node.GetLocation(), what);

            private static object ValueOf(KConstant constant) => constant.Type switch
            {
                ScalarType.Float => System.BitConverter.ToSingle(System.BitConverter.GetBytes((uint)constant.Bits), 0),
                ScalarType.Double => System.BitConverter.Int64BitsToDouble(unchecked((long)constant.Bits)),
                ScalarType.ULong => constant.Bits,
                ScalarType.SByte => unchecked((sbyte)constant.Bits),
                ScalarType.Short => unchecked((short)constant.Bits),
                ScalarType.Int => unchecked((int)constant.Bits),
                ScalarType.Long => unchecked((long)constant.Bits),
                _ => (object)constant.Bits,
            };
        }
    }
}
