using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>How System.Text.Json reads and writes one type of a durable pipeline.</summary>
    public enum JsonTypeKind
    {
        /// <summary>A type with a built-in converter (<see cref="JsonTypeSpec.Converter"/>).</summary>
        Value,
        /// <summary>An enum, written as its number.</summary>
        Enum,
        /// <summary><c>Nullable&lt;T&gt;</c> of <see cref="JsonTypeSpec.Element"/>.</summary>
        Nullable,
        /// <summary>A one-dimensional array.</summary>
        Array,
        /// <summary><c>List&lt;T&gt;</c>.</summary>
        List,
        /// <summary>A collection interface a <c>List&lt;T&gt;</c> implements (<c>IReadOnlyList&lt;T&gt;</c>, ...): read back as a list.</summary>
        Enumerable,
        /// <summary><c>Dictionary&lt;TKey, TValue&gt;</c>.</summary>
        Dictionary,
        /// <summary><c>IReadOnlyDictionary&lt;TKey, TValue&gt;</c> or <c>IDictionary&lt;TKey, TValue&gt;</c>: read back as a dictionary.</summary>
        ReadOnlyDictionary,
        /// <summary>A class, record or struct: its public properties, created through a public constructor.</summary>
        Object,
    }

    /// <summary>One type the generated JSON context describes.</summary>
    /// <param name="Type">The type, fully qualified, without nullable reference annotations (what <c>typeof</c> takes).</param>
    /// <param name="Kind">How it is read and written.</param>
    /// <param name="Converter">For <see cref="JsonTypeKind.Value"/>, the <c>JsonMetadataServices</c> converter property.</param>
    /// <param name="Element">The element type of a collection or nullable (a dictionary's value type), else null.</param>
    /// <param name="Key">A dictionary's key type, else null.</param>
    /// <param name="Members">An object's public properties, its own first, then its base types' (System.Text.Json's order).</param>
    /// <param name="ConstructorArity">How many of <see cref="Members"/>' <c>ConstructorPosition</c>s are constructor parameters.</param>
    /// <param name="IsValueType">Whether the type is a struct.</param>
    public sealed record JsonTypeSpec(
        string Type,
        JsonTypeKind Kind,
        string? Converter,
        string? Element,
        string? Key,
        EquatableArray<JsonMemberSpec> Members,
        int ConstructorArity,
        bool IsValueType);

    /// <summary>One public property of an object type.</summary>
    /// <param name="Name">The property's name.</param>
    /// <param name="JsonName">Its name in JSON (<c>[JsonPropertyName]</c>, else the property's name).</param>
    /// <param name="Type">Its type, fully qualified without nullable reference annotations.</param>
    /// <param name="ConstructorPosition">Its position among the constructor's parameters, or -1.</param>
    /// <param name="Initializable">Whether it has a public <c>set</c> or <c>init</c> and is no constructor parameter: set by
    /// an object initializer after the constructor when read back.</param>
    public sealed record JsonMemberSpec(string Name, string JsonName, string Type, int ConstructorPosition, bool Initializable);

    /// <summary>A type a durable pipeline cannot store, and why (KILN016).</summary>
    /// <param name="Node">The node whose output or input parameter it is.</param>
    /// <param name="Parameter">The input parameter's index, or -1 for the node's output.</param>
    /// <param name="Type">The type as C# displays it.</param>
    /// <param name="Reason">Why it cannot be stored, naming the property or element on the way when it is nested.</param>
    /// <param name="Distributed">Whether it is a distributed node's argument or output (it must travel to a silo) rather than
    /// a durable pipeline's stored value.</param>
    public sealed record JsonProblem(int Node, int Parameter, string Type, string Reason, bool Distributed = false);

    /// <summary>
    /// Decides, for the types a durable pipeline stores, how System.Text.Json handles them, so the generator can write
    /// their metadata by hand (its own output is invisible to System.Text.Json's generator), or why it cannot.
    /// </summary>
    public sealed class JsonContracts
    {
        private static readonly SymbolDisplayFormat TypeOfFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .RemoveMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private static readonly Dictionary<SpecialType, string> SpecialConverters = new()
        {
            [SpecialType.System_Boolean] = "BooleanConverter",
            [SpecialType.System_Byte] = "ByteConverter",
            [SpecialType.System_SByte] = "SByteConverter",
            [SpecialType.System_Char] = "CharConverter",
            [SpecialType.System_Int16] = "Int16Converter",
            [SpecialType.System_UInt16] = "UInt16Converter",
            [SpecialType.System_Int32] = "Int32Converter",
            [SpecialType.System_UInt32] = "UInt32Converter",
            [SpecialType.System_Int64] = "Int64Converter",
            [SpecialType.System_UInt64] = "UInt64Converter",
            [SpecialType.System_Single] = "SingleConverter",
            [SpecialType.System_Double] = "DoubleConverter",
            [SpecialType.System_Decimal] = "DecimalConverter",
            [SpecialType.System_String] = "StringConverter",
            [SpecialType.System_DateTime] = "DateTimeConverter",
        };

        private static readonly Dictionary<string, string> NamedConverters = new()
        {
            ["System.DateTimeOffset"] = "DateTimeOffsetConverter",
            ["System.TimeSpan"] = "TimeSpanConverter",
            ["System.Guid"] = "GuidConverter",
            ["System.Uri"] = "UriConverter",
            ["System.Version"] = "VersionConverter",
            ["System.DateOnly"] = "DateOnlyConverter",
            ["System.TimeOnly"] = "TimeOnlyConverter",
            ["System.Half"] = "HalfConverter",
            ["System.Int128"] = "Int128Converter",
            ["System.UInt128"] = "UInt128Converter",
            ["System.Text.Json.JsonElement"] = "JsonElementConverter",
        };

        // Types that hold a live resource or an operation rather than a value, by metadata name.
        private static readonly Dictionary<string, string> Resources = new()
        {
            ["System.Threading.Tasks.Task"] = "an asynchronous operation, not a value",
            ["System.Threading.Tasks.Task`1"] = "an asynchronous operation, not a value",
            ["System.Threading.Tasks.ValueTask"] = "an asynchronous operation, not a value",
            ["System.Threading.Tasks.ValueTask`1"] = "an asynchronous operation, not a value",
            ["System.Collections.Generic.IAsyncEnumerable`1"] = "an asynchronous stream, not a value",
            ["System.Threading.CancellationToken"] = "a cancellation token, which belongs to one process",
            ["System.IO.Stream"] = "a stream, which holds a live resource",
            ["System.IO.Pipelines.PipeReader"] = "a pipe, which holds a live resource",
            ["System.IO.Pipelines.PipeWriter"] = "a pipe, which holds a live resource",
            ["System.IntPtr"] = "a native handle, which belongs to one process",
            ["System.UIntPtr"] = "a native handle, which belongs to one process",
            ["System.Type"] = "a runtime type, which System.Text.Json refuses",
            ["System.Reflection.MemberInfo"] = "reflection metadata, which System.Text.Json refuses",
            ["System.Object"] = "'object': what it holds is not known at build time, so it would not read back as written",
            ["System.Memory`1"] = "a memory span, which may share its buffer; use an array",
            ["System.ReadOnlyMemory`1"] = "a memory span, which may share its buffer; use an array",
            ["System.ArraySegment`1"] = "an array segment, which may share its buffer; use an array",
        };

        private static readonly Dictionary<string, JsonTypeKind> Collections = new()
        {
            ["System.Collections.Generic.List`1"] = JsonTypeKind.List,
            ["System.Collections.Generic.IEnumerable`1"] = JsonTypeKind.Enumerable,
            ["System.Collections.Generic.IReadOnlyCollection`1"] = JsonTypeKind.Enumerable,
            ["System.Collections.Generic.IReadOnlyList`1"] = JsonTypeKind.Enumerable,
            ["System.Collections.Generic.ICollection`1"] = JsonTypeKind.Enumerable,
            ["System.Collections.Generic.IList`1"] = JsonTypeKind.Enumerable,
            ["System.Collections.Generic.Dictionary`2"] = JsonTypeKind.Dictionary,
            ["System.Collections.Generic.IReadOnlyDictionary`2"] = JsonTypeKind.ReadOnlyDictionary,
            ["System.Collections.Generic.IDictionary`2"] = JsonTypeKind.ReadOnlyDictionary,
        };

        private readonly Dictionary<string, JsonTypeSpec> _types = new();
        private readonly List<JsonTypeSpec> _ordered = new();
        private readonly CancellationToken _cancellationToken;

        /// <summary>Starts an empty set of contracts.</summary>
        public JsonContracts(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

        /// <summary>Every type added so far, each once, in the order first met.</summary>
        public EquatableArray<JsonTypeSpec> Types => _ordered.ToEquatableArray();

        /// <summary>The fully qualified name <c>typeof</c> takes for <paramref name="type"/>.</summary>
        public static string TypeOfName(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeOfFormat);

        /// <summary>
        /// Adds <paramref name="type"/> and every type it reaches; returns null, or why it cannot be stored. Nothing of a
        /// type that cannot be stored is kept.
        /// </summary>
        public string? Add(ITypeSymbol type)
        {
            var added = new List<JsonTypeSpec>();
            var visiting = new HashSet<string>();
            string? problem = Visit(type, added, visiting);
            if (problem is null)
            {
                foreach (JsonTypeSpec spec in added)
                {
                    if (!_types.ContainsKey(spec.Type))
                    {
                        _types.Add(spec.Type, spec);
                        _ordered.Add(spec);
                    }
                }
            }

            return problem;
        }

        private string? Visit(ITypeSymbol type, List<JsonTypeSpec> added, HashSet<string> visiting)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            string name = TypeOfName(type);
            if (_types.ContainsKey(name) || !visiting.Add(name))
            {
                return null; // known, or being described further up (a recursive type)
            }

            if (Unsupported(type) is { } reason)
            {
                return reason;
            }

            // Generated code names the type, its properties and its constructor: an [Obsolete(..., true)] one would be
            // a CS0619 error there, which would hide every KILN error.
            if (IsObsoleteError(type))
            {
                return "marked [Obsolete] as an error, so generated code cannot name it";
            }

            if (type.SpecialType != SpecialType.None && SpecialConverters.TryGetValue(type.SpecialType, out string? special))
            {
                return Keep(added, Leaf(name, JsonTypeKind.Value, special, type));
            }

            string metadataName = MetadataName(type);
            if (NamedConverters.TryGetValue(metadataName, out string? converter))
            {
                return Keep(added, Leaf(name, JsonTypeKind.Value, converter, type));
            }

            if (type.TypeKind == TypeKind.Enum)
            {
                return Keep(added, Leaf(name, JsonTypeKind.Enum, null, type));
            }

            if (type is IArrayTypeSymbol array)
            {
                if (array.Rank != 1)
                {
                    return "a multi-dimensional array, which System.Text.Json cannot read or write; use an array of arrays";
                }

                if (array.ElementType.SpecialType == SpecialType.System_Byte)
                {
                    return Keep(added, Leaf(name, JsonTypeKind.Value, "ByteArrayConverter", type));
                }

                return Nested(array.ElementType, "its elements are", added, visiting)
                    ?? Keep(added, Leaf(name, JsonTypeKind.Array, null, type) with { Element = TypeOfName(array.ElementType) });
            }

            if (type is not INamedTypeSymbol named)
            {
                return "a type System.Text.Json cannot describe";
            }

            if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
            {
                ITypeSymbol underlying = named.TypeArguments[0];
                return Nested(underlying, "its value is", added, visiting)
                    ?? Keep(added, Leaf(name, JsonTypeKind.Nullable, null, type) with { Element = TypeOfName(underlying) });
            }

            if (named.IsGenericType && Collections.TryGetValue(MetadataName(named.OriginalDefinition), out JsonTypeKind collection))
            {
                return Collection(named, name, collection, added, visiting);
            }

            if (named.IsTupleType)
            {
                return "a tuple: System.Text.Json writes no tuple fields, so nothing would be stored; use a record";
            }

            return ObjectType(named, name, added, visiting);
        }

        private string? Collection(INamedTypeSymbol named, string name, JsonTypeKind kind, List<JsonTypeSpec> added, HashSet<string> visiting)
        {
            if (kind is JsonTypeKind.Dictionary or JsonTypeKind.ReadOnlyDictionary)
            {
                ITypeSymbol key = named.TypeArguments[0];
                if (!IsDictionaryKey(key))
                {
                    return $"a dictionary keyed by '{key.ToDisplayString()}'; JSON object keys must be strings, numbers, GUIDs or enums";
                }

                return Nested(key, "its keys are", added, visiting)
                    ?? Nested(named.TypeArguments[1], "its values are", added, visiting)
                    ?? Keep(added, Leaf(name, kind, null, named) with { Key = TypeOfName(key), Element = TypeOfName(named.TypeArguments[1]) });
            }

            ITypeSymbol element = named.TypeArguments[0];
            return Nested(element, "its elements are", added, visiting)
                ?? Keep(added, Leaf(name, kind, null, named) with { Element = TypeOfName(element) });
        }

        private string? ObjectType(INamedTypeSymbol named, string name, List<JsonTypeSpec> added, HashSet<string> visiting)
        {
            if (named.TypeKind is TypeKind.Interface || named.IsAbstract)
            {
                return $"{(named.TypeKind == TypeKind.Interface ? "an interface" : "an abstract class")}: reading it back would need "
                    + "a concrete type; use one";
            }

            if (named.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                return "a type System.Text.Json cannot describe";
            }

            if (!IsAccessible(named))
            {
                return "not accessible from the pipeline class's namespace (a private or protected nested type, or a file-local type)";
            }

            List<IPropertySymbol> properties = PublicProperties(named);
            IMethodSymbol? constructor = ChooseConstructor(named, out string? constructorProblem);
            if (constructorProblem is not null)
            {
                return constructorProblem;
            }

            if (constructor is not null && IsObsoleteError(constructor))
            {
                return "its constructor is marked [Obsolete] as an error, so generated code cannot call it";
            }

            if (constructor?.Parameters.FirstOrDefault(p => p.RefKind is RefKind.Ref or RefKind.Out) is { } byReference)
            {
                return $"its constructor's parameter '{byReference.Name}' is passed by reference, so generated code cannot call it with a value";
            }

            if (properties.FirstOrDefault(IsObsoleteError) is { } obsolete)
            {
                return $"its property '{obsolete.Name}' is marked [Obsolete] as an error, so generated code cannot read it";
            }

            var members = new List<JsonMemberSpec>();
            var bound = new HashSet<IPropertySymbol>(SymbolEqualityComparer.Default);
            int arity = constructor?.Parameters.Length ?? 0;
            for (int p = 0; p < arity; p++)
            {
                IParameterSymbol parameter = constructor!.Parameters[p];
                IPropertySymbol? property = properties.FirstOrDefault(x =>
                    string.Equals(x.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(x.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated),
                        parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)));
                if (property is null)
                {
                    return $"its constructor's parameter '{parameter.Name}' matches no public property of the same type, so its value "
                        + "would not be stored";
                }

                bound.Add(property);
            }

            foreach (IPropertySymbol property in properties)
            {
                if (Nested(property.Type, $"property '{property.Name}' is", added, visiting) is { } problem)
                {
                    return problem;
                }

                int position = constructor is null ? -1 : IndexOfParameter(constructor, property, bound);
                bool initializable = position < 0 && property.SetMethod is { DeclaredAccessibility: Accessibility.Public };
                members.Add(new JsonMemberSpec(property.Name, JsonName(property), TypeOfName(property.Type), position, initializable));
            }

            return Keep(added, new JsonTypeSpec(name, JsonTypeKind.Object, null, null, null, members.ToEquatableArray(), arity, named.IsValueType));
        }

        private static int IndexOfParameter(IMethodSymbol constructor, IPropertySymbol property, HashSet<IPropertySymbol> bound)
        {
            if (!bound.Contains(property))
            {
                return -1;
            }

            for (int p = 0; p < constructor.Parameters.Length; p++)
            {
                if (string.Equals(constructor.Parameters[p].Name, property.Name, StringComparison.OrdinalIgnoreCase))
                {
                    return p;
                }
            }

            return -1;
        }

        // [JsonConstructor] if any; else the only public constructor; else the public parameterless one.
        private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol named, out string? problem)
        {
            problem = null;
            List<IMethodSymbol> candidates = named.InstanceConstructors
                .Where(c => c.DeclaredAccessibility == Accessibility.Public && !IsCopyConstructor(named, c))
                .ToList();
            IMethodSymbol? marked = candidates.FirstOrDefault(c => c.GetAttributes().Any(a => a.AttributeClass?.Name == "JsonConstructorAttribute"));
            if (marked is not null)
            {
                return marked;
            }

            // A struct always has its parameterless constructor, implicit or not.
            List<IMethodSymbol> explicitOnes = candidates.Where(c => !c.IsImplicitlyDeclared).ToList();
            if (explicitOnes.Count == 1)
            {
                return explicitOnes[0];
            }

            IMethodSymbol? parameterless = candidates.FirstOrDefault(c => c.Parameters.Length == 0);
            if (parameterless is not null)
            {
                return parameterless;
            }

            problem = candidates.Count == 0
                ? "it has no public constructor, so it cannot be created when read back"
                : "it has several public constructors and none without parameters; mark the one to use [JsonConstructor]";
            return null;
        }

        private static bool IsCopyConstructor(INamedTypeSymbol named, IMethodSymbol constructor) =>
            named.IsRecord && constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, named);

        // Public instance properties with a public getter, in System.Text.Json's order: the type's own, then its base
        // types'; a redeclared name counts once, as its most derived declaration.
        private static List<IPropertySymbol> PublicProperties(INamedTypeSymbol named)
        {
            var chain = new List<INamedTypeSymbol>();
            for (INamedTypeSymbol? t = named; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
            {
                chain.Add(t);
            }

            var byName = new Dictionary<string, int>();
            var properties = new List<IPropertySymbol>();
            foreach (INamedTypeSymbol t in chain)
            {
                foreach (ISymbol member in t.GetMembers())
                {
                    if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                        || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public }
                        || property.GetAttributes().Any(a => a.AttributeClass?.Name == "JsonIgnoreAttribute"))
                    {
                        continue;
                    }

                    if (!byName.ContainsKey(property.Name))
                    {
                        byName.Add(property.Name, properties.Count);
                        properties.Add(property);
                    }
                }
            }

            return properties;
        }

        private static string JsonName(IPropertySymbol property)
        {
            foreach (AttributeData attribute in property.GetAttributes())
            {
                if (attribute.AttributeClass?.Name == "JsonPropertyNameAttribute"
                    && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string given)
                {
                    return given;
                }
            }

            return property.Name;
        }

        private string? Nested(ITypeSymbol type, string where, List<JsonTypeSpec> added, HashSet<string> visiting) =>
            Visit(type, added, visiting) is { } problem ? $"{where} '{type.ToDisplayString()}', {problem}" : null;

        private static string? Keep(List<JsonTypeSpec> added, JsonTypeSpec spec)
        {
            added.Add(spec);
            return null;
        }

        private static JsonTypeSpec Leaf(string name, JsonTypeKind kind, string? converter, ITypeSymbol type) =>
            new(name, kind, converter, null, null, EquatableArray<JsonMemberSpec>.Empty, 0, type.IsValueType);

        private static string? Unsupported(ITypeSymbol type)
        {
            switch (type)
            {
                case ITypeParameterSymbol:
                    return "a type parameter, whose type is known only at run time";
                case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                    return "a pointer, which belongs to one process";
                case IDynamicTypeSymbol:
                    return "'dynamic': what it holds is not known at build time";
                case IErrorTypeSymbol:
                    return "a type the compiler cannot find";
            }

            if (type.IsRefLikeType)
            {
                return "a ref struct, which cannot be stored anywhere but the stack";
            }

            if (type.TypeKind == TypeKind.Delegate)
            {
                return "a delegate: code, not data";
            }

            if (type.SpecialType == SpecialType.System_Object)
            {
                return Resources["System.Object"];
            }

            // Base types too (a MemoryStream is a Stream), but every class derives from object.
            for (ITypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                if (t is INamedTypeSymbol named && Resources.TryGetValue(MetadataName(named.OriginalDefinition), out string? reason))
                {
                    return reason;
                }
            }

            return null;
        }

        private static bool IsObsoleteError(ISymbol symbol) =>
            symbol.GetAttributes().Any(a => a.AttributeClass is { Name: "ObsoleteAttribute", ContainingNamespace.Name: "System" }
                && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[1].Value is true);

        private static bool IsDictionaryKey(ITypeSymbol key) =>
            key.TypeKind == TypeKind.Enum
            || key.SpecialType is SpecialType.System_String or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32
                or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Byte
                or SpecialType.System_SByte or SpecialType.System_Char
            || MetadataName(key) == "System.Guid";

        // The generated context is nested in the pipeline class, so a type must be reachable from there: public or
        // internal throughout, or a nested type of the pipeline class itself (checked by the compiler, not here).
        private static bool IsAccessible(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                // A file-local type cannot be named from the generated file either.
                if (t.IsFileLocal || t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    return false;
                }
            }

            return true;
        }

        private static string MetadataName(ITypeSymbol type)
        {
            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : string.Empty;
            return ns + type.MetadataName;
        }
    }
}
