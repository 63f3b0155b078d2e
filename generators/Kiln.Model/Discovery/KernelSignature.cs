using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>Checks the signatures of kernels (KILN009) and reductions (KILN010).</summary>
    public static class KernelSignature
    {
        /// <summary>Whether <paramref name="type"/> is a scalar kernels work on.</summary>
        public static bool IsScalar(ITypeSymbol type) => ScalarTypes.Of(type) is not null;

        /// <summary>The element type of <c>Kiln.Gather&lt;T&gt;</c>, or null for any other type.</summary>
        public static ITypeSymbol? GatherElement(ITypeSymbol type) => ScalarTypes.GatherElement(type);

        public static EquatableArray<SignatureProblem> CheckKernel(IMethodSymbol method, ReturnShape shape)
        {
            var problems = new List<SignatureProblem>();
            if (method.IsAsync || shape is not ReturnShape.Value)
            {
                problems.Add(new SignatureProblem(-1, $"it must return one scalar synchronously, not '{method.ReturnType.ToDisplayString()}'"));
            }
            else if (!IsScalar(method.ReturnType))
            {
                problems.Add(new SignatureProblem(-1,
                    $"it returns '{method.ReturnType.ToDisplayString()}', which is not a scalar (float, double, an integer type or bool)"));
            }

            for (int i = 0; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                if (parameter.RefKind != RefKind.None)
                {
                    problems.Add(new SignatureProblem(i, $"parameter '{parameter.Name}' is passed by reference; kernel parameters are values"));
                }
                else if (HasIndexAttribute(parameter))
                {
                    if (parameter.Type.SpecialType != SpecialType.System_Int32)
                    {
                        problems.Add(new SignatureProblem(i, $"[Index] parameter '{parameter.Name}' must be an int"));
                    }
                }
                else if (!IsScalar(parameter.Type) && GatherElement(parameter.Type) is not { } element)
                {
                    problems.Add(new SignatureProblem(i,
                        $"parameter '{parameter.Name}' is '{parameter.Type.ToDisplayString()}'; kernel parameters are scalars, Gather<T> of a scalar, "
                        + "or [Index] int"));
                }
                else if (GatherElement(parameter.Type) is { } gathered && !IsScalar(gathered))
                {
                    problems.Add(new SignatureProblem(i, $"parameter '{parameter.Name}' gathers '{gathered.ToDisplayString()}', which is not a scalar"));
                }
            }

            return problems.ToEquatableArray();
        }

        public static EquatableArray<SignatureProblem> CheckReduction(IMethodSymbol method, ReturnShape shape)
        {
            var problems = new List<SignatureProblem>();
            ITypeSymbol result = method.ReturnType;
            if (method.IsAsync || shape is not ReturnShape.Value || !IsScalar(result))
            {
                problems.Add(new SignatureProblem(-1, $"it returns '{result.ToDisplayString()}'; a reduction is 'T R(T acc, T x)' over a scalar T"));
            }

            if (method.Parameters.Length != 2)
            {
                problems.Add(new SignatureProblem(-1,
                    $"it has {method.Parameters.Length} parameters; a reduction has two, the accumulator and the stream element"));
                return problems.ToEquatableArray();
            }

            for (int i = 0; i < 2; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                if (parameter.RefKind != RefKind.None)
                {
                    problems.Add(new SignatureProblem(i, $"parameter '{parameter.Name}' is passed by reference"));
                }
                else if (!SymbolEqualityComparer.Default.Equals(parameter.Type, result) && IsScalar(result))
                {
                    problems.Add(new SignatureProblem(i,
                        $"parameter '{parameter.Name}' is '{parameter.Type.ToDisplayString()}' but the reduction returns '{result.ToDisplayString()}'; "
                        + "both parameters and the result share one type"));
                }
            }

            return problems.ToEquatableArray();
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
