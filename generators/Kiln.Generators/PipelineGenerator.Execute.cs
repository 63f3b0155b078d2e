using System.Threading;
using Kiln.Generators.Emit;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generators
{
    public sealed partial class PipelineGenerator
    {
        private static bool IsTypeDeclaration(SyntaxNode node, CancellationToken cancellationToken) => node is TypeDeclarationSyntax;

        private static PipelineSpec? Discover(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type)
            {
                return null;
            }

            // [Pipeline] on several declarations of one partial class: generate once, for the first.
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                SyntaxNode declaration = reference.GetSyntax(cancellationToken);
                if (HasPipelineAttribute(declaration, context.SemanticModel, type, cancellationToken))
                {
                    if (declaration != context.TargetNode)
                    {
                        return null;
                    }

                    break;
                }
            }

            return PipelineDiscovery.Discover(type, context.SemanticModel.Compilation, cancellationToken);
        }

        private static bool HasPipelineAttribute(SyntaxNode declaration, SemanticModel model, INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            if (declaration is not TypeDeclarationSyntax typeDeclaration || typeDeclaration.AttributeLists.Count == 0)
            {
                return false;
            }

            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (PipelineDiscovery.IsKilnAttribute(attribute, KnownNames.PipelineAttributeName)
                    && attribute.ApplicationSyntaxReference?.SyntaxTree == declaration.SyntaxTree
                    && declaration.Span.Contains(attribute.ApplicationSyntaxReference.Span))
                {
                    return true;
                }
            }

            return false;
        }

        private static void Emit(SourceProductionContext context, LoweredPlan plan)
        {
            CompiledPipeline pipeline = plan.Pipeline;
            // A class that cannot take another partial declaration gets nothing: its KILN002 (or the compiler) says why.
            if (!PipelineEmitter.CanDeclare(pipeline.Spec))
            {
                return;
            }

            string source = PipelineEmitter.Emit(plan, context.CancellationToken);
            context.AddSource(PipelineEmitter.HintName(pipeline.Spec), source);
            if (PipelineEmitter.EmitCudaKernels(plan) is { } cuda)
            {
                context.AddSource(PipelineEmitter.CudaHintName(pipeline.Spec), cuda);
            }

            if (PipelineEmitter.EmitJsonContext(plan) is { } json)
            {
                context.AddSource(PipelineEmitter.JsonHintName(pipeline.Spec), json);
            }
        }
    }
}
