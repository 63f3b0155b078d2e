using Kiln.Model;
using Microsoft.CodeAnalysis;

namespace Kiln.Generators
{
    /// <summary>
    /// Turns each <c>[Pipeline]</c> class into its static plan, <c>RunAsync</c> and <c>Graph</c>. This file only wires
    /// the incremental pipeline; the steps are in <c>PipelineGenerator.Execute.cs</c>.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class PipelineGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<PipelineSpec> specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownNames.PipelineAttribute, IsTypeDeclaration, Discover)
                .Where(static spec => spec is not null)
                .Select(static (spec, _) => spec!)
                .WithTrackingName(TrackingNames.Discover);

            IncrementalValuesProvider<CompiledPipeline> compiled = specs
                .Select(static (spec, _) => PipelineCompiler.Compile(spec))
                .WithTrackingName(TrackingNames.Compile);

            IncrementalValuesProvider<LoweredPlan> plans = compiled
                .Select(static (pipeline, _) => PlanLowering.Lower(pipeline))
                .WithTrackingName(TrackingNames.Lower);

            context.RegisterSourceOutput(plans, Emit);
        }
    }

    /// <summary>Names of the generator's steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        /// <summary>Attribute → <see cref="PipelineSpec"/>.</summary>
        public const string Discover = nameof(Discover);

        /// <summary><see cref="PipelineSpec"/> → <see cref="CompiledPipeline"/>.</summary>
        public const string Compile = nameof(Compile);

        /// <summary><see cref="CompiledPipeline"/> → <see cref="LoweredPlan"/>.</summary>
        public const string Lower = nameof(Lower);
    }
}
