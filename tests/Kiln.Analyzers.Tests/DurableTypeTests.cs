using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN016: every input and node output of a durable pipeline must be a type System.Text.Json can store.</summary>
public class DurableTypeTests
{
    [Theory]
    [InlineData("System.Func<int>", "a delegate")]
    [InlineData("System.IO.MemoryStream", "a stream")]
    [InlineData("object", "'object'")]
    [InlineData("(int, string)", "a tuple")]
    [InlineData("int[,]", "a multi-dimensional array")]
    [InlineData("System.Collections.Generic.IEnumerable<System.Action>", "its elements are 'System.Action', a delegate")]
    [InlineData("System.Collections.Generic.Dictionary<System.Version, int>", "a dictionary keyed by 'System.Version'")]
    [InlineData("Shape", "an abstract class")]
    [InlineData("IThing", "an interface")]
    [InlineData("Twice", "several public constructors")]
    [InlineData("Hidden", "constructor's parameter 'secret' matches no public property")]
    [InlineData("Holder", "property 'Callback' is 'System.Action', a delegate")]
    [InlineData("Retired", "its property 'Old' is marked [Obsolete] as an error")]
    public async Task An_output_that_cannot_be_stored_is_reported_at_the_node_with_the_reason(string type, string reason)
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + Types + $$"""
            [Pipeline(Durable = true)]
            public static partial class Ingest
            {
                [Task] public static {{type}} {|KILN016:Load|}() => default!;
            }
            """);

        string message = diagnostics.Single().GetMessage();
        Assert.StartsWith("The output of 'Load' is '", message, System.StringComparison.Ordinal);
        Assert.Contains("which durable pipeline 'Ingest' cannot store: ", message, System.StringComparison.Ordinal);
        Assert.Contains(reason, message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_that_cannot_be_stored_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline(Durable = true)]
            public static partial class Ingest
            {
                [Task] public static int Load(System.Func<int> {|KILN016:source|}) => source();
            }
            """);

        Assert.StartsWith("Input 'source' of 'Load' is 'System.Func<int>'", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_types_in_a_pipeline_that_is_not_durable_are_fine()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Ingest
            {
                [Task] public static System.Func<int> Load(System.IO.Stream source) => () => 1;
            }
            """);
    }

    [Fact]
    public async Task Records_collections_enums_and_recursive_types_are_storable()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public enum Kind { A, B }
            public sealed record Page(string Url, int[] Words, Kind Kind);
            public sealed class Tree { public int Value { get; set; } public System.Collections.Generic.List<Tree> Children { get; set; } = new(); }
            [Pipeline(Durable = true)]
            public static partial class Ingest
            {
                [Task] public static System.Collections.Generic.IReadOnlyList<Page> Load(string path, System.DateTime? since) => new Page[0];
                [Task] public static System.Collections.Generic.Dictionary<string, Tree> Index(System.Collections.Generic.IReadOnlyList<Page> load) => new();
                [Task] public static System.Threading.Tasks.Task<System.Guid?> Tag(System.Collections.Generic.Dictionary<string, Tree> index) => System.Threading.Tasks.Task.FromResult<System.Guid?>(null);
            }
            """);
    }

    private const string Types = """
        public abstract class Shape { public int Sides { get; set; } }
        public interface IThing { int Id { get; } }
        public sealed class Twice { public Twice(int a) { A = a; } public Twice(string b) { A = b.Length; } public int A { get; } }
        public sealed class Hidden { public Hidden(int secret) { } public int Shown { get; set; } }
        public sealed class Holder { public System.Action Callback { get; set; } = () => { }; }
        public sealed class Retired { [System.Obsolete("gone", true)] public int Old { get; set; } }

        """;
}
