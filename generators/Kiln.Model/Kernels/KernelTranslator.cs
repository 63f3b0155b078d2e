using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Model
{
    /// <summary>What <see cref="KernelTranslator.Translate"/> produced for one kernel.</summary>
    public sealed class KernelTranslation
    {
        internal KernelTranslation(KernelProgram? program, ImmutableArray<Diagnostic> diagnostics)
        {
            Program = program;
            Diagnostics = diagnostics;
        }

        /// <summary>The kernel and its helpers, or null when any of them is outside the kernel subset or does not compile.</summary>
        public KernelProgram? Program { get; }

        /// <summary>KILN101–KILN107, each at the syntax it is about (in the kernel or in a helper it calls).</summary>
        public ImmutableArray<Diagnostic> Diagnostics { get; }
    }

    /// <summary>
    /// Translates a kernel or reduction method, and every static helper it calls, from C# syntax into
    /// <see cref="KernelProgram"/> IR with exact C# semantics. Each construct outside the kernel subset (SPEC section 5)
    /// is reported at its own syntax; code the compiler already rejects is skipped without a diagnostic.
    /// </summary>
    /// <remarks>
    /// The subset: scalar locals and parameters, <c>Gather&lt;T&gt;</c> parameters (<c>g[i]</c>, <c>g.Length</c>),
    /// arithmetic, bitwise, shift, comparison and logical operators, <c>?:</c>, casts, constants (literals and
    /// <c>const</c> fields; a <c>static readonly</c> field is a KILN107 because devices cannot see host memory),
    /// <see cref="KnownMathFunctions"/>, static helpers with source, and the statements <c>if</c>, <c>for</c>,
    /// <c>while</c>, <c>do</c>, <c>break</c>, <c>continue</c>, <c>return</c>, blocks, assignments (compound, <c>++</c>,
    /// <c>--</c>) and calls. Assignments are statements only, so IR expressions have no side effects.
    /// </remarks>
    public static partial class KernelTranslator
    {
        /// <summary>Translates <paramref name="kernel"/> and the helpers it calls.</summary>
        public static KernelTranslation Translate(IMethodSymbol kernel, Compilation compilation, CancellationToken cancellationToken)
        {
            var builder = new ProgramBuilder(compilation, cancellationToken);
            KernelBody? body = builder.TranslateEntry(kernel);
            KernelProgram? program = body is null || builder.Failed ? null : new KernelProgram(body, builder.Helpers.ToEquatableArray());
            return new KernelTranslation(program, builder.Diagnostics.ToImmutableArray());
        }

        /// <summary>The state of one translation: helpers done so far, the call stack (for recursion), diagnostics.</summary>
        private sealed class ProgramBuilder
        {
            private readonly Compilation _compilation;
            private readonly Dictionary<SyntaxTree, SemanticModel> _models = new();
            private readonly Dictionary<IMethodSymbol, KernelBody?> _done = new(SymbolEqualityComparer.Default);
            private readonly List<IMethodSymbol> _stack = new();

            public ProgramBuilder(Compilation compilation, CancellationToken cancellationToken)
            {
                _compilation = compilation;
                CancellationToken = cancellationToken;
            }

            public CancellationToken CancellationToken { get; }

            public List<Diagnostic> Diagnostics { get; } = new();

            /// <summary>Helpers in post-order: each after its callees.</summary>
            public List<KernelBody> Helpers { get; } = new();

            /// <summary>Whether some body failed, with or without a diagnostic.</summary>
            public bool Failed { get; set; }

            public void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            {
                Failed = true;
                Diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));
            }

            public KernelBody? TranslateEntry(IMethodSymbol kernel)
            {
                if (DeclarationOf(kernel) is not { } declaration)
                {
                    return null;
                }

                _stack.Add(kernel);
                KernelBody? body = new BodyTranslator(this, ModelOf(declaration), kernel, isEntry: true).Translate(declaration);
                _stack.RemoveAt(_stack.Count - 1);
                return body;
            }

            /// <summary>The helper's <see cref="KernelBody.Name"/>, translating it first if needed; null if it cannot be used.</summary>
            public string? RequestHelper(IMethodSymbol helper, InvocationExpressionSyntax call)
            {
                int onStack = _stack.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, helper));
                if (onStack >= 0)
                {
                    IEnumerable<string> cycle = _stack.Skip(onStack).Select(m => m.Name).Concat(new[] { helper.Name });
                    Report(DiagnosticDescriptors.KernelRecursion, call.GetLocation(), helper.Name, string.Join(" → ", cycle));
                    return null;
                }

                if (_done.TryGetValue(helper, out KernelBody? done))
                {
                    Failed |= done is null;
                    return done?.Name;
                }

                if (DeclarationOf(helper) is not { } declaration)
                {
                    Report(DiagnosticDescriptors.KernelUnknownCall, call.GetLocation(), DisplayName(helper));
                    _done.Add(helper, null);
                    return null;
                }

                _stack.Add(helper);
                KernelBody? body = new BodyTranslator(this, ModelOf(declaration), helper, isEntry: false).Translate(declaration);
                _stack.RemoveAt(_stack.Count - 1);
                _done[helper] = body;
                if (body is null)
                {
                    Failed = true;
                    return null;
                }

                Helpers.Add(body);
                return body.Name;
            }

            public static string DisplayName(IMethodSymbol method) =>
                method.ContainingType is { } type ? type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) + "." + method.Name : method.Name;

            private SemanticModel ModelOf(SyntaxNode node)
            {
                if (!_models.TryGetValue(node.SyntaxTree, out SemanticModel? model))
                {
                    model = _compilation.GetSemanticModel(node.SyntaxTree);
                    _models.Add(node.SyntaxTree, model);
                }

                return model;
            }

            /// <summary>The method's declaration with a body, in this compilation; null for metadata, extern or body-less partial methods.</summary>
            private BaseMethodDeclarationSyntax? DeclarationOf(IMethodSymbol method)
            {
                IMethodSymbol implementation = method.PartialImplementationPart ?? method;
                foreach (SyntaxReference reference in implementation.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(CancellationToken) is MethodDeclarationSyntax { } declaration
                        && (declaration.Body is not null || declaration.ExpressionBody is not null)
                        && _compilation.ContainsSyntaxTree(declaration.SyntaxTree))
                    {
                        return declaration;
                    }
                }

                return null;
            }
        }
    }
}
