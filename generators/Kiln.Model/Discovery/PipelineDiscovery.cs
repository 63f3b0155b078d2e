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
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && IsNode(method))
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

            // Each method's attributes and output are read once: parameters of any node may bind to any output.
            var attributes = new NodeAttributes[methods.Length];
            var outputs = new ITypeSymbol?[methods.Length];
            var shapes = new ReturnShape[methods.Length];
            for (int i = 0; i < methods.Length; i++)
            {
                attributes[i] = NodeAttributes.Read(methods[i]);
                outputs[i] = NodeOutputOf(methods[i], attributes[i].Kind, compilation, out shapes[i]);
            }

            var context = new NodeContext(type, compilation, outputs, new BindingRules(methods.Select(m => m.Name).ToList()), translateKernels);
            var itemOutputs = new ITypeSymbol?[methods.Length];
            for (int i = 0; i < methods.Length; i++)
            {
                itemOutputs[i] = attributes[i].Kind == NodeKindSpec.Map && outputs[i] is IArrayTypeSymbol mapped ? mapped.ElementType : null;
            }

            bool[] marked = attributes.Select(a => a.Distributed && a.Kind is NodeKindSpec.Task or NodeKindSpec.Map).ToArray();
            string? hostProblem = marked.Contains(true) ? DistributedHostProblem(type) : null;
            var nodes = new NodeSpec[methods.Length];
            for (int i = 0; i < methods.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                nodes[i] = DiscoverNode(context, methods[i], i, attributes[i], shapes[i], cancellationToken)
                    with
                    {
                        ItemOutputType = itemOutputs[i]?.ToDisplayString(FullyQualified),
                        Distributed = marked[i] && hostProblem is null,
                        DistributedHere = marked[i] && hostProblem is not null,
                    };
            }

            bool durable = IsDurable(type);
            (EquatableArray<JsonTypeSpec> jsonTypes, EquatableArray<JsonProblem> jsonProblems) = durable || nodes.Any(n => n.Distributed)
                ? DurableContracts(methods, nodes, outputs, durable, cancellationToken)
                : (EquatableArray<JsonTypeSpec>.Empty, EquatableArray<JsonProblem>.Empty);
            return new PipelineSpec(
                type.Name,
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(NamespaceFormat) : null,
                ContainingTypesOf(type),
                type.IsStatic,
                IsPartialThroughout(type, cancellationToken),
                type.TypeKind == TypeKind.Class && !type.IsRecord, // a record cannot take the generated "partial class"
                nodes.ToEquatableArray(),
                TypeParameterList(type),
                ReservedMembersOf(type),
                durable,
                jsonTypes,
                jsonProblems,
                hostProblem);
        }

        private static bool IsDurable(INamedTypeSymbol type)
        {
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (IsKilnAttribute(attribute, KnownNames.PipelineAttributeName))
                {
                    foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                    {
                        if (argument.Key == "Durable" && argument.Value.Value is true)
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        // A durable run stores every node's output and its inputs: each must have a JSON contract (SPEC section 11).
        // A stage's output pipe is not stored (its group re-runs as a whole); its return value is.
        private static (EquatableArray<JsonTypeSpec>, EquatableArray<JsonProblem>) DurableContracts(
            ImmutableArray<IMethodSymbol> methods, NodeSpec[] nodes, ITypeSymbol?[] outputs, bool durable, CancellationToken cancellationToken)
        {
            var contracts = new JsonContracts(cancellationToken);
            var problems = new List<JsonProblem>();
            for (int n = 0; durable && n < methods.Length; n++)
            {
                if (outputs[n] is { } output && !(nodes[n].Kind == NodeKindSpec.Stage && StageSignature.IsPipeReader(output))
                    && contracts.Add(output) is { } reason)
                {
                    problems.Add(new JsonProblem(n, -1, output.ToDisplayString(), reason));
                }

                for (int p = 0; p < nodes[n].Parameters.Count && p < methods[n].Parameters.Length; p++)
                {
                    if (nodes[n].Parameters[p].Role == ParameterRole.Input && contracts.Add(methods[n].Parameters[p].Type) is { } inputReason)
                    {
                        problems.Add(new JsonProblem(n, p, methods[n].Parameters[p].Type.ToDisplayString(), inputReason));
                    }
                }
            }

            for (int n = 0; n < methods.Length; n++)
            {
                if (nodes[n].Distributed)
                {
                    DistributedContracts(methods[n], nodes[n], n, outputs, contracts, problems);
                }
            }

            return (contracts.Types, problems.ToEquatableArray());
        }

        // A distributed node's arguments (as its parameters declare them; a map's item as its collection's element; an
        // Optional<T>'s T) and its output (a map's: one item's) travel to a silo and back (SPEC section 12).
        private static void DistributedContracts(
            IMethodSymbol method, NodeSpec node, int n, ITypeSymbol?[] outputs, JsonContracts contracts, List<JsonProblem> problems)
        {
            for (int p = 0; p < node.Parameters.Count && p < method.Parameters.Length; p++)
            {
                ParameterSpec parameter = node.Parameters[p];
                if (parameter.Role is not (ParameterRole.Node or ParameterRole.Input))
                {
                    continue;
                }

                ITypeSymbol type = method.Parameters[p].Type;
                if (parameter.IsOptional && OptionalElement(type) is { } inner)
                {
                    type = inner;
                }
                else if (parameter.IsItem && parameter.Producer >= 0 && outputs[parameter.Producer] is { } collection
                    && MapItem.ElementOf(collection, type) is { } element)
                {
                    type = element;
                }

                if (contracts.Add(type) is { } reason)
                {
                    problems.Add(new JsonProblem(n, p, type.ToDisplayString(), reason, Distributed: true));
                }
            }

            ITypeSymbol? output = outputs[n];
            if (node.Kind == NodeKindSpec.Map && output is IArrayTypeSymbol items)
            {
                output = items.ElementType;
            }

            if (output is not null && contracts.Add(output) is { } outputReason)
            {
                problems.Add(new JsonProblem(n, -1, output.ToDisplayString(), outputReason, Distributed: true));
            }
        }

        // The generated table of distributed nodes is named by an assembly attribute, which sees only types reachable from
        // the assembly's top level, and can instantiate no open generic type. Other pipelines run their nodes here
        // (KILN020): says why, or null when the class can host the table.
        private static string? DistributedHostProblem(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                string? why = t.TypeParameters.Length > 0 ? "generic"
                    : t.IsFileLocal ? "file-local"
                    : t.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal ? null
                    : AccessibilityWord(t.DeclaredAccessibility);
                if (why is not null)
                {
                    return $"'{t.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}' is {why}";
                }
            }

            return null;
        }

        private static string AccessibilityWord(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Private => "private",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "not public or internal",
        };

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

        /// <summary>What every node's discovery shares: the pipeline class, the compilation, every node's output, the binding rules.</summary>
        private sealed record NodeContext(
            INamedTypeSymbol Type, Compilation Compilation, ITypeSymbol?[] Outputs, BindingRules Rules, bool TranslateKernels);

        private static NodeSpec DiscoverNode(
            NodeContext context, IMethodSymbol method, int self, NodeAttributes attributes, ReturnShape shape, CancellationToken cancellationToken)
        {
            Compilation compilation = context.Compilation;
            ITypeSymbol? output = context.Outputs[self];
            NodeKindSpec nodeKind = attributes.Kind;
            var parameters = new ParameterSpec[method.Parameters.Length];
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = DiscoverParameter(context, method.Parameters[i], i, self, nodeKind);
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
                attributes.KindCount,
                attributes.Cost,
                method.IsStatic,
                method.IsGenericMethod,
                attributes.IsOutput,
                method.ReturnType.ToDisplayString(FullyQualified),
                shape,
                output?.ToDisplayString(FullyQualified),
                output?.ToDisplayString(Brief),
                attributes.After,
                parameters.ToEquatableArray(),
                elementType,
                attributes.Identity,
                problems,
                context.TranslateKernels ? ProgramOf(method, nodeKind, problems, compilation, cancellationToken) : null,
                output is null ? TypeUse.Public : GeneratedSignature.UseOf(output, context.Type),
                attributes.Retries,
                attributes.TimeoutMs,
                attributes.MaxConcurrency,
                attributes.Kinds,
                Condition: attributes.Condition is { } condition
                    ? new ConditionSpec(condition.Name, condition.Value, context.Rules.NodeNamed(condition.Name))
                    : null);
        }

        // Device backends and the vectorizer translate this IR; the CPU's scalar loop calls the method itself.
        private static KernelProgram? ProgramOf(
            IMethodSymbol method, NodeKindSpec kind, EquatableArray<SignatureProblem> problems, Compilation compilation, CancellationToken cancellationToken) =>
            kind is NodeKindSpec.Kernel or NodeKindSpec.Reduce && problems.Count == 0 && !method.IsGenericMethod
                ? KernelTranslator.Translate(method, compilation, cancellationToken).Program
                : null;

        private static ParameterSpec DiscoverParameter(NodeContext context, IParameterSymbol parameter, int position, int self, NodeKindSpec nodeKind)
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

            var facts = new ParameterFacts(
                parameter.Name, position, isIndex, hasFrom, from, StageSignature.IsPipeWriter(parameter.Type), IsCancellationToken(parameter.Type));
            (ParameterRole role, int producer) = context.Rules.Bind(facts, self, nodeKind);
            Compilation compilation = context.Compilation;
            ITypeSymbol?[] outputs = context.Outputs;
            bool isKernelNode = nodeKind is NodeKindSpec.Kernel or NodeKindSpec.Reduce;
            bool converts = false;
            bool isScalar = KernelSignature.IsScalar(parameter.Type);
            ITypeSymbol? gatherElement = KernelSignature.GatherElement(parameter.Type);
            bool producerIsStream = false;
            ITypeSymbol? optionalOf = nodeKind is NodeKindSpec.Task or NodeKindSpec.Map && role == ParameterRole.Node ? OptionalElement(parameter.Type) : null;
            ITypeSymbol? item = null;
            if (producer >= 0 && outputs[producer] is ITypeSymbol output && parameter.Type.TypeKind != TypeKind.Error)
            {
                item = nodeKind == NodeKindSpec.Map ? MapItem.ElementOf(output, parameter.Type) : null;
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
                else if (item is not null)
                {
                    // A map's item: the parameter receives one element of the producer's collection per call.
                    converts = true;
                }
                else
                {
                    // Optional<T> takes the producer's T (or None when it is skipped), not an Optional<T>.
                    Conversion conversion = compilation.ClassifyConversion(output, optionalOf ?? parameter.Type);
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
                role == ParameterRole.Input ? GeneratedSignature.UseOf(parameter.Type, context.Type) : TypeUse.Public,
                ItemType: item?.ToDisplayString(FullyQualified),
                IsOptional: optionalOf is not null);
        }

        /// <summary>The <c>T</c> of <c>Kiln.Optional&lt;T&gt;</c>, or null for any other type.</summary>
        public static ITypeSymbol? OptionalElement(ITypeSymbol type) =>
            type is INamedTypeSymbol
            {
                Name: "Optional",
                TypeArguments.Length: 1,
                ContainingNamespace: { Name: KnownNames.Namespace, ContainingNamespace.IsGlobalNamespace: true },
            } optional
                ? optional.TypeArguments[0]
                : null;

        /// <summary>The node kind <paramref name="attribute"/> marks, or null when it is no kind attribute.</summary>
        internal static NodeKindSpec? KindOf(AttributeData attribute) =>
            IsKilnAttribute(attribute, KnownNames.TaskAttribute) ? NodeKindSpec.Task
            : IsKilnAttribute(attribute, KnownNames.KernelAttribute) ? NodeKindSpec.Kernel
            : IsKilnAttribute(attribute, KnownNames.ReduceAttribute) ? NodeKindSpec.Reduce
            : IsKilnAttribute(attribute, KnownNames.StageAttribute) ? NodeKindSpec.Stage
            : IsKilnAttribute(attribute, KnownNames.MapAttribute) ? NodeKindSpec.Map
            : null;

        private static bool IsNode(IMethodSymbol method)
        {
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (KindOf(attribute) is not null)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The output type of a node: a kernel's or a map's is an array of what it returns per element (per item); anything
        /// else's is its return type unwrapped from Task/ValueTask; null when there is none.
        /// </summary>
        public static ITypeSymbol? NodeOutputOf(IMethodSymbol method, NodeKindSpec kind, Compilation compilation, out ReturnShape shape)
        {
            ITypeSymbol? output = OutputOf(method, compilation, out shape);
            // A map returning what no array can hold (a ref struct, a pointer) keeps it as is: KILN019 reports it.
            if (output is not null && output.TypeKind != TypeKind.Error
                && (kind == NodeKindSpec.Kernel
                    || (kind == NodeKindSpec.Map && !output.IsRefLikeType && output is not IPointerTypeSymbol and not IFunctionPointerTypeSymbol)))
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
            type is INamedTypeSymbol
            {
                Name: "CancellationToken",
                ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } }
            };

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
