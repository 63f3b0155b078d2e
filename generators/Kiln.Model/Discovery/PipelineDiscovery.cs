using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Model
{
    /// <summary>
    /// Turns a <c>[Pipeline]</c> class symbol into a <see cref="PipelineSpec"/>. Shared by the generator and the
    /// analyzers, so both see the same nodes. Works on broken code: whatever cannot be read becomes a neutral value.
    /// </summary>
    public static class PipelineDiscovery
    {
        private static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private static readonly SymbolDisplayFormat Brief = SymbolDisplayFormat.MinimallyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Whether <paramref name="attribute"/> is one of Kiln's attributes named <paramref name="name"/>.</summary>
        public static bool IsKilnAttribute(AttributeData attribute, string name)
        {
            INamedTypeSymbol? type = attribute.AttributeClass;
            return type is not null
                && type.Name == name
                && type.ContainingNamespace is { Name: KnownNames.Namespace, ContainingNamespace.IsGlobalNamespace: true };
        }

        /// <summary>Whether <paramref name="type"/> carries <c>[Pipeline]</c>.</summary>
        public static bool IsPipeline(INamedTypeSymbol type)
        {
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (IsKilnAttribute(attribute, KnownNames.PipelineAttributeName))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The node methods of <paramref name="type"/>, in the order <see cref="PipelineSpec.Nodes"/> lists them.</summary>
        public static ImmutableArray<IMethodSymbol> NodeMethods(INamedTypeSymbol type)
        {
            var methods = ImmutableArray.CreateBuilder<IMethodSymbol>();
            foreach (ISymbol member in type.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && KindsOf(method).Count > 0)
                {
                    methods.Add(method);
                }
            }

            return methods.ToImmutable();
        }

        /// <param name="type">The <c>[Pipeline]</c> class.</param>
        /// <param name="compilation">Its compilation.</param>
        /// <param name="cancellationToken">Honoured in loops.</param>
        /// <param name="translateKernels">Whether to translate kernel bodies to IR (the generator needs it for devices and
        /// vectorizing; the pipeline analyzer does not, and KernelAnalyzer translates them itself).</param>
        public static PipelineSpec Discover(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken, bool translateKernels = true)
        {
            ImmutableArray<IMethodSymbol> methods = NodeMethods(type);

            // Names are case-insensitive for parameter binding; an exact match wins over a case-insensitive one.
            var exact = new Dictionary<string, int>(StringComparer.Ordinal);
            var folded = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < methods.Length; i++)
            {
                if (!exact.ContainsKey(methods[i].Name))
                {
                    exact.Add(methods[i].Name, i);
                }

                if (!folded.ContainsKey(methods[i].Name))
                {
                    folded.Add(methods[i].Name, i);
                }
            }

            // Each method's attributes and output are read once: parameters of any node may bind to any output.
            var kinds = new List<(NodeKindSpec Kind, AttributeData Attribute)>[methods.Length];
            var outputs = new ITypeSymbol?[methods.Length];
            var shapes = new ReturnShape[methods.Length];
            for (int i = 0; i < methods.Length; i++)
            {
                kinds[i] = KindsOf(methods[i]);
                NodeKindSpec kind = kinds[i].Count > 0 ? kinds[i][0].Kind : NodeKindSpec.Task;
                outputs[i] = NodeOutputOf(methods[i], kind, compilation, out shapes[i]);
            }

            var nodes = new NodeSpec[methods.Length];
            for (int i = 0; i < methods.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                nodes[i] = DiscoverNode(type, methods[i], i, kinds[i], shapes[i], compilation, outputs, exact, folded, translateKernels, cancellationToken);
            }

            return new PipelineSpec(
                type.Name,
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(NamespaceFormat) : null,
                ContainingTypesOf(type),
                type.IsStatic,
                IsPartialThroughout(type, cancellationToken),
                type.TypeKind == TypeKind.Class && !type.IsRecord, // a record cannot take the generated "partial class"
                nodes.ToEquatableArray(),
                TypeParameterList(type),
                ReservedMembersOf(type));
        }

        // Keywords escaped (namespace @class), no global:: prefix.
        private static readonly SymbolDisplayFormat NamespaceFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

        private static string TypeParameterList(INamedTypeSymbol type) =>
            type.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(",", type.TypeParameters.Select(p => Escape(p.Name))) + ">";

        private static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.GlobalKeyword ? "@" + name : name;

        /// <summary>Whether <paramref name="tree"/> is a file Kiln's generator wrote (the analyzers see them; discovery must not).</summary>
        public static bool IsGeneratedByKiln(SyntaxTree? tree) =>
            tree is not null && tree.FilePath.EndsWith(".Kiln.g.cs", StringComparison.OrdinalIgnoreCase);

        // User members named as a generated member would be: RunAsync, Graph, Result, __KilnRun (KILN017).
        private static EquatableArray<string> ReservedMembersOf(INamedTypeSymbol type)
        {
            var found = new List<string>();
            foreach (string name in GeneratedSignature.ReservedMemberNames)
            {
                foreach (ISymbol member in type.GetMembers(name))
                {
                    if (!member.IsImplicitlyDeclared && member.DeclaringSyntaxReferences.Any(r => !IsGeneratedByKiln(r.SyntaxTree)))
                    {
                        found.Add(name);
                        break;
                    }
                }
            }

            return found.ToEquatableArray();
        }

        private static NodeSpec DiscoverNode(
            INamedTypeSymbol type,
            IMethodSymbol method,
            int self,
            List<(NodeKindSpec Kind, AttributeData Attribute)> kinds,
            ReturnShape shape,
            Compilation compilation,
            ITypeSymbol?[] outputs,
            Dictionary<string, int> exact,
            Dictionary<string, int> folded,
            bool translateKernels,
            CancellationToken cancellationToken)
        {
            int cost = 1;
            foreach (var (kind, attribute) in kinds)
            {
                if (kind == NodeKindSpec.Task)
                {
                    foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                    {
                        if (argument.Key == "Cost" && argument.Value.Value is int value)
                        {
                            cost = Math.Max(1, value);
                        }
                    }
                }
            }

            ITypeSymbol? output = outputs[self];
            NodeKindSpec nodeKind = kinds.Count > 0 ? kinds[0].Kind : NodeKindSpec.Task;
            double identity = 0;
            foreach (var (kind, attribute) in kinds)
            {
                if (kind == NodeKindSpec.Reduce)
                {
                    foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                    {
                        if (argument.Key == "Identity" && argument.Value.Value is double value)
                        {
                            identity = value;
                        }
                    }
                }
            }

            var after = new List<AfterSpec>();
            bool isOutput = false;
            int afterAttribute = 0;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (IsKilnAttribute(attribute, KnownNames.OutputAttribute))
                {
                    isOutput = true;
                }
                else if (IsKilnAttribute(attribute, KnownNames.AfterAttribute))
                {
                    if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                        && !attribute.ConstructorArguments[0].IsNull)
                    {
                        ImmutableArray<TypedConstant> names = attribute.ConstructorArguments[0].Values;
                        for (int i = 0; i < names.Length; i++)
                        {
                            after.Add(new AfterSpec(names[i].Value as string, afterAttribute, i));
                        }
                    }

                    afterAttribute++;
                }
            }

            var parameters = new ParameterSpec[method.Parameters.Length];
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = DiscoverParameter(type, method.Parameters[i], self, nodeKind, i, compilation, outputs, exact, folded);
            }

            EquatableArray<SignatureProblem> problems = nodeKind switch
            {
                NodeKindSpec.Kernel => KernelSignature.CheckKernel(method, shape),
                NodeKindSpec.Reduce => KernelSignature.CheckReduction(method, shape),
                NodeKindSpec.Stage => StageSignature.Check(method, shape),
                _ => EquatableArray<SignatureProblem>.Empty,
            };
            string? elementType = nodeKind is NodeKindSpec.Kernel or NodeKindSpec.Reduce && shape == ReturnShape.Value
                ? method.ReturnType.ToDisplayString(FullyQualified)
                : null;

            return new NodeSpec(
                method.Name,
                nodeKind,
                kinds.Count,
                cost,
                method.IsStatic,
                method.IsGenericMethod,
                isOutput,
                method.ReturnType.ToDisplayString(FullyQualified),
                shape,
                output?.ToDisplayString(FullyQualified),
                output?.ToDisplayString(Brief),
                after.ToEquatableArray(),
                parameters.ToEquatableArray(),
                elementType,
                identity,
                problems,
                translateKernels ? ProgramOf(method, nodeKind, problems, compilation, cancellationToken) : null,
                output is null ? TypeUse.Public : GeneratedSignature.UseOf(output, type));
        }

        // Device backends and the vectorizer translate this IR; the CPU's scalar loop calls the method itself.
        private static KernelProgram? ProgramOf(IMethodSymbol method, NodeKindSpec kind, EquatableArray<SignatureProblem> problems, Compilation compilation, CancellationToken cancellationToken) =>
            kind is NodeKindSpec.Kernel or NodeKindSpec.Reduce && problems.Count == 0 && !method.IsGenericMethod
                ? KernelTranslator.Translate(method, compilation, cancellationToken).Program
                : null;

        private static ParameterSpec DiscoverParameter(
            INamedTypeSymbol type,
            IParameterSymbol parameter,
            int self,
            NodeKindSpec nodeKind,
            int position,
            Compilation compilation,
            ITypeSymbol?[] outputs,
            Dictionary<string, int> exact,
            Dictionary<string, int> folded)
        {
            string? from = null;
            bool hasFrom = false;
            bool isIndex = false;
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                if (IsKilnAttribute(attribute, KnownNames.FromAttribute))
                {
                    hasFrom = true;
                    if (attribute.ConstructorArguments.Length == 1)
                    {
                        from = attribute.ConstructorArguments[0].Value as string;
                    }
                }
                else if (IsKilnAttribute(attribute, KnownNames.IndexAttribute))
                {
                    isIndex = true;
                }
            }

            ParameterRole role;
            int producer = -1;
            bool isKernelNode = nodeKind is NodeKindSpec.Kernel or NodeKindSpec.Reduce;
            if (nodeKind == NodeKindSpec.Kernel && isIndex)
            {
                role = ParameterRole.Index;
            }
            else if (nodeKind == NodeKindSpec.Reduce && position == 0)
            {
                role = ParameterRole.Accumulator;
            }
            else if (nodeKind == NodeKindSpec.Stage && StageSignature.IsPipeWriter(parameter.Type))
            {
                role = ParameterRole.PipeOutput;
            }
            else if (hasFrom)
            {
                role = from is not null && exact.TryGetValue(from, out producer) ? ParameterRole.Node : ParameterRole.UnknownProducer;
            }
            else if ((exact.TryGetValue(parameter.Name, out producer) || folded.TryGetValue(parameter.Name, out producer))
                && producer != self)
            {
                // A node's parameter named as the node itself (SPEC's `Gamma(float exposure, float gamma)`) cannot
                // mean its own output: it falls through to the next rules, usually a pipeline input.
                role = ParameterRole.Node;
            }
            else if (IsCancellationToken(parameter.Type))
            {
                role = ParameterRole.Cancellation;
            }
            else
            {
                role = ParameterRole.Input;
            }

            if (role != ParameterRole.Node)
            {
                producer = -1;
            }

            bool converts = false;
            bool isScalar = KernelSignature.IsScalar(parameter.Type);
            ITypeSymbol? gatherElement = KernelSignature.GatherElement(parameter.Type);
            bool producerIsStream = false;
            if (producer >= 0 && outputs[producer] is ITypeSymbol output && parameter.Type.TypeKind != TypeKind.Error)
            {
                ITypeSymbol? element = gatherElement ?? (isScalar ? parameter.Type : null);
                producerIsStream = element is not null
                    && output is IArrayTypeSymbol { Rank: 1 } array
                    && SymbolEqualityComparer.Default.Equals(array.ElementType, element);
                if (isKernelNode)
                {
                    // A kernel reads a stream element-wise (or whole, through Gather<T>), or one scalar as a uniform.
                    converts = producerIsStream || (isScalar && SymbolEqualityComparer.Default.Equals(output, parameter.Type));
                }
                else if (nodeKind == NodeKindSpec.Stage && StageSignature.IsPipeReader(parameter.Type))
                {
                    // A stage's PipeReader reads another stage's pipe (bound as such), or bytes a task hands over.
                    converts = StageSignature.CanFeedPipe(output);
                }
                else
                {
                    Conversion conversion = compilation.ClassifyConversion(output, parameter.Type);
                    converts = conversion.Exists && conversion.IsImplicit && !conversion.IsUserDefined;
                }
            }

            return new ParameterSpec(
                parameter.Name,
                parameter.Type.ToDisplayString(FullyQualified),
                parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                parameter.Type.ToDisplayString(Brief),
                parameter.RefKind != RefKind.None,
                isIndex,
                role,
                from,
                producer,
                converts,
                isScalar,
                gatherElement is not null,
                producerIsStream,
                role == ParameterRole.Input ? GeneratedSignature.UseOf(parameter.Type, type) : TypeUse.Public);
        }

        private static List<(NodeKindSpec Kind, AttributeData Attribute)> KindsOf(IMethodSymbol method)
        {
            var kinds = new List<(NodeKindSpec, AttributeData)>(1);
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (IsKilnAttribute(attribute, KnownNames.TaskAttribute))
                {
                    kinds.Add((NodeKindSpec.Task, attribute));
                }
                else if (IsKilnAttribute(attribute, KnownNames.KernelAttribute))
                {
                    kinds.Add((NodeKindSpec.Kernel, attribute));
                }
                else if (IsKilnAttribute(attribute, KnownNames.ReduceAttribute))
                {
                    kinds.Add((NodeKindSpec.Reduce, attribute));
                }
                else if (IsKilnAttribute(attribute, KnownNames.StageAttribute))
                {
                    kinds.Add((NodeKindSpec.Stage, attribute));
                }
            }

            return kinds;
        }

        /// <summary>
        /// The output type of a node: a kernel's is an array of what it returns per element; anything else's is its
        /// return type unwrapped from Task/ValueTask; null when there is none.
        /// </summary>
        public static ITypeSymbol? NodeOutputOf(IMethodSymbol method, NodeKindSpec kind, Compilation compilation, out ReturnShape shape)
        {
            ITypeSymbol? output = OutputOf(method, compilation, out shape);
            if (output is not null && output.TypeKind != TypeKind.Error && kind == NodeKindSpec.Kernel)
            {
                return compilation.CreateArrayTypeSymbol(output);
            }

            return output;
        }

        /// <summary>The output type of a node method (its return type unwrapped from Task/ValueTask), or null.</summary>
        public static ITypeSymbol? OutputOf(IMethodSymbol method, Compilation compilation, out ReturnShape shape)
        {
            ITypeSymbol returnType = method.ReturnType;
            if (method.ReturnsVoid)
            {
                shape = ReturnShape.Void;
                return null;
            }

            if (returnType is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
            {
                switch (named.MetadataName)
                {
                    case "Task":
                        shape = ReturnShape.Task;
                        return null;
                    case "ValueTask":
                        shape = ReturnShape.ValueTask;
                        return null;
                    case "Task`1":
                        shape = ReturnShape.TaskOfT;
                        return named.TypeArguments[0];
                    case "ValueTask`1":
                        shape = ReturnShape.ValueTaskOfT;
                        return named.TypeArguments[0];
                }
            }

            shape = ReturnShape.Value;
            return returnType;
        }

        public static bool IsCancellationToken(ITypeSymbol type) =>
            type is INamedTypeSymbol { Name: "CancellationToken", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };

        private static EquatableArray<string> ContainingTypesOf(INamedTypeSymbol type)
        {
            var declarations = new List<string>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                string keyword = outer.IsRecord
                    ? (outer.TypeKind == TypeKind.Struct ? "record struct" : "record")
                    : outer.TypeKind switch
                    {
                        TypeKind.Struct => "struct",
                        TypeKind.Interface => "interface",
                        _ => "class",
                    };
                declarations.Insert(0, $"{(outer.IsStatic ? "static " : string.Empty)}partial {keyword} {Escape(outer.Name)}{TypeParameterList(outer)}");
            }

            return declarations.ToEquatableArray();
        }

        // A file-local class cannot take the generated declaration, which lives in another file: it counts as not partial.
        private static bool IsPartialThroughout(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.IsFileLocal)
                {
                    return false;
                }

                foreach (SyntaxReference reference in current.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration
                        || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}
