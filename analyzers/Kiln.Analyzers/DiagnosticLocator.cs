using System.Collections.Immutable;
using System.Threading;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Analyzers
{
    /// <summary>
    /// Turns a <see cref="ModelDiagnostic"/>, which knows nodes and parameters by index, into the precise source
    /// location to report it at: an identifier or an attribute argument.
    /// </summary>
    internal sealed class DiagnosticLocator
    {
        private readonly INamedTypeSymbol _type;
        private readonly PipelineSpec _spec;
        private readonly ImmutableArray<IMethodSymbol> _nodes;
        private readonly CancellationToken _cancellationToken;

        public DiagnosticLocator(INamedTypeSymbol type, PipelineSpec spec, CancellationToken cancellationToken)
        {
            _type = type;
            _spec = spec;
            _nodes = PipelineDiscovery.NodeMethods(type);
            _cancellationToken = cancellationToken;
        }

        /// <summary>
        /// Where to report <paramref name="problem"/>, or null when what it is about is itself a compiler error (a broken
        /// attribute, a missing type), which the compiler already reports.
        /// </summary>
        public Location? Locate(ModelDiagnostic problem)
        {
            IMethodSymbol? method = problem.Node >= 0 && problem.Node < _nodes.Length ? _nodes[problem.Node] : null;
            switch (problem.Target)
            {
                case DiagnosticTarget.Method when method is not null:
                    return FirstSourceLocation(method) ?? TypeLocation();

                case DiagnosticTarget.Parameter when method is not null:
                    if (problem.Id == DiagnosticIds.TypeMismatch && MismatchInvolvesMissingType(problem.Node, problem.Parameter))
                    {
                        return null;
                    }

                    return Parameter(method, problem.Parameter) is IParameterSymbol parameter
                        ? FirstSourceLocation(parameter) ?? FirstSourceLocation(method) ?? TypeLocation()
                        : FirstSourceLocation(method) ?? TypeLocation();

                case DiagnosticTarget.FromArgument when method is not null:
                    return Parameter(method, problem.Parameter) is IParameterSymbol target
                        ? FromArgument(target)
                        : FirstSourceLocation(method) ?? TypeLocation();

                case DiagnosticTarget.AfterArgument when method is not null:
                    return AfterArgument(method, problem.Attribute, problem.Argument);

                case DiagnosticTarget.WhenArgument when method is not null:
                    return When(method, argument: true);

                case DiagnosticTarget.WhenAttribute when method is not null:
                    return When(method, argument: false);

                case DiagnosticTarget.Member when problem.Arguments.Count > 0:
                    return UserMember(problem.Arguments[0]) ?? TypeLocation();

                default:
                    return TypeLocation();
            }
        }

        /// <summary>The identifier of the declaration that carries <c>[Pipeline]</c> (a partial class may have several).</summary>
        private Location TypeLocation()
        {
            foreach (AttributeData attribute in _type.GetAttributes())
            {
                if (PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.PipelineAttributeName)
                    && attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is AttributeSyntax syntax)
                {
                    switch (syntax.Parent?.Parent)
                    {
                        case BaseTypeDeclarationSyntax declaration:
                            return declaration.Identifier.GetLocation();
                        case DelegateDeclarationSyntax declaration:
                            return declaration.Identifier.GetLocation();
                    }
                }
            }

            return FirstSourceLocation(_type) ?? Location.None;
        }

        // The analyzers see the generated members too; the user's own declaration is the one outside Kiln's files.
        private Location? UserMember(string name)
        {
            foreach (ISymbol member in _type.GetMembers(name))
            {
                foreach (Location location in member.Locations)
                {
                    if (location.IsInSource && !PipelineDiscovery.IsGeneratedByKiln(location.SourceTree))
                    {
                        return location;
                    }
                }
            }

            return null;
        }

        private Location? FromArgument(IParameterSymbol parameter)
        {
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                if (!PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.FromAttribute))
                {
                    continue;
                }

                if (IsBroken(attribute, argument: 0)
                    || attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax
                    || syntax.ArgumentList is not { Arguments.Count: > 0 } arguments)
                {
                    return null;
                }

                return arguments.Arguments[0].Expression.GetLocation();
            }

            return FirstSourceLocation(parameter);
        }

        /// <summary>The name argument of the method's <c>[When]</c> (or the whole attribute), null when the compiler reports it broken.</summary>
        private Location? When(IMethodSymbol method, bool argument)
        {
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (!PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.WhenAttribute))
                {
                    continue;
                }

                if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax)
                {
                    return FirstSourceLocation(method);
                }

                if (!argument)
                {
                    return syntax.GetLocation();
                }

                if (IsBroken(attribute, argument: 0) || syntax.ArgumentList is not { Arguments.Count: > 0 } arguments)
                {
                    return null;
                }

                return arguments.Arguments[0].Expression.GetLocation();
            }

            return FirstSourceLocation(method);
        }

        private Location? AfterArgument(IMethodSymbol method, int attributeIndex, int argumentIndex)
        {
            int index = 0;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (!PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.AfterAttribute))
                {
                    continue;
                }

                if (index++ != attributeIndex)
                {
                    continue;
                }

                if (IsBroken(attribute, argumentIndex)
                    || attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax
                    || syntax.ArgumentList is not { } arguments)
                {
                    return null;
                }

                return ParamsElement(arguments, argumentIndex)?.GetLocation() ?? syntax.GetLocation();
            }

            return FirstSourceLocation(method);
        }

        /// <summary>
        /// The syntax of element <paramref name="index"/> of a <c>params string[]</c> argument, whether written in
        /// expanded form (<c>[After("A", "B")]</c>) or as one array (<c>[After(new[] { "A", "B" })]</c>).
        /// </summary>
        private static ExpressionSyntax? ParamsElement(AttributeArgumentListSyntax arguments, int index)
        {
            if (arguments.Arguments.Count == 1)
            {
                ExpressionSyntax only = arguments.Arguments[0].Expression;
                SeparatedSyntaxList<ExpressionSyntax>? elements = only switch
                {
                    ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
                    ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions,
                    _ => null,
                };
                if (elements is { } list)
                {
                    return index < list.Count ? list[index] : only;
                }

                if (only is CollectionExpressionSyntax collection)
                {
                    return index < collection.Elements.Count && collection.Elements[index] is ExpressionElementSyntax element
                        ? element.Expression
                        : only;
                }
            }

            return index < arguments.Arguments.Count ? arguments.Arguments[index].Expression : null;
        }

        /// <summary>
        /// Whether the compiler could not bind the attribute or the argument the model read as a name (a missing
        /// argument, a wrong type): the compiler reports that itself. (<c>nameof</c> of a missing name still gives a
        /// constant, so it gets KILN006 and its suggestion.)
        /// </summary>
        private static bool IsBroken(AttributeData attribute, int argument)
        {
            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length == 0)
            {
                return true;
            }

            TypedConstant first = attribute.ConstructorArguments[0];
            if (first.Kind == TypedConstantKind.Error)
            {
                return true;
            }

            if (first.Kind == TypedConstantKind.Array && !first.IsNull && argument >= 0 && argument < first.Values.Length)
            {
                return first.Values[argument].Kind == TypedConstantKind.Error;
            }

            return false;
        }

        /// <summary>
        /// Whether a KILN004 compares against a type the compiler could not find: the compiler's own error (CS0246)
        /// says what is wrong, and the generator still emits stubs, so nothing cascades.
        /// </summary>
        private bool MismatchInvolvesMissingType(int node, int parameterIndex)
        {
            if (Parameter(_nodes[node], parameterIndex) is not IParameterSymbol parameter
                || parameterIndex >= _spec.Nodes[node].Parameters.Count)
            {
                return false;
            }

            int producer = _spec.Nodes[node].Parameters[parameterIndex].Producer;
            return ContainsErrorType(parameter.Type)
                || (producer >= 0 && producer < _nodes.Length && ContainsErrorType(_nodes[producer].ReturnType));
        }

        private static bool ContainsErrorType(ITypeSymbol type)
        {
            switch (type)
            {
                case { TypeKind: TypeKind.Error }:
                    return true;
                case IArrayTypeSymbol array:
                    return ContainsErrorType(array.ElementType);
                case INamedTypeSymbol named:
                    foreach (ITypeSymbol argument in named.TypeArguments)
                    {
                        if (ContainsErrorType(argument))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }

        private static IParameterSymbol? Parameter(IMethodSymbol method, int index) =>
            index >= 0 && index < method.Parameters.Length ? method.Parameters[index] : null;

        private static Location? FirstSourceLocation(ISymbol symbol)
        {
            foreach (Location location in symbol.Locations)
            {
                if (location.IsInSource)
                {
                    return location;
                }
            }

            return null;
        }
    }
}
