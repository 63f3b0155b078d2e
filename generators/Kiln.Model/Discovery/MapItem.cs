using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>Which collections a <c>[Map]</c> runs over (SPEC section 10).</summary>
    internal static class MapItem
    {
        /// <summary>
        /// The element type of <paramref name="collection"/> when it is <c>T[]</c> or implements <c>IReadOnlyList&lt;T&gt;</c>
        /// (exactly once) for <c>T</c> the type of <paramref name="parameter"/>, nullability aside; otherwise null.
        /// </summary>
        public static ITypeSymbol? ElementOf(ITypeSymbol collection, ITypeSymbol parameter)
        {
            if (collection is IArrayTypeSymbol { Rank: 1 } array)
            {
                return SymbolEqualityComparer.Default.Equals(array.ElementType, parameter) ? array.ElementType : null;
            }

            ITypeSymbol? found = null;
            int lists = 0;
            if (IsReadOnlyList(collection))
            {
                found = ((INamedTypeSymbol)collection).TypeArguments[0];
                lists++;
            }

            foreach (INamedTypeSymbol implemented in collection.AllInterfaces)
            {
                if (IsReadOnlyList(implemented))
                {
                    found = implemented.TypeArguments[0];
                    lists++;
                }
            }

            // A type listing several element types is ambiguous: it is no collection of items.
            return lists == 1 && SymbolEqualityComparer.Default.Equals(found, parameter) ? found : null;
        }

        private static bool IsReadOnlyList(ITypeSymbol type) =>
            type is INamedTypeSymbol
            {
                Name: "IReadOnlyList",
                Arity: 1,
                ContainingNamespace:
                {
                    Name: "Generic",
                    ContainingNamespace: { Name: "Collections", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } },
                },
            };
    }
}
