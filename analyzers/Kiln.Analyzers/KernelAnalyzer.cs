using System.Collections.Concurrent;
using System.Collections.Immutable;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Analyzers
{
    /// <summary>
    /// Reports kernel bodies outside the kernel subset (KILN101–KILN107): runs <see cref="KernelTranslator"/>, the same
    /// translation the generator uses, over every <c>[Kernel]</c> and <c>[Reduce]</c> method of a <c>[Pipeline]</c> class.
    /// </summary>
    /// <remarks>
    /// A helper called by several kernels is translated for each of them; its diagnostics are reported once per
    /// compilation (keyed by id and location), so the IDE shows one squiggle per problem.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class KernelAnalyzer : DiagnosticAnalyzer
    {
        private static readonly ImmutableArray<DiagnosticDescriptor> Rules = ImmutableArray.Create(
            DiagnosticDescriptors.KernelAllocation,
            DiagnosticDescriptors.KernelException,
            DiagnosticDescriptors.KernelUnknownCall,
            DiagnosticDescriptors.KernelUnsupported,
            DiagnosticDescriptors.KernelRecursion,
            DiagnosticDescriptors.KernelType,
            DiagnosticDescriptors.KernelStaticField);

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Rules;

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var reported = new ConcurrentDictionary<(string Id, string Path, TextSpan Span), byte>();
                start.RegisterSymbolAction(symbol => AnalyzeType(symbol, reported), SymbolKind.NamedType);
            });
        }

        private static void AnalyzeType(SymbolAnalysisContext context, ConcurrentDictionary<(string, string, TextSpan), byte> reported)
        {
            if (context.Symbol is not INamedTypeSymbol type || !PipelineDiscovery.IsPipeline(type))
            {
                return;
            }

            foreach (IMethodSymbol method in PipelineDiscovery.NodeMethods(type))
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (!IsKernelOrReduction(method))
                {
                    continue;
                }

                KernelTranslation translation = KernelTranslator.Translate(method, context.Compilation, context.CancellationToken);
                foreach (Diagnostic diagnostic in translation.Diagnostics)
                {
                    Location location = diagnostic.Location;
                    if (reported.TryAdd((diagnostic.Id, location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan), 0))
                    {
                        context.ReportDiagnostic(diagnostic);
                    }
                }
            }
        }

        private static bool IsKernelOrReduction(IMethodSymbol method)
        {
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.KernelAttribute)
                    || PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.ReduceAttribute))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
