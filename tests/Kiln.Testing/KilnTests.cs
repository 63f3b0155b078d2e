using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Analyzers;
using Kiln.CodeFixes;
using Kiln.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Kiln.Testing
{
    /// <summary>
    /// Kiln's analyzers tested as a user's build runs them: Kiln's generator first, then every analyzer of
    /// Kiln.Analyzers over the compilation with the generated code. Expected diagnostics are written as
    /// <c>{|KILN001:marked|}</c> spans (compiler errors too: <c>{|CS0103:Fetc|}</c>); every KILN diagnostic, analyzer
    /// crash (AD0001), generator diagnostic and compiler error must be marked, so a test also proves that an invalid
    /// pipeline causes no cascade of errors in code that calls its <c>RunAsync</c>. The generated sources are not
    /// compared here (<see cref="KilnGeneratorTest"/> does that).
    /// </summary>
    public sealed class KilnAnalyzerTest : CSharpAnalyzerTest<PipelineAnalyzer, DefaultVerifier>
    {
        private readonly object _gate = new();
        private ImmutableArray<Diagnostic> _diagnostics;

        /// <summary>A test with Kiln's references, language version and nullable context.</summary>
        public KilnAnalyzerTest()
        {
            ReferenceAssemblies = KilnReferences.Assemblies;
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        /// <summary>
        /// Whether KILN200 (info, one per fusion group) is verified even where no source marks it. By default it counts
        /// only where a test marks it.
        /// </summary>
        public bool CheckFusionGroups { get; set; }

        /// <summary>
        /// The KILN diagnostics of the verified run, in source order, for tests that also check messages or properties.
        /// Set by <see cref="AnalyzerTest{TVerifier}.RunAsync"/>.
        /// </summary>
        public ImmutableArray<Diagnostic> KilnDiagnostics
        {
            get
            {
                lock (_gate)
                {
                    return _diagnostics.IsDefault ? throw new InvalidOperationException("The test has not run yet.") : _diagnostics;
                }
            }
        }

        /// <inheritdoc />
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => KilnCompilation.Analyzers;

        /// <inheritdoc />
        protected override IEnumerable<Type> GetSourceGenerators() => KilnTestSettings.Generators;

        /// <inheritdoc />
        protected override CompilationOptions CreateCompilationOptions() => KilnTestSettings.CompilationOptions;

        /// <inheritdoc />
        protected override ParseOptions CreateParseOptions() => KilnCompilation.ParseOptions;

        /// <inheritdoc />
        protected override Project ApplyCompilationOptions(Project project) => KilnTestSettings.AddReferences(base.ApplyCompilationOptions(project));

        /// <inheritdoc />
        protected override Task RunImplAsync(CancellationToken cancellationToken)
        {
            if (!CheckFusionGroups)
            {
                KilnTestSettings.HideUnmarkedFusionGroups(this, TestState);
            }

            return base.RunImplAsync(cancellationToken);
        }

        /// <inheritdoc />
        protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics)
        {
            ImmutableArray<(Project project, Diagnostic diagnostic)> filtered = base.FilterDiagnostics(diagnostics);
            lock (_gate)
            {
                // The first list is the one verified against the markup; later ones are the package's own variations
                // (the same sources with `#pragma warning disable` on top).
                if (_diagnostics.IsDefault)
                {
                    _diagnostics = filtered.Select(d => d.diagnostic).Where(KilnTestSettings.IsKiln)
                        .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                        .ThenBy(d => d.Location.SourceSpan.Start)
                        .ThenBy(d => d.Id, StringComparer.Ordinal)
                        .ToImmutableArray();
                }
            }

            return filtered;
        }
    }

    /// <summary>
    /// Kiln's code fixes (every provider of Kiln.CodeFixes) over diagnostics computed as <see cref="KilnAnalyzerTest"/>
    /// computes them. The package applies the fixes one by one and as Fix All (document, project, solution), compares
    /// each result with <see cref="CodeFixTest{TVerifier}.FixedCode"/>, and requires the fixed code to have no
    /// diagnostic left: no KILN diagnostic and no compiler error. <c>FixedCode = TestCode</c> asserts that no fix is
    /// offered.
    /// </summary>
    public sealed class KilnCodeFixTest : CSharpCodeFixTest<PipelineAnalyzer, MakePipelineStaticPartialCodeFix, DefaultVerifier>
    {
        /// <summary>A test with Kiln's references, language version and nullable context.</summary>
        public KilnCodeFixTest()
        {
            ReferenceAssemblies = KilnReferences.Assemblies;
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        /// <summary>Every code fix provider in Kiln.CodeFixes, found by reflection like the analyzers.</summary>
        public static ImmutableArray<CodeFixProvider> Providers { get; } = typeof(MakePipelineStaticPartialCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        /// <inheritdoc />
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => KilnCompilation.Analyzers;

        /// <inheritdoc />
        protected override IEnumerable<CodeFixProvider> GetCodeFixProviders() => Providers;

        /// <inheritdoc />
        protected override IEnumerable<Type> GetSourceGenerators() => KilnTestSettings.Generators;

        /// <inheritdoc />
        protected override CompilationOptions CreateCompilationOptions() => KilnTestSettings.CompilationOptions;

        /// <inheritdoc />
        protected override ParseOptions CreateParseOptions() => KilnCompilation.ParseOptions;

        /// <inheritdoc />
        protected override Project ApplyCompilationOptions(Project project) => KilnTestSettings.AddReferences(base.ApplyCompilationOptions(project));

        /// <inheritdoc />
        protected override Task RunImplAsync(CancellationToken cancellationToken)
        {
            KilnTestSettings.HideUnmarkedFusionGroups(this, TestState);
            return base.RunImplAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Kiln's generator alone (no analyzers): every generated source must be listed in
    /// <c>TestState.GeneratedSources</c> with its hint name and exact text (unless the test sets
    /// <see cref="TestBehaviors.SkipGeneratedSourcesCheck"/>), and every generator diagnostic and compiler error of
    /// the compilation with the generated code must be expected.
    /// </summary>
    public sealed class KilnGeneratorTest : CSharpSourceGeneratorTest<PipelineGenerator, DefaultVerifier>
    {
        /// <summary>A test with Kiln's references, language version and nullable context.</summary>
        public KilnGeneratorTest()
        {
            ReferenceAssemblies = KilnReferences.Assemblies;

            // The package compiles with DocumentationMode.Diagnose, so the generated XML docs are checked (a malformed
            // one is a CS1570-CS1584 warning, which fails a test that sets CompilerDiagnostics.Warnings). The test
            // sources themselves carry no docs: their "missing XML comment" warnings are off.
            DisabledDiagnostics.Add("CS1591");
        }

        /// <summary>The path under which the package lists a source generated with <paramref name="hintName"/>.</summary>
        public static (Type Generator, string HintName) Generated(string hintName) => (typeof(PipelineGenerator), hintName);

        /// <inheritdoc />
        protected override CompilationOptions CreateCompilationOptions() => KilnTestSettings.CompilationOptions;

        /// <inheritdoc />
        protected override ParseOptions CreateParseOptions() => KilnCompilation.ParseOptions;

        /// <inheritdoc />
        protected override Project ApplyCompilationOptions(Project project) => KilnTestSettings.AddReferences(base.ApplyCompilationOptions(project));
    }

    /// <summary>Shortcuts for the common shapes of <see cref="KilnAnalyzerTest"/> and <see cref="KilnCodeFixTest"/>.</summary>
    public static class KilnVerifier
    {
        /// <summary>
        /// Verifies the markup of <paramref name="sources"/> (one file each) with <see cref="KilnAnalyzerTest"/> and
        /// returns the KILN diagnostics in source order.
        /// </summary>
        public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(params string[] sources)
        {
            var test = new KilnAnalyzerTest();
            foreach (string source in sources)
            {
                test.TestState.Sources.Add(source);
            }

            await test.RunAsync().ConfigureAwait(false);
            return test.KilnDiagnostics;
        }

        /// <summary>Verifies the markup of <paramref name="source"/>, then that Kiln's fixes turn it into <paramref name="fixedSource"/>.</summary>
        public static Task FixAsync(string source, string fixedSource) =>
            new KilnCodeFixTest { TestCode = source, FixedCode = fixedSource }.RunAsync();

        /// <summary>Verifies the markup of <paramref name="source"/>, then that no fix is offered for its diagnostics.</summary>
        public static Task NoFixAsync(string source) =>
            new KilnCodeFixTest { TestCode = source, FixedCode = source }.RunAsync();
    }

    /// <summary>The settings the three test kinds share.</summary>
    internal static class KilnTestSettings
    {
        private const string FusionGroupId = "KILN200";

        public static Type[] Generators { get; } = { typeof(PipelineGenerator) };

        /// <summary>As <see cref="KilnCompilation.Create"/> compiles: a library with nullable reference types on.</summary>
        public static CompilationOptions CompilationOptions { get; } =
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

        public static Project AddReferences(Project project) => project.AddMetadataReferences(KilnReferences.All);

        public static bool IsKiln(Diagnostic diagnostic) => diagnostic.Id.StartsWith("KILN", StringComparison.Ordinal);

        /// <summary>KILN200 (info, one per fusion group) counts only where a test marks it.</summary>
        public static void HideUnmarkedFusionGroups<TVerifier>(AnalyzerTest<TVerifier> test, SolutionState state)
            where TVerifier : IVerifier, new()
        {
            if (!state.Sources.Any(s => s.content.ToString().Contains("{|" + FusionGroupId + ":", StringComparison.Ordinal))
                && !state.ExpectedDiagnostics.Any(d => d.Id == FusionGroupId))
            {
                test.DisabledDiagnostics.Add(FusionGroupId);
            }
        }
    }
}
