using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.CodeFixes
{
    /// <summary>
    /// KILN006: replaces a <c>[From]</c> / <c>[After]</c> / <c>[When]</c> argument that names no node with <c>nameof(Closest)</c>, the
    /// node the analyzer found closest (in <c>Diagnostic.Properties["Suggestion"]</c>).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseClosestNodeNameCodeFix)), Shared]
    public sealed class UseClosestNodeNameCodeFix : CodeFixProvider
    {
        /// <summary>Identifies this fix for Fix All; the same for every suggestion so Fix All fixes each with its own.</summary>
        public const string EquivalenceKey = "Kiln.UseClosestNodeName";

        /// <summary>The diagnostic property the analyzer puts the closest node name in.</summary>
        public const string SuggestionProperty = "Suggestion";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnknownNode);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(SuggestionProperty, out string? suggestion)
                    || string.IsNullOrEmpty(suggestion)
                    || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax argument)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Use nameof({suggestion})",
                        cancellationToken => FixAsync(context.Document, argument, suggestion!, cancellationToken),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, ExpressionSyntax argument, string suggestion, CancellationToken cancellationToken)
        {
            // The node came from this document's root, so its tree is the one to edit.
            SyntaxNode root = await argument.SyntaxTree.GetRootAsync(cancellationToken).ConfigureAwait(false);

            string name = SyntaxFacts.GetKeywordKind(suggestion) != SyntaxKind.None ? "@" + suggestion : suggestion;
            ExpressionSyntax replacement = SyntaxFactory.ParseExpression($"nameof({name})").WithTriviaFrom(argument);
            return document.WithSyntaxRoot(root.ReplaceNode(argument, replacement));
        }
    }
}
