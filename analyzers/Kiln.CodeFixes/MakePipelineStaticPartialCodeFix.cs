using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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
    /// KILN002: makes a <c>[Pipeline]</c> class <c>static partial</c> (and its enclosing types <c>partial</c>), dropping
    /// <c>sealed</c> and <c>abstract</c>, which a static class cannot have.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePipelineStaticPartialCodeFix)), Shared]
    public sealed class MakePipelineStaticPartialCodeFix : CodeFixProvider
    {
        /// <summary>Identifies this fix for Fix All.</summary>
        public const string EquivalenceKey = "Kiln.MakePipelineStaticPartial";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NotStaticPartial);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                // Structs, records, interfaces and enums cannot become a static class by adding modifiers: no fix for them.
                if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not ClassDeclarationSyntax declaration)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Make '{declaration.Identifier.ValueText}' a static partial class",
                        cancellationToken => FixAsync(context.Document, declaration, cancellationToken),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, ClassDeclarationSyntax pipeline, CancellationToken cancellationToken)
        {
            // The node came from this document's root, so its tree is the one to edit.
            SyntaxNode root = await pipeline.SyntaxTree.GetRootAsync(cancellationToken).ConfigureAwait(false);

            // The pipeline and every enclosing type without 'partial': the generator adds a declaration of each.
            var targets = new List<TypeDeclarationSyntax> { pipeline };
            targets.AddRange(pipeline.Ancestors().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)));
            SyntaxNode fixedRoot = root.ReplaceNodes(
                targets,
                (original, rewritten) => WithModifiers(rewritten, makeStatic: original == pipeline));
            return document.WithSyntaxRoot(fixedRoot);
        }

        private static TypeDeclarationSyntax WithModifiers(TypeDeclarationSyntax declaration, bool makeStatic)
        {
            SyntaxToken first = declaration.Modifiers.Count > 0 ? declaration.Modifiers[0] : declaration.Keyword;
            SyntaxTriviaList leading = first.LeadingTrivia;

            var modifiers = new List<SyntaxToken>();
            foreach (SyntaxToken modifier in declaration.Modifiers)
            {
                if (!makeStatic || !(modifier.IsKind(SyntaxKind.SealedKeyword) || modifier.IsKind(SyntaxKind.AbstractKeyword)))
                {
                    modifiers.Add(modifier);
                }
            }

            if (makeStatic && !modifiers.Any(m => m.IsKind(SyntaxKind.StaticKeyword)))
            {
                // Conventional order: accessibility first, then static; 'partial' always comes last.
                int at = modifiers.FindLastIndex(IsAccessibility) + 1;
                modifiers.Insert(at, SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space));
            }

            if (!modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
            {
                modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
            }

            // Whatever preceded the first token (indentation, comments) moves to the new first modifier.
            for (int i = 0; i < modifiers.Count; i++)
            {
                modifiers[i] = modifiers[i].WithLeadingTrivia(i == 0 ? leading : default);
            }

            return declaration
                .WithModifiers(SyntaxFactory.TokenList(modifiers))
                .WithKeyword(declaration.Keyword.WithLeadingTrivia(default(SyntaxTriviaList)));
        }

        private static bool IsAccessibility(SyntaxToken token) =>
            token.IsKind(SyntaxKind.PublicKeyword)
            || token.IsKind(SyntaxKind.InternalKeyword)
            || token.IsKind(SyntaxKind.PrivateKeyword)
            || token.IsKind(SyntaxKind.ProtectedKeyword)
            || token.IsKind(SyntaxKind.FileKeyword);
    }
}
