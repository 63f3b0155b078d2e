using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>A .NET math method that has an OpenCL C and a CUDA C counterpart.</summary>
    /// <param name="Canonical">
    /// The name kernels IR calls it by: the declaring type's C# name and the method, e.g. <c>MathF.Sqrt</c>, <c>float.IsNaN</c>.
    /// </param>
    /// <param name="ReturnType">Its return type.</param>
    /// <param name="ParameterTypes">Its parameter types (one canonical name has several overloads, told apart by these).</param>
    /// <param name="Remarks">Where C# semantics need care in a device dialect, what C# does; otherwise null.</param>
    public sealed record KnownMathFunction(string Canonical, ScalarType ReturnType, EquatableArray<ScalarType> ParameterTypes, string? Remarks);

    /// <summary>
    /// The one table of the .NET math methods kernel code may call: <c>System.Math</c>, <c>System.MathF</c> and the
    /// <c>float</c>/<c>double</c> classification methods, each only where OpenCL C and CUDA C have a counterpart.
    /// Constants (<c>Math.PI</c>, <c>float.NaN</c>, <c>int.MaxValue</c>…) are C# constants and need no entry.
    /// </summary>
    public static class KnownMathFunctions
    {
        private const string NaNPropagating = "returns NaN if either argument is NaN, and +0 over -0 (Max) or -0 over +0 (Min)";
        private const string RoundToEven = "rounds halfway cases to even (rint), not away from zero";
        private const string AbsOverflow = "throws OverflowException for MinValue, on the CPU and on devices alike";
        private const string SignNaN = "returns an int; throws ArithmeticException for NaN, on the CPU and on devices alike";
        private const string ClampOrder = "throws ArgumentException when min > max on the CPU";

        private static readonly ScalarType[] Floats = { ScalarType.Float, ScalarType.Double };
        private static readonly ScalarType[] Numbers =
        {
            ScalarType.SByte, ScalarType.Byte, ScalarType.Short, ScalarType.UShort, ScalarType.Int,
            ScalarType.UInt, ScalarType.Long, ScalarType.ULong, ScalarType.Float, ScalarType.Double,
        };

        private static readonly string[] UnaryFloat =
        {
            "Sqrt", "Cbrt", "Exp", "Log", "Log2", "Log10", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan",
            "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh", "Floor", "Ceiling", "Truncate",
        };

        private static readonly string[] BinaryFloat = { "Pow", "Atan2", "CopySign", "IEEERemainder" };

        /// <summary>Every entry.</summary>
        public static ImmutableArray<KnownMathFunction> All { get; } = Build();

        private static readonly Dictionary<string, KnownMathFunction> ByCanonicalAndParameters =
            All.ToDictionary(f => Key(f.Canonical, f.ParameterTypes));

        /// <summary>The entry for <paramref name="method"/>, or null when it is not a known math method.</summary>
        public static KnownMathFunction? Find(IMethodSymbol method)
        {
            if (!method.IsStatic || method.IsGenericMethod || method.ContainingType is not { } type
                || type.ContainingNamespace is not { Name: "System", ContainingNamespace.IsGlobalNamespace: true })
            {
                return null;
            }

            string? owner = type.SpecialType switch
            {
                SpecialType.System_Single => "float",
                SpecialType.System_Double => "double",
                _ => type.Name is "Math" or "MathF" && type.Arity == 0 ? type.Name : null,
            };
            if (owner is null)
            {
                return null;
            }

            var parameters = new ScalarType[method.Parameters.Length];
            for (int i = 0; i < parameters.Length; i++)
            {
                if (method.Parameters[i].RefKind != RefKind.None || ScalarTypes.Of(method.Parameters[i].Type) is not { } scalar)
                {
                    return null;
                }

                parameters[i] = scalar;
            }

            return ByCanonicalAndParameters.TryGetValue(Key(owner + "." + method.Name, parameters), out KnownMathFunction? function)
                && ScalarTypes.Of(method.ReturnType) == function.ReturnType
                ? function
                : null;
        }

        private static string Key(string canonical, IEnumerable<ScalarType> parameters) =>
            canonical + "(" + string.Join(",", parameters.Select(ScalarTypes.Keyword)) + ")";

        private static ImmutableArray<KnownMathFunction> Build()
        {
            var all = ImmutableArray.CreateBuilder<KnownMathFunction>();
            void Add(string canonical, ScalarType result, string? remarks, params ScalarType[] parameters) =>
                all.Add(new KnownMathFunction(canonical, result, parameters.ToEquatableArray(), remarks));

            foreach (ScalarType t in Floats)
            {
                // MathF has the float overloads; Math has the double ones, plus float overloads of Abs/Min/Max/Clamp/Sign.
                string owner = t == ScalarType.Float ? "MathF" : "Math";
                foreach (string name in UnaryFloat)
                {
                    Add(owner + "." + name, t, null, t);
                }

                Add(owner + ".Round", t, RoundToEven, t);
                foreach (string name in BinaryFloat)
                {
                    Add(owner + "." + name, t, name == "IEEERemainder" ? "IEEE remainder (remainder), not the truncated % (fmod)" : null, t, t);
                }

                Add(owner + ".FusedMultiplyAdd", t, "x * y + z rounded once (fma)", t, t, t);
                Add(owner + ".Abs", t, null, t);
                Add(owner + ".Min", t, NaNPropagating, t, t);
                Add(owner + ".Max", t, NaNPropagating, t, t);
                Add(owner + ".Sign", ScalarType.Int, SignNaN, t);

                string keyword = ScalarTypes.Keyword(t);
                Add(keyword + ".IsNaN", ScalarType.Bool, null, t);
                Add(keyword + ".IsInfinity", ScalarType.Bool, null, t);
                Add(keyword + ".IsFinite", ScalarType.Bool, null, t);
                Add(keyword + ".IsPositiveInfinity", ScalarType.Bool, null, t);
                Add(keyword + ".IsNegativeInfinity", ScalarType.Bool, null, t);
            }

            foreach (ScalarType t in Numbers)
            {
                if (t != ScalarType.Double)
                {
                    // Math.Min(double, double) etc. are added above; Math has these overloads for every other number.
                    Add("Math.Min", t, t == ScalarType.Float ? NaNPropagating : null, t, t);
                    Add("Math.Max", t, t == ScalarType.Float ? NaNPropagating : null, t, t);
                }

                Add("Math.Clamp", t, ClampOrder, t, t, t);
                if (t is ScalarType.SByte or ScalarType.Short or ScalarType.Int or ScalarType.Long or ScalarType.Float)
                {
                    Add("Math.Abs", t, t == ScalarType.Float ? null : AbsOverflow, t);
                    Add("Math.Sign", ScalarType.Int, t == ScalarType.Float ? SignNaN : null, t);
                }
            }

            return all.ToImmutable();
        }
    }
}
