using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Testing
{
    /// <summary>
    /// Checks Kiln's diagnostics against <c>{|KILN001:marked|}</c> spans: runs the generator, then every analyzer in
    /// Kiln.Analyzers over the generated compilation, and requires the KILN diagnostics and the compiler errors to be
    /// exactly the marked ones (id and span). Any other compiler error fails, so a test also proves that an invalid
    /// pipeline causes no cascade of errors in code that calls its <c>RunAsync</c>.
    /// </summary>
    public static class AnalyzerVerifier
    {
        /// <summary>
        /// Verifies <paramref name="markupSources"/> (file <c>Source{i}.cs</c> each) and returns the KILN diagnostics in
        /// source order, for tests that also check messages or properties.
        /// </summary>
        public static ImmutableArray<Diagnostic> Verify(params string[] markupSources)
        {
            var sources = new string[markupSources.Length];
            var expected = new List<Reported>();
            for (int i = 0; i < markupSources.Length; i++)
            {
                (string source, List<ExpectedDiagnostic> marked) = Markup.Parse(markupSources[i]);
                sources[i] = source;
                expected.AddRange(marked.Select(m => new Reported(PathOf(i), m.Id, m.Span)));
            }

            GeneratedResult generated = KilnCompilation.Generate(sources);
            ImmutableArray<Diagnostic> all = KilnCompilation.Analyze(generated.Output);

            // KILN200 (info, one per fusion group) counts only where a test marks it.
            bool fusionMarked = expected.Any(e => e.Id == FusionGroupId);
            List<Diagnostic> actual = generated.GeneratorDiagnostics
                .Concat(all.Where(Matters).Where(d => fusionMarked || d.Id != FusionGroupId))
                .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                .ThenBy(d => d.Location.SourceSpan.Start)
                .ThenBy(d => d.Id, StringComparer.Ordinal)
                .ToList();

            List<Reported> reported = actual.Select(d => new Reported(d.Location.SourceTree?.FilePath ?? string.Empty, d.Id, d.Location.SourceSpan)).ToList();
            var missing = expected.Except(reported).ToList();
            var unexpected = reported.Except(expected).ToList();
            bool sameCount = expected.Count == reported.Count;
            if (missing.Count > 0 || unexpected.Count > 0 || !sameCount)
            {
                throw new VerificationException(Describe(sources, expected, actual));
            }

            return actual.Where(IsKiln).ToImmutableArray();
        }

        /// <summary>
        /// For code too broken to mark up (syntax errors, missing types): runs the generator and the analyzers and
        /// fails only if either of them crashed. Returns every diagnostic, compiler ones included.
        /// </summary>
        public static ImmutableArray<Diagnostic> VerifyNoCrash(string source)
        {
            GeneratedResult generated = KilnCompilation.Generate(source);
            ImmutableArray<Diagnostic> all = generated.GeneratorDiagnostics.AddRange(KilnCompilation.Analyze(generated.Output));
            List<Diagnostic> crashes = all.Where(d => d.Id is "AD0001" or "CS8784" or "CS8785").ToList();
            if (crashes.Count > 0)
            {
                throw new VerificationException("The generator or an analyzer crashed:\n" + string.Join("\n", crashes));
            }

            return all;
        }

        /// <summary>The file name <see cref="KilnCompilation.Create"/> gives source <paramref name="index"/>.</summary>
        public static string PathOf(int index) => $"Source{index}.cs";

        private static string[] Paths(int count) => Enumerable.Range(0, count).Select(PathOf).ToArray();

        private const string FusionGroupId = "KILN200";

        /// <summary>KILN diagnostics, analyzer crashes (AD0001) and every compiler error.</summary>
        private static bool Matters(Diagnostic diagnostic) =>
            IsKiln(diagnostic) || diagnostic.Id == "AD0001" || diagnostic.Severity == DiagnosticSeverity.Error;

        private static bool IsKiln(Diagnostic diagnostic) => diagnostic.Id.StartsWith("KILN", StringComparison.Ordinal);

        private static string Describe(string[] sources, List<Reported> expected, List<Diagnostic> actual)
        {
            var text = new StringBuilder("Diagnostics differ from the markup.\nExpected:\n");
            foreach (Reported e in expected)
            {
                string snippet = sources[Array.IndexOf(Paths(sources.Length), e.Path)].Substring(e.Span.Start, e.Span.Length);
                text.Append($"  {e.Path} {e.Id} {e.Span} '{snippet}'\n");
            }

            text.Append("Actual:\n");
            foreach (Diagnostic d in actual)
            {
                string snippet = d.Location.SourceTree?.GetText().ToString(d.Location.SourceSpan) ?? string.Empty;
                FileLinePositionSpan line = d.Location.GetLineSpan();
                text.Append($"  {line.Path}({line.StartLinePosition.Line + 1},{line.StartLinePosition.Character + 1}) {d.Id} {d.Location.SourceSpan} '{snippet}': {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}\n");
            }

            return text.ToString();
        }

        private sealed record Reported(string Path, string Id, TextSpan Span);
    }

    /// <summary>A verifier's finding: what was expected and what the compiler and analyzers reported.</summary>
    public sealed class VerificationException : Exception
    {
        /// <summary>Creates the exception with the full comparison as its message.</summary>
        public VerificationException(string message)
            : base(message)
        {
        }
    }
}
