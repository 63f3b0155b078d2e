using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>
    /// Recognizes the pipe types a stage works on and checks a stage's signature (KILN011): asynchronous, at most one
    /// <c>PipeWriter</c>, named <c>output</c>, and something to show for it (an output pipe or a result).
    /// </summary>
    public static class StageSignature
    {
        /// <summary><c>PipeReader</c>, as <see cref="ParameterSpec.TypeKey"/> spells it.</summary>
        public const string PipeReaderType = "global::System.IO.Pipelines.PipeReader";

        /// <summary><c>PipeWriter</c>, as <see cref="ParameterSpec.TypeKey"/> spells it.</summary>
        public const string PipeWriterType = "global::System.IO.Pipelines.PipeWriter";

        /// <summary>The one name a stage's <c>PipeWriter</c> may have.</summary>
        public const string OutputName = "output";

        public static bool IsPipeReader(ITypeSymbol type) => IsPipelinesType(type, "PipeReader");

        public static bool IsPipeWriter(ITypeSymbol type) => IsPipelinesType(type, "PipeWriter");

        /// <summary>Whether <paramref name="parameter"/> is a <c>PipeReader</c>.</summary>
        public static bool IsPipeReader(ParameterSpec parameter) => parameter.TypeKey == PipeReaderType;

        /// <summary>Whether the stage <paramref name="node"/> writes an output pipe.</summary>
        public static bool WritesPipe(NodeSpec node) => node.Kind == NodeKindSpec.Stage && OutputParameter(node) >= 0;

        /// <summary>The index of the stage's (first) <c>PipeWriter</c>, or -1.</summary>
        public static int OutputParameter(NodeSpec node)
        {
            for (int p = 0; p < node.Parameters.Count; p++)
            {
                // A misnamed writer is still the stage's output pipe: its name is reported once, nothing cascades.
                if (node.Parameters[p].Role == ParameterRole.PipeOutput)
                {
                    return p;
                }
            }

            return -1;
        }

        /// <summary>
        /// Whether a task output of type <paramref name="output"/> can feed a stage's <c>PipeReader</c>: a
        /// <c>PipeReader</c>, a <c>Stream</c>, <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c>.
        /// </summary>
        public static bool CanFeedPipe(ITypeSymbol output)
        {
            for (ITypeSymbol? type = output; type is not null; type = type.BaseType)
            {
                if (IsPipeReader(type)
                    || type is INamedTypeSymbol { Name: "Stream", ContainingNamespace: { Name: "IO", ContainingNamespace: { Name: "System",
                        ContainingNamespace.IsGlobalNamespace: true } } })
                {
                    return true;
                }
            }

            return output is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte }
                || output is INamedTypeSymbol { Name: "ReadOnlyMemory", Arity: 1, ContainingNamespace: { Name: "System",
                    ContainingNamespace.IsGlobalNamespace: true } } memory
                    && memory.TypeArguments[0].SpecialType == SpecialType.System_Byte;
        }

        public static EquatableArray<SignatureProblem> Check(IMethodSymbol method, ReturnShape shape)
        {
            var problems = new List<SignatureProblem>();
            bool isAsync = shape is ReturnShape.Task or ReturnShape.TaskOfT or ReturnShape.ValueTask or ReturnShape.ValueTaskOfT;
            if (!isAsync)
            {
                problems.Add(new SignatureProblem(-1,
                    $"it returns '{method.ReturnType.ToDisplayString()}'; a stage runs concurrently with its neighbours, so it must return Task, "
                    + "Task<T>, ValueTask or ValueTask<T>"));
            }

            int writers = 0;
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                if (!IsPipeWriter(parameter.Type))
                {
                    continue;
                }

                if (++writers > 1)
                {
                    problems.Add(new SignatureProblem(i, $"PipeWriter '{parameter.Name}' is a second output; a stage writes one pipe, 'PipeWriter output'"));
                }
                else if (parameter.Name != OutputName)
                {
                    problems.Add(new SignatureProblem(i, $"PipeWriter '{parameter.Name}' must be named 'output'"));
                }
            }

            if (isAsync && writers == 0 && shape is ReturnShape.Task or ReturnShape.ValueTask)
            {
                problems.Add(new SignatureProblem(-1, "it has neither an output pipe nor a result; add 'PipeWriter output' or return Task<T>"));
            }

            return problems.ToEquatableArray();
        }

        private static bool IsPipelinesType(ITypeSymbol type, string name) =>
            type is INamedTypeSymbol { Arity: 0 } named
            && named.Name == name
            && named.ContainingNamespace is { Name: "Pipelines", ContainingNamespace: { Name: "IO", ContainingNamespace: { Name: "System",
                ContainingNamespace.IsGlobalNamespace: true } } };
    }
}
