using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>Maps C# types to <see cref="ScalarType"/> and back to their C# keywords.</summary>
    public static class ScalarTypes
    {
        /// <summary>The scalar <paramref name="type"/> is, or null for any other type.</summary>
        public static ScalarType? Of(ITypeSymbol? type) => type?.SpecialType switch
        {
            SpecialType.System_Boolean => ScalarType.Bool,
            SpecialType.System_SByte => ScalarType.SByte,
            SpecialType.System_Byte => ScalarType.Byte,
            SpecialType.System_Int16 => ScalarType.Short,
            SpecialType.System_UInt16 => ScalarType.UShort,
            SpecialType.System_Int32 => ScalarType.Int,
            SpecialType.System_UInt32 => ScalarType.UInt,
            SpecialType.System_Int64 => ScalarType.Long,
            SpecialType.System_UInt64 => ScalarType.ULong,
            SpecialType.System_Single => ScalarType.Float,
            SpecialType.System_Double => ScalarType.Double,
            _ => null,
        };

        /// <summary>The element type of <c>Kiln.Gather&lt;T&gt;</c>, or null for any other type.</summary>
        public static ITypeSymbol? GatherElement(ITypeSymbol? type) =>
            type is INamedTypeSymbol
            {
                Name: "Gather", Arity: 1, ContainingNamespace: { Name: KnownNames.Namespace, ContainingNamespace.IsGlobalNamespace: true }
            } named
                ? named.TypeArguments[0]
                : null;

        /// <summary>The C# keyword of <paramref name="type"/> (<c>float</c>, <c>ulong</c>…).</summary>
        public static string Keyword(ScalarType type) => type switch
        {
            ScalarType.Bool => "bool",
            ScalarType.SByte => "sbyte",
            ScalarType.Byte => "byte",
            ScalarType.Short => "short",
            ScalarType.UShort => "ushort",
            ScalarType.Int => "int",
            ScalarType.UInt => "uint",
            ScalarType.Long => "long",
            ScalarType.ULong => "ulong",
            ScalarType.Float => "float",
            _ => "double",
        };

        /// <summary>Whether <paramref name="type"/> is <c>float</c> or <c>double</c>.</summary>
        public static bool IsFloatingPoint(ScalarType type) => type is ScalarType.Float or ScalarType.Double;

        /// <summary>
        /// The type C# computes a binary operator in for operands of <paramref name="left"/> and <paramref name="right"/>
        /// (binary numeric promotion).
        /// </summary>
        public static ScalarType Common(ScalarType left, ScalarType right)
        {
            if (left == ScalarType.Bool && right == ScalarType.Bool)
            {
                return ScalarType.Bool;
            }

            if (left == ScalarType.Double || right == ScalarType.Double)
            {
                return ScalarType.Double;
            }

            if (left == ScalarType.Float || right == ScalarType.Float)
            {
                return ScalarType.Float;
            }

            if (left == ScalarType.ULong || right == ScalarType.ULong)
            {
                return ScalarType.ULong;
            }

            if (left == ScalarType.Long || right == ScalarType.Long)
            {
                return ScalarType.Long;
            }

            if (left == ScalarType.UInt || right == ScalarType.UInt)
            {
                bool otherSigned = (left == ScalarType.UInt ? right : left) is ScalarType.SByte or ScalarType.Short or ScalarType.Int;
                return otherSigned ? ScalarType.Long : ScalarType.UInt;
            }

            return ScalarType.Int;
        }

        /// <summary>Whether <paramref name="type"/> is a 64-bit integer.</summary>
        public static bool Is64BitInteger(ScalarType type) => type is ScalarType.Long or ScalarType.ULong;

        /// <summary>The type C# computes <c>x + y</c> in for one operand of <paramref name="type"/>: smaller integers promote to int.</summary>
        public static ScalarType Promoted(ScalarType type) => type switch
        {
            ScalarType.SByte or ScalarType.Byte or ScalarType.Short or ScalarType.UShort => ScalarType.Int,
            _ => type,
        };
    }
}
