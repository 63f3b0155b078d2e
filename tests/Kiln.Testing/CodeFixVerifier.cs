using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Testing
{
    /// <summary>
    /// Applies Kiln's code fixes in an <see cref="AdhocWorkspace"/>: checks the markup first (as
    /// <see cref="AnalyzerVerifier"/> does), applies one fix or Fix All, compares the text, and requires the fixed
    /// source to build with no error at all, KILN or compiler.
    /// </summary>
    public static class CodeFixVerifier
    {
        /// <summary>Every code fix provider in Kiln.CodeFixes, found by reflection like the analyzers.</summary>
        public static ImmutableArray<CodeFixProvider> Providers { get; } = Assembly.Load("Kiln.CodeFixes").GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        /// <summary>Applies the first fix offered for the first fixable diagnostic in <paramref name="markup"/>.</summary>
        public static Task VerifyAsync(string markup, string expectedFixed) => VerifyAsync(markup, expectedFixed, fixAll: false);

        /// <summary>Applies Fix All (document scope) for the first fixable diagnostic's fix in <paramref name="markup"/>.</summary>
        public static Task VerifyFixAllAsync(string markup, string expectedFixed) => VerifyAsync(markup, expectedFixed, fixAll: true);

        /// <summary>The titles of the fixes offered for the diagnostics of <paramref name="source"/> (no markup).</summary>
        public static async Task<ImmutableArray<string>> OfferedAsync(string source)
        {
            Document document = CreateDocument(source);
            var titles = ImmutableArray.CreateBuilder<string>();
            foreach (Diagnostic diagnostic in await DiagnosticsAsync(document).ConfigureAwait(false))
            {
                foreach (CodeFixProvider provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
                {
                    titles.AddRange((await ActionsAsync(document, provider, diagnostic).ConfigureAwait(false)).Select(a => a.Title));
                }
            }

            return titles.ToImmutable();
        }

        private static async Task VerifyAsync(string markup, string expectedFixed, bool fixAll)
        {
            AnalyzerVerifier.Verify(markup);
            (string source, _) = Markup.Parse(markup);
            Document document = CreateDocument(source);
            ImmutableArray<Diagnostic> diagnostics = await DiagnosticsAsync(document).ConfigureAwait(false);

            foreach (Diagnostic diagnostic in diagnostics)
            {
                foreach (CodeFixProvider provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
                {
                    ImmutableArray<CodeAction> actions = await ActionsAsync(document, provider, diagnostic).ConfigureAwait(false);
                    if (actions.Length == 0)
                    {
                        continue;
                    }

                    CodeAction action = fixAll ? await FixAllActionAsync(document, provider, actions[0], diagnostics).ConfigureAwait(false) : actions[0];
                    string actual = await ApplyAsync(document, action).ConfigureAwait(false);
                    if (Normalize(actual) != Normalize(expectedFixed))
                    {
                        throw new VerificationException($"Fixed source differs.\nExpected:\n{expectedFixed}\nActual:\n{actual}");
                    }

                    RequireNoErrors(actual);
                    return;
                }
            }

            throw new VerificationException("No code fix was offered for: " + string.Join(", ", diagnostics.Select(d => d.Id)));
        }

        private static Document CreateDocument(string source)
        {
            CSharpCompilation template = KilnCompilation.Create();
            var workspace = new AdhocWorkspace();
            Project project = workspace.CurrentSolution
                .AddProject("KilnFix", "KilnFix", LanguageNames.CSharp)
                .WithCompilationOptions(template.Options)
                .WithParseOptions(KilnCompilation.ParseOptions)
                .WithMetadataReferences(template.References);
            return project.AddDocument(AnalyzerVerifier.PathOf(0), SourceText.From(source), filePath: AnalyzerVerifier.PathOf(0));
        }

        /// <summary>Generator then analyzers over the document's own compilation, so locations are in the document's tree.</summary>
        private static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Document document)
        {
            Compilation compilation = (await document.Project.GetCompilationAsync().ConfigureAwait(false))!;
            KilnCompilation.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out _);
            return KilnCompilation.Analyze(generated)
                .Where(d => d.Id.StartsWith("KILN", StringComparison.Ordinal) && d.Location.SourceTree?.FilePath == document.FilePath)
                .OrderBy(d => d.Location.SourceSpan.Start)
                .ToImmutableArray();
        }

        private static async Task<ImmutableArray<CodeAction>> ActionsAsync(Document document, CodeFixProvider provider, Diagnostic diagnostic)
        {
            var actions = ImmutableArray.CreateBuilder<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await provider.RegisterCodeFixesAsync(context).ConfigureAwait(false);
            return actions.ToImmutable();
        }

        private static async Task<CodeAction> FixAllActionAsync(Document document, CodeFixProvider provider, CodeAction first, ImmutableArray<Diagnostic> diagnostics)
        {
            FixAllProvider fixAllProvider = provider.GetFixAllProvider()
                ?? throw new VerificationException($"{provider.GetType().Name} has no Fix All provider.");
            var context = new FixAllContext(
                document,
                provider,
                FixAllScope.Document,
                first.EquivalenceKey,
                provider.FixableDiagnosticIds,
                new FixedDiagnostics(diagnostics),
                CancellationToken.None);
            return await fixAllProvider.GetFixAsync(context).ConfigureAwait(false)
                ?? throw new VerificationException("Fix All produced no action.");
        }

        private static async Task<string> ApplyAsync(Document document, CodeAction action)
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None).ConfigureAwait(false);
            Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            SourceText text = await changed.GetDocument(document.Id)!.GetTextAsync().ConfigureAwait(false);
            return text.ToString();
        }

        private static void RequireNoErrors(string source)
        {
            GeneratedResult generated = KilnCompilation.Generate(source);
            List<Diagnostic> errors = KilnCompilation.Analyze(generated.Output)
                .Where(d => d.Severity == DiagnosticSeverity.Error || d.Id == "AD0001")
                .ToList();
            if (errors.Count > 0)
            {
                throw new VerificationException("The fixed source does not build:\n" + string.Join("\n", errors));
            }
        }

        private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

        /// <summary>Hands Fix All the diagnostics already computed (a workspace cannot run source generators by itself here).</summary>
        private sealed class FixedDiagnostics : FixAllContext.DiagnosticProvider
        {
            private readonly ImmutableArray<Diagnostic> _diagnostics;

            public FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

            public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult(Enumerable.Empty<Diagnostic>());

            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);
        }
    }
}
