using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>
    /// How a type may appear in the generated members (<c>RunAsync</c>, <c>Result</c>, the run class), from the least
    /// to the most restrictive: the emitter takes the maximum over every type of a signature.
    /// </summary>
    public enum TypeUse
    {
        /// <summary>Accessible wherever the pipeline class is: <c>RunAsync</c> keeps <c>public</c>.</summary>
        Public,
        /// <summary>Internal somewhere: a public <c>RunAsync</c> would be CS0051, so it becomes <c>internal</c>.</summary>
        Internal,
        /// <summary>Private or protected in the pipeline class or an enclosing type: only a <c>private</c> member may use it (KILN018).</summary>
        Private,
        /// <summary>Cannot be a field or a type argument: a pointer, a ref struct (KILN019).</summary>
        Unholdable,
        /// <summary>Cannot be named in generated code at all: an error type, a method's type parameter, an inaccessible type.</summary>
        Unnameable,
    }

    /// <summary>Decides <see cref="TypeUse"/> from symbols: the accessibility rules of C# (CS0050/CS0051) applied ahead of time.</summary>
    public static class GeneratedSignature
    {
        /// <summary>The names the generator adds to a pipeline class; a user member by one of them is KILN017.</summary>
        public static readonly IReadOnlyList<string> ReservedMemberNames = new[] { "RunAsync", "Graph", "Result", "__KilnRun", "__KilnNodes" };

        /// <summary>How <paramref name="type"/> may be used by members generated into <paramref name="pipeline"/>.</summary>
        public static TypeUse UseOf(ITypeSymbol type, INamedTypeSymbol pipeline)
        {
            var use = TypeUse.Public;
            Visit(type, pipeline, ref use, 0);
            return use;
        }

        private static void Visit(ITypeSymbol type, INamedTypeSymbol pipeline, ref TypeUse use, int depth)
        {
            if (depth > 32)
            {
                Raise(ref use, TypeUse.Unnameable);
                return;
            }

            switch (type)
            {
                case IErrorTypeSymbol:
                    Raise(ref use, TypeUse.Unnameable);
                    return;
                case ITypeParameterSymbol parameter:
                    // The pipeline's own type parameters and its enclosing types' are in scope; a method's are not.
                    if (parameter.TypeParameterKind != TypeParameterKind.Type
                        || parameter.DeclaringType is not INamedTypeSymbol declaring
                        || !Encloses(declaring, pipeline))
                    {
                        Raise(ref use, TypeUse.Unnameable);
                    }

                    return;
                case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                    Raise(ref use, TypeUse.Unholdable);
                    return;
                case IArrayTypeSymbol array:
                    Visit(array.ElementType, pipeline, ref use, depth + 1);
                    return;
                case IDynamicTypeSymbol:
                    return;
                case INamedTypeSymbol named:
                    if (named.IsRefLikeType || named.SpecialType is SpecialType.System_Void or SpecialType.System_TypedReference
                        or SpecialType.System_ArgIterator or SpecialType.System_RuntimeArgumentHandle)
                    {
                        Raise(ref use, TypeUse.Unholdable);
                    }

                    // A file-local type cannot be named from the generated file.
                    if (named.IsUnboundGenericType || named.IsFileLocal)
                    {
                        Raise(ref use, TypeUse.Unnameable);
                    }

                    for (INamedTypeSymbol? current = named; current is not null; current = current.ContainingType)
                    {
                        Raise(ref use, Restriction(current, pipeline));
                        foreach (ITypeSymbol argument in current.TypeArguments)
                        {
                            Visit(argument, pipeline, ref use, depth + 1);
                        }
                    }

                    return;
                default:
                    Raise(ref use, TypeUse.Unnameable);
                    return;
            }
        }

        // One type's own declared accessibility. Protected counts as private (a static class has no derived classes,
        // so only the declaring type's body can rely on it), protected internal as internal: both err on the safe side.
        private static TypeUse Restriction(INamedTypeSymbol type, INamedTypeSymbol pipeline)
        {
            switch (type.DeclaredAccessibility)
            {
                case Accessibility.Public:
                case Accessibility.NotApplicable:
                    return TypeUse.Public;
                case Accessibility.Internal:
                case Accessibility.ProtectedOrInternal:
                    return TypeUse.Internal;
                default:
                    // Private to the body of its containing type: usable by a private member of the pipeline only if
                    // the pipeline is that type or nested in it; and then not at all if the pipeline class itself is
                    // no more visible than that body (a private pipeline nested beside a private type).
                    INamedTypeSymbol? owner = type.ContainingType;
                    if (owner is null || !Encloses(owner, pipeline))
                    {
                        return TypeUse.Unnameable;
                    }

                    return PipelineDomainWithin(pipeline, owner) ? TypeUse.Public : TypeUse.Private;
            }
        }

        // Whether the pipeline class is itself visible only inside owner's body, so its public members are too.
        private static bool PipelineDomainWithin(INamedTypeSymbol pipeline, INamedTypeSymbol owner)
        {
            for (INamedTypeSymbol? current = pipeline;
                current is not null && !SymbolEqualityComparer.Default.Equals(current, owner);
                current = current.ContainingType)
            {
                if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal
                    && current.ContainingType is { } container && Encloses(owner, container))
                {
                    return true;
                }
            }

            return false;
        }

        // Whether outer is inner or one of inner's containing types.
        private static bool Encloses(INamedTypeSymbol outer, INamedTypeSymbol inner)
        {
            for (INamedTypeSymbol? current = inner; current is not null; current = current.ContainingType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, outer.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        private static void Raise(ref TypeUse use, TypeUse to)
        {
            if (to > use)
            {
                use = to;
            }
        }
    }
}
