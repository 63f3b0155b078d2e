using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kiln.Analyzers
{
    /// <summary>
    /// Reports the declaration, signature and binding rules of a <c>[Pipeline]</c> class (KILN001–KILN019): every
    /// problem in <see cref="CompiledPipeline.Problems"/>; the warning KILN020 for distributed nodes that run in the
    /// process; and KILN200 for each fusion group of a valid pipeline.
    /// </summary>
    /// <remarks>
    /// One analyzer for all of these rules is deliberate: they are all answers of one model computation
    /// (<see cref="PipelineDiscovery.Discover"/> then <see cref="PipelineCompiler.Compile"/>), the same one the
    /// generator runs, so the IDE and the generated code can never disagree and the model is built once per class.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PipelineAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>The key of <see cref="Diagnostic.Properties"/> holding the closest node name for KILN006.</summary>
        public const string SuggestionProperty = "Suggestion";

        /// <inheritdoc />
        private static readonly ImmutableArray<DiagnosticDescriptor> Rules = ImmutableArray.Create(
            DiagnosticDescriptors.Cycle,
            DiagnosticDescriptors.NotStaticPartial,
            DiagnosticDescriptors.InvalidNodeMethod,
            DiagnosticDescriptors.TypeMismatch,
            DiagnosticDescriptors.InputTypeConflict,
            DiagnosticDescriptors.UnknownNode,
            DiagnosticDescriptors.NoOutput,
            DiagnosticDescriptors.DuplicateNode,
            DiagnosticDescriptors.InvalidKernel,
            DiagnosticDescriptors.InvalidReduction,
            DiagnosticDescriptors.InvalidStage,
            DiagnosticDescriptors.SeveralKinds,
            DiagnosticDescriptors.ConditionNotBool,
            DiagnosticDescriptors.InvalidMap,
            DiagnosticDescriptors.NotTaskOrMap,
            DiagnosticDescriptors.NotSerializable,
            DiagnosticDescriptors.ReservedName,
            DiagnosticDescriptors.PrivateSignatureType,
            DiagnosticDescriptors.UnholdableType,
            DiagnosticDescriptors.DistributedRunsHere,
            DiagnosticDescriptors.FusionGroup);

        private static readonly ImmutableDictionary<string, DiagnosticDescriptor> ById = Rules.ToImmutableDictionary(d => d.Id);

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Rules;

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolStartAction(OnTypeStart, SymbolKind.NamedType);
        }

        private static void OnTypeStart(SymbolStartAnalysisContext context)
        {
            if (context.Symbol is not INamedTypeSymbol type || !PipelineDiscovery.IsPipeline(type))
            {
                return;
            }

            // Reported at symbol end: the start context cannot report, and by then the type's members are analyzed.
            context.RegisterSymbolEndAction(end => Analyze(end, type));
        }

        private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type)
        {
            CancellationToken cancellationToken = context.CancellationToken;
            PipelineSpec spec = PipelineDiscovery.Discover(type, context.Compilation, cancellationToken, translateKernels: false);
            CompiledPipeline compiled = PipelineCompiler.Compile(spec);
            var locator = new DiagnosticLocator(type, spec, cancellationToken);
            if (compiled.IsValid)
            {
                ReportDistributedHere(context, spec, locator);
                ReportFusionGroups(context, compiled, locator);
                return;
            }

            foreach (ModelDiagnostic problem in compiled.Problems)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!ById.TryGetValue(problem.Id, out DiagnosticDescriptor? descriptor))
                {
                    continue;
                }

                // Null: the compiler already reports what is broken; a second error would only be noise.
                Location? location = locator.Locate(problem);
                if (location is null)
                {
                    continue;
                }

                ImmutableDictionary<string, string?> properties = problem.Suggestion is null
                    ? ImmutableDictionary<string, string?>.Empty
                    : ImmutableDictionary<string, string?>.Empty.Add(SuggestionProperty, problem.Suggestion);
                object[] arguments = new object[problem.Arguments.Count];
                for (int i = 0; i < arguments.Length; i++)
                {
                    arguments[i] = problem.Arguments[i];
                }

                context.ReportDiagnostic(Diagnostic.Create(descriptor, location, properties, arguments));
            }
        }

        // KILN020: a warning per node marked Distributed = true whose pipeline cannot host the table of distributed nodes.
        // Not one of the model's problems: the pipeline is valid and runs, with those nodes in the process. Only for a
        // valid pipeline: beside errors (a file-local class is already KILN002) it would be noise.
        private static void ReportDistributedHere(SymbolAnalysisContext context, PipelineSpec spec, DiagnosticLocator locator)
        {
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                if (!spec.Nodes[n].DistributedHere)
                {
                    continue;
                }

                var at = new ModelDiagnostic(DiagnosticIds.DistributedRunsHere, DiagnosticTarget.Method, n, -1, -1, -1, EquatableArray<string>.Empty);
                if (locator.Locate(at) is { } location)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.DistributedRunsHere, location, spec.Nodes[n].Name, spec.Name, spec.DistributedHostProblem));
                }
            }
        }

        // KILN200: one info per fusion group, at its first member, naming every member.
        private static void ReportFusionGroups(SymbolAnalysisContext context, CompiledPipeline compiled, DiagnosticLocator locator)
        {
            foreach (FusionGroupSpec group in compiled.Schedule!.FusionGroups)
            {
                var at = new ModelDiagnostic(DiagnosticIds.FusionGroup, DiagnosticTarget.Method, group.Members[0], -1, -1, -1, EquatableArray<string>.Empty);
                if (locator.Locate(at) is { } location)
                {
                    string members = string.Join(", ", group.Members.Select(m => compiled.Spec.Nodes[m].Name));
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FusionGroup, location, group.Name, members));
                }
            }
        }
    }
}
