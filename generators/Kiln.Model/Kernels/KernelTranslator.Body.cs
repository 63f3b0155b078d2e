using System.Collections.Generic;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Model
{
    public static partial class KernelTranslator
    {
        /// <summary>Translates one method: its signature here, its statements and expressions in the two visitors.</summary>
        private sealed class BodyTranslator
        {
            private readonly ProgramBuilder _program;
            private readonly IMethodSymbol _method;
            private readonly bool _isEntry;
            private readonly Dictionary<IParameterSymbol, int> _parameterIndexes = new(SymbolEqualityComparer.Default);
            private readonly List<KParameter> _parameters = new();

            public BodyTranslator(ProgramBuilder program, SemanticModel model, IMethodSymbol method, bool isEntry)
            {
                _program = program;
                _method = method;
                _isEntry = isEntry;
                Model = model;
                Statements = new StatementTranslator(this);
                Expressions = new ExpressionTranslator(this);
            }

            public SemanticModel Model { get; }

            public CancellationToken CancellationToken => _program.CancellationToken;

            public StatementTranslator Statements { get; }

            public ExpressionTranslator Expressions { get; }

            /// <summary>The return type, or null when it is not a scalar (reported at the signature, or KILN009's business).</summary>
            public ScalarType? ReturnType { get; private set; }

            /// <summary>
            /// How many times translation failed so far, reported or not. An outer construct (a call on a receiver, an
            /// operator) reports only when its operands translated without a failure, so the innermost problem is the one
            /// reported and a problem already reported elsewhere (a local's type) is not reported again at each use.
            /// </summary>
            public int Failures { get; private set; }

            /// <summary>Whether this body cannot be translated (with or without a diagnostic).</summary>
            public bool Failed { get; private set; }

            public KernelBody? Translate(BaseMethodDeclarationSyntax declaration)
            {
                TranslateSignature((MethodDeclarationSyntax)declaration);
                KBlock? body = null;
                if (declaration.Body is { } block)
                {
                    body = Statements.VisitBlock(block) as KBlock;
                }
                else if (declaration.ExpressionBody is { } arrow)
                {
                    KStmt? statement = Statements.Return(arrow.Expression);
                    body = statement is null ? null : new KBlock(new[] { statement }.ToEquatableArray());
                }

                if (body is null || Failed || ReturnType is not { } returnType)
                {
                    _program.Failed = true;
                    return null;
                }

                return new KernelBody(
                    _method.GetDocumentationCommentId() ?? _method.ToDisplayString(),
                    _method.Name,
                    _parameters.ToEquatableArray(),
                    returnType,
                    body);
            }

            /// <summary>Reports <paramref name="descriptor"/> at <paramref name="location"/>; the body fails.</summary>
            public KExpr? Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            {
                Failed = true;
                Failures++;
                _program.Report(descriptor, location, arguments);
                return null;
            }

            /// <summary>Fails the body without a diagnostic: the compiler, or a diagnostic elsewhere, already says why.</summary>
            public KExpr? Fail()
            {
                Failed = true;
                Failures++;
                return null;
            }

            public KExpr? Unsupported(SyntaxNode node, string what) => Report(DiagnosticDescriptors.KernelUnsupported, node.GetLocation(), what);

            public KExpr? Unsupported(SyntaxToken token, string what) => Report(DiagnosticDescriptors.KernelUnsupported, token.GetLocation(), what);

            /// <summary>The parameter's index and shape, or null when it is not usable (reported at the signature).</summary>
            public (int Index, KParameter Parameter)? ParameterOf(IParameterSymbol parameter) =>
                _parameterIndexes.TryGetValue(parameter, out int index) ? (index, _parameters[index]) : null;

            /// <summary>The helper's name in the program, translating it first; null when it cannot be called.</summary>
            public string? RequestHelper(IMethodSymbol helper, InvocationExpressionSyntax call)
            {
                string? name = _program.RequestHelper(helper, call);
                if (name is null)
                {
                    Failed = true;
                    Failures++;
                }

                return name;
            }

            /// <summary>Whether <paramref name="type"/> is broken code the compiler reports itself.</summary>
            public static bool IsError(ITypeSymbol? type) => type is null || type.TypeKind == TypeKind.Error;

            /// <summary>A type as a diagnostic shows it.</summary>
            public static string Display(ITypeSymbol type) =>
                type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);

            /// <summary>"ElementBindingExpression" → "element binding expressions", for constructs without a specific message.</summary>
            public static string Describe(SyntaxNode node)
            {
                string kind = node.Kind().ToString();
                var text = new StringBuilder();
                for (int i = 0; i < kind.Length; i++)
                {
                    if (i > 0 && char.IsUpper(kind[i]))
                    {
                        text.Append(' ');
                    }

                    text.Append(char.ToLowerInvariant(kind[i]));
                }

                return text.Append('s').ToString();
            }

            private void TranslateSignature(MethodDeclarationSyntax declaration)
            {
                // Kernels' and reductions' own signatures are KILN009/KILN010; helpers' are checked here.
                if (ScalarTypes.Of(_method.ReturnType) is { } returnType && !_method.ReturnsByRef && !_method.ReturnsByRefReadonly)
                {
                    ReturnType = returnType;
                }
                else if (!_isEntry && !IsError(_method.ReturnType))
                {
                    if (declaration.ReturnType is RefTypeSyntax refType)
                    {
                        Unsupported(refType.RefKeyword, "ref returns");
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.KernelType, declaration.ReturnType.GetLocation(), Display(_method.ReturnType));
                    }
                }
                else
                {
                    Fail();
                }

                for (int i = 0; i < _method.Parameters.Length; i++)
                {
                    IParameterSymbol parameter = _method.Parameters[i];
                    ParameterSyntax? syntax = i < declaration.ParameterList.Parameters.Count ? declaration.ParameterList.Parameters[i] : null;
                    KParameter? translated = TranslateParameter(parameter, syntax);
                    if (translated is null)
                    {
                        Fail();
                        continue;
                    }

                    _parameterIndexes.Add(parameter, _parameters.Count);
                    _parameters.Add(translated);
                }
            }

            private KParameter? TranslateParameter(IParameterSymbol parameter, ParameterSyntax? syntax)
            {
                if (parameter.RefKind != RefKind.None || parameter.IsParams)
                {
                    if (!_isEntry && syntax is not null)
                    {
                        foreach (SyntaxToken modifier in syntax.Modifiers)
                        {
                            if (modifier.IsKind(SyntaxKind.RefKeyword) || modifier.IsKind(SyntaxKind.OutKeyword)
                                || modifier.IsKind(SyntaxKind.InKeyword) || modifier.IsKind(SyntaxKind.ParamsKeyword))
                            {
                                Unsupported(modifier, "'" + modifier.ValueText + "' parameters");
                                break;
                            }
                        }
                    }

                    return null;
                }

                if (IsError(parameter.Type))
                {
                    return null;
                }

                if (ScalarTypes.Of(parameter.Type) is { } scalar)
                {
                    bool isIndex = _isEntry && scalar == ScalarType.Int && HasIndexAttribute(parameter);
                    return new KParameter(parameter.Name, scalar, isIndex ? KParameterKind.Index : KParameterKind.Scalar);
                }

                if (ScalarTypes.GatherElement(parameter.Type) is { } element && ScalarTypes.Of(element) is { } elementType)
                {
                    return new KParameter(parameter.Name, elementType, KParameterKind.Gather);
                }

                if (!_isEntry && syntax?.Type is { } typeSyntax)
                {
                    Report(DiagnosticDescriptors.KernelType, typeSyntax.GetLocation(), Display(parameter.Type));
                }

                return null;
            }

            private static bool HasIndexAttribute(IParameterSymbol parameter)
            {
                foreach (AttributeData attribute in parameter.GetAttributes())
                {
                    if (PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.IndexAttribute))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
