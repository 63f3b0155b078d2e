using System;
using System.Linq;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    // A node's call is written here and only here: a task in a unit, a stage, and a kernel or reduction per element
    // all read their arguments from the node's invocation and differ only in where an argument's value is found.
    internal static partial class PipelineEmitter
    {
        /// <summary>The call of <paramref name="invocation"/>'s method, each argument written by <paramref name="argument"/>.</summary>
        private static string CallExpression(LoweredPlan plan, Invocation invocation, Func<InvocationArgument, string> argument) =>
            CallExpression(plan, invocation, (a, _) => argument(a));

        /// <summary>The call of <paramref name="invocation"/>'s method, each argument written from it and its position.</summary>
        /// <remarks>A map or a retried task is called through its wrapper (PipelineEmitter.Maps.cs), which calls the method.</remarks>
        private static string CallExpression(LoweredPlan plan, Invocation invocation, Func<InvocationArgument, int, string> argument) =>
            invocation.Wrapped is { } wrapped
                ? WrapperCall(plan, invocation, wrapped)
                : MethodCall(plan, invocation, argument);

        /// <summary>The method's own call, each argument written from it and its position.</summary>
        private static string MethodCall(LoweredPlan plan, Invocation invocation, Func<InvocationArgument, int, string> argument) =>
            $"{Method(plan.Spec, invocation.Node)}({string.Join(", ", invocation.Arguments.Select(argument))})";

        /// <summary>Node <paramref name="node"/>'s method, qualified by its class: what every call of it names.</summary>
        private static string Method(PipelineSpec spec, int node) => $"{ClassReference(spec)}.{Identifier(spec.Nodes[node].Name)}";

        /// <summary>An argument read from the run's fields: a producer's value, an input, or the run's token.</summary>
        private static string FieldArgument(InvocationArgument argument) => argument.Source switch
        {
            ArgumentSource.ProducerValue => NodeField(argument.Producer),
            ArgumentSource.Token => "Token",
            ArgumentSource.OptionalValue => OptionalArgument(argument),
            _ => InputField(argument.Name),
        };

        private static string ClassReference(PipelineSpec spec)
        {
            string outer = string.Concat(spec.ContainingTypes.Select(t => t.Split(' ').Last() + "."));
            string prefix = spec.Namespace is null ? "global::" : "global::" + spec.Namespace + ".";
            return prefix + outer + Identifier(spec.Name) + spec.TypeParameters;
        }
    }
}
