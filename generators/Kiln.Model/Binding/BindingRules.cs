using System;
using System.Collections.Generic;

namespace Kiln.Model
{
    /// <summary>What binding needs to know of one parameter, read from its symbol by discovery.</summary>
    /// <param name="Name">The parameter's name.</param>
    /// <param name="Position">Its position in the method's parameter list.</param>
    /// <param name="IsIndex">Whether it is marked <c>[Index]</c>.</param>
    /// <param name="HasFrom">Whether it is marked <c>[From]</c>.</param>
    /// <param name="From">The <c>[From]</c> argument, or null when it is not a constant string.</param>
    /// <param name="IsPipeWriter">Whether its type is <c>PipeWriter</c>.</param>
    /// <param name="IsCancellationToken">Whether its type is <c>CancellationToken</c>.</param>
    public readonly record struct ParameterFacts(
        string Name, int Position, bool IsIndex, bool HasFrom, string? From, bool IsPipeWriter, bool IsCancellationToken);

    /// <summary>
    /// SPEC section 2's binding precedence, in the order SPEC lists it, preceded by the roles a node's kind gives
    /// (a kernel's index, a reduction's accumulator, a stage's output pipe).
    /// </summary>
    public sealed class BindingRules
    {
        // Names are case-insensitive for binding; an exact match wins over a case-insensitive one.
        private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _folded = new(StringComparer.OrdinalIgnoreCase);

        /// <param name="nodeNames">The node names in <see cref="PipelineSpec.Nodes"/> order; the first of equal names wins.</param>
        public BindingRules(IReadOnlyList<string> nodeNames)
        {
            for (int i = 0; i < nodeNames.Count; i++)
            {
                if (!_exact.ContainsKey(nodeNames[i]))
                {
                    _exact.Add(nodeNames[i], i);
                }

                if (!_folded.ContainsKey(nodeNames[i]))
                {
                    _folded.Add(nodeNames[i], i);
                }
            }
        }

        /// <summary>The node named exactly <paramref name="name"/> (as <c>nameof</c> writes it), or -1.</summary>
        public int NodeNamed(string? name) => name is not null && _exact.TryGetValue(name, out int node) ? node : -1;

        /// <summary>
        /// How parameter <paramref name="parameter"/> of node <paramref name="self"/> binds, and to which producer (-1
        /// unless <see cref="ParameterRole.Node"/>).
        /// </summary>
        public (ParameterRole Role, int Producer) Bind(ParameterFacts parameter, int self, NodeKindSpec kind)
        {
            if (kind is NodeKindSpec.Kernel or NodeKindSpec.Map && parameter.IsIndex)
            {
                return (ParameterRole.Index, -1);
            }

            if (kind == NodeKindSpec.Reduce && parameter.Position == 0)
            {
                return (ParameterRole.Accumulator, -1);
            }

            if (kind == NodeKindSpec.Stage && parameter.IsPipeWriter)
            {
                return (ParameterRole.PipeOutput, -1);
            }

            // 1. [From(nameof(X))]: node X's output, by exact name.
            if (parameter.HasFrom)
            {
                return parameter.From is not null && _exact.TryGetValue(parameter.From, out int named)
                    ? (ParameterRole.Node, named)
                    : (ParameterRole.UnknownProducer, -1);
            }

            // 2. A node's name, ignoring case. A parameter named as its own node (SPEC's `Gamma(float exposure, float
            // gamma)`) cannot mean its own output: it falls through to the next rules, usually a pipeline input.
            if ((_exact.TryGetValue(parameter.Name, out int producer) || _folded.TryGetValue(parameter.Name, out producer)) && producer != self)
            {
                return (ParameterRole.Node, producer);
            }

            // 3. A CancellationToken: the run's token. 4. Anything else: a pipeline input.
            return parameter.IsCancellationToken ? (ParameterRole.Cancellation, -1) : (ParameterRole.Input, -1);
        }
    }
}
