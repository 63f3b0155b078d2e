using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Kiln.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kiln.Testing
{
    /// <summary>
    /// Compiles C# source against Kiln.Runtime in memory, runs Kiln's generator (and analyzers), and loads the result.
    /// </summary>
    public static class KilnCompilation
    {
        private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        {
            var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
            var references = paths
                .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal)
                    || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToList();
            references.Add(MetadataReference.CreateFromFile(typeof(PipelineAttribute).Assembly.Location));

            // Generated CUDA kernels are ILGPU kernels: the Kiln package brings ILGPU to every consumer.
            references.Add(MetadataReference.CreateFromFile(typeof(ILGPU.Index1D).Assembly.Location));
            references.Add(MetadataReference.CreateFromFile(typeof(ILGPU.Algorithms.XMath).Assembly.Location));
            return references.ToImmutableArray();
        });

        public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

        /// <summary>A compilation of <paramref name="sources"/> (no generator run yet).</summary>
        public static CSharpCompilation Create(params string[] sources) =>
            CSharpCompilation.Create(
                "KilnTest" + Guid.NewGuid().ToString("N"),
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
                References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        /// <summary>A driver with Kiln's generator, tracking steps for incrementality tests.</summary>
        public static GeneratorDriver CreateDriver() =>
            CSharpGeneratorDriver.Create(
                new[] { new PipelineGenerator().AsSourceGenerator() },
                parseOptions: ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator over <paramref name="sources"/>; returns the compilation with its output added.</summary>
        public static GeneratedResult Generate(params string[] sources)
        {
            CSharpCompilation input = Create(sources);
            GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            return new GeneratedResult(input, output, driver.GetRunResult(), generatorDiagnostics);
        }

        /// <summary>Every analyzer in Kiln.Analyzers, found by reflection so new rules are covered without listing them.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = LoadAnalyzers();

        private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers()
        {
            Assembly assembly = Assembly.Load("Kiln.Analyzers");
            return assembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray();
        }

        /// <summary>Analyzer diagnostics of <paramref name="compilation"/>, including AD0001 if an analyzer throws.</summary>
        public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, CancellationToken cancellationToken = default)
        {
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: null,
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false);
            var withAnalyzers = compilation.WithAnalyzers(Analyzers, options);
            return withAnalyzers.GetAllDiagnosticsAsync(cancellationToken).GetAwaiter().GetResult();
        }

        /// <summary>Emits <paramref name="compilation"/> and loads it into a collectible context; throws with the errors if it does not compile.</summary>
        public static Assembly Load(Compilation compilation)
        {
            using var stream = new MemoryStream();
            var emitted = compilation.Emit(stream);
            if (!emitted.Success)
            {
                throw new InvalidOperationException("Compilation failed:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            }

            stream.Position = 0;
            var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
            return context.LoadFromStream(stream);
        }

        /// <summary>
        /// Loads what a generator run produced, the way the differential tests need it: one emit both checks and loads
        /// (binding a large compilation twice would double a test's time). Throws, naming them, if the generator reported
        /// anything or the output has an error or a warning.
        /// </summary>
        public static Assembly LoadClean(GeneratedResult generated)
        {
            if (!generated.GeneratorDiagnostics.IsEmpty)
            {
                throw new InvalidOperationException("The generator reported:\n" + string.Join("\n", generated.GeneratorDiagnostics));
            }

            using var stream = new MemoryStream();
            var emitted = generated.Output.Emit(stream);
            var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            if (!emitted.Success || problems.Count > 0)
            {
                throw new InvalidOperationException("The generated code has errors or warnings:\n" + string.Join("\n", problems));
            }

            stream.Position = 0;
            return new AssemblyLoadContext(generated.Output.AssemblyName, isCollectible: true).LoadFromStream(stream);
        }
    }

    /// <summary>What a generator run produced.</summary>
    public sealed record GeneratedResult(
        Compilation Input,
        Compilation Output,
        GeneratorDriverRunResult RunResult,
        ImmutableArray<Diagnostic> GeneratorDiagnostics)
    {
        /// <summary>The generated sources' text, by hint name.</summary>
        public IReadOnlyDictionary<string, string> Sources =>
            RunResult.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());

        /// <summary>Compiler errors in the output compilation.</summary>
        public ImmutableArray<Diagnostic> Errors =>
            Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
    }
}
