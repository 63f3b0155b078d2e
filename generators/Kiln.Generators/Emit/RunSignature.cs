using System.Collections.Generic;
using System.Linq;
using Kiln.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Generators.Emit
{
    /// <summary>
    /// The shape of the generated public surface, decided so that it compiles whatever the user wrote (SPEC section 7):
    /// which members to emit, their accessibility, the names of <c>RunAsync</c>'s own parameters, and a type for every
    /// input and sink that generated code can name.
    /// </summary>
    internal sealed class RunSignature
    {
        private readonly CompiledPipeline _pipeline;
        private readonly EquatableArray<bool> _skippable;

        public RunSignature(CompiledPipeline pipeline)
        {
            _pipeline = pipeline;
            _skippable = SkipAnalysis.CanSkip(pipeline);
            PipelineSpec spec = pipeline.Spec;
            BoundPipeline bound = pipeline.Bound;

            var inputUses = bound.Inputs.Select(input => InputUse(spec, input.Name)).ToList();
            InputTypes = bound.Inputs.Select((input, i) => Nameable(inputUses[i]) ? input.Type : "object?").ToList();

            // Code mid-edit has parameters and methods without a name yet: the stub leaves them out.
            Inputs = Enumerable.Range(0, bound.Inputs.Count).Where(i => SyntaxFacts.IsValidIdentifier(bound.Inputs[i].Name)).ToList();

            // The most restrictive type decides: internal types make RunAsync and Result internal (silently: what a
            // user of a public pipeline over internal types expects); private ones make them private (KILN018 says so).
            TypeUse widest = inputUses.Concat(bound.Sinks.Select(s => spec.Nodes[s].OutputUse)).Where(Nameable).DefaultIfEmpty(TypeUse.Public).Max();
            Accessibility = widest switch
            {
                TypeUse.Public => "public",
                TypeUse.Internal => "internal",
                _ => "private",
            };

            var inputNames = new HashSet<string>(bound.Inputs.Select(i => i.Name));
            OptionsName = FreeName("options", "kilnOptions", inputNames);
            CancellationName = FreeName("cancellationToken", "kilnCancellationToken", inputNames);

            bool taken(string name) => spec.Name == name || spec.ReservedMembers.Contains(name);
            EmitsRunAsync = !taken("RunAsync");
            EmitsGraph = !taken("Graph");
            EmitsResult = GeneratedMemberCheck.HasResultRecord(bound) && !taken("Result");

            // One property per sink name (overloads would repeat it) that a record may declare.
            var names = new HashSet<string>();
            RecordSinks = bound.Sinks.Where(s => GeneratedMemberCheck.CanBeRecordProperty(spec.Nodes[s].Name)
                && SyntaxFacts.IsValidIdentifier(spec.Nodes[s].Name) && names.Add(spec.Nodes[s].Name)).ToList();

            ResultType = bound.Sinks.Count switch
            {
                0 => "object?",
                1 => OutputType(bound.Sinks[0]),
                _ => EmitsResult ? "Result" : "object?",
            };

            IsRunnable = pipeline.IsValid
                && Inputs.Count == bound.Inputs.Count
                && spec.Nodes.All(n => SyntaxFacts.IsValidIdentifier(n.Name))
                && EmitsRunAsync && EmitsGraph && (EmitsResult || bound.Sinks.Count < 2)
                && inputUses.All(u => u <= TypeUse.Private)
                && spec.Nodes.All(n => !n.HasOutput || n.OutputUse <= TypeUse.Private);
        }

        /// <summary>Whether the whole run class is emitted; otherwise the members throw, naming the build errors.</summary>
        public bool IsRunnable { get; }

        public bool EmitsRunAsync { get; }

        public bool EmitsGraph { get; }

        public bool EmitsResult { get; }

        /// <summary><c>public</c>, <c>internal</c> or <c>private</c>: what the input and sink types allow.</summary>
        public string Accessibility { get; }

        /// <summary><c>options</c>, or <c>kilnOptions</c> when an input takes that name.</summary>
        public string OptionsName { get; }

        /// <summary><c>cancellationToken</c>, or <c>kilnCancellationToken</c> when an input takes that name.</summary>
        public string CancellationName { get; }

        /// <summary>The inputs <c>RunAsync</c> takes, by index into <see cref="BoundPipeline.Inputs"/>.</summary>
        public IReadOnlyList<int> Inputs { get; }

        /// <summary>Each input's type as <c>RunAsync</c> declares it, by input.</summary>
        public IReadOnlyList<string> InputTypes { get; }

        /// <summary>The sinks that get a property of <c>Result</c>.</summary>
        public IReadOnlyList<int> RecordSinks { get; }

        /// <summary>What <c>RunAsync</c>'s task carries.</summary>
        public string ResultType { get; }

        /// <summary>
        /// A sink's output type as generated members name it: <c>object?</c> for a type they cannot name, wrapped in
        /// <c>Optional&lt;T&gt;</c> when the run can skip the sink (SPEC section 10).
        /// </summary>
        public string OutputType(int node)
        {
            NodeSpec spec = _pipeline.Spec.Nodes[node];
            string type = spec.OutputType is not null && Nameable(spec.OutputUse) ? spec.OutputType : "object?";
            return node < _skippable.Count && _skippable[node] ? "global::Kiln.Optional<" + type + ">" : type;
        }

        private static bool Nameable(TypeUse use) => use <= TypeUse.Private;

        private static TypeUse InputUse(PipelineSpec spec, string name)
        {
            foreach (NodeSpec node in spec.Nodes)
            {
                foreach (ParameterSpec parameter in node.Parameters)
                {
                    if (parameter.Role == ParameterRole.Input && parameter.Name == name)
                    {
                        return parameter.Use;
                    }
                }
            }

            return TypeUse.Public;
        }

        private static string FreeName(string preferred, string fallback, HashSet<string> taken)
        {
            if (!taken.Contains(preferred))
            {
                return preferred;
            }

            string name = fallback;
            while (taken.Contains(name))
            {
                name += "_";
            }

            return name;
        }
    }
}
