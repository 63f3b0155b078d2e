using System.Collections.Immutable;
using System.Linq;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>KILN017–KILN019 are reported at the user's own code, never in generated files, with a message that says why.</summary>
public class GeneratedNameDiagnosticTests
{
    private static (Diagnostic Diagnostic, string At) Single(string id, string members)
    {
        string source = Mistakes.Usings + "[Pipeline]\npublic static partial class P\n{\n" + members + "\n}\n";
        GeneratedResult result = KilnCompilation.Generate(source);
        ImmutableArray<Diagnostic> diagnostics = KilnCompilation.Analyze(result.Output);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(result.Input.SyntaxTrees.First().FilePath, diagnostic.Location.SourceTree!.FilePath);
        return (diagnostic, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Fact]
    public void A_node_named_Graph_is_reported_at_the_node_and_names_the_Graph_property()
    {
        var (diagnostic, at) = Single("KILN017", "[Task] public static int Load() => 1;\n[Task] public static int Graph(int load) => load;");

        Assert.Equal("Graph", at);
        Assert.Contains("Graph property", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_helper_property_named_RunAsync_is_reported_though_it_is_no_node()
    {
        var (_, at) = Single("KILN017", "[Task] public static int Load() => 1;\nprivate static int RunAsync => 2;");

        Assert.Equal("RunAsync", at);
    }

    [Fact]
    public void A_node_named_Result_is_fine_with_one_sink_and_reported_with_two()
    {
        GeneratedCodeCheck one = GeneratedCodeCheck.Of(Mistakes.Usings + "[Pipeline] public static partial class P { [Task] public static int Load() => 1; [Task] public static int Result(int load) => load; }");
        var (_, at) = Single("KILN017", "[Task] public static int Load() => 1;\n[Task] public static int Result(int load) => load;\n[Task] public static int Other(int load) => load;");

        Assert.Empty(one.Result.Errors);
        Assert.DoesNotContain("KILN017", one.KilnIds);
        Assert.Equal("Result", at);
    }

    [Fact]
    public void A_private_sink_type_is_reported_at_the_sink_naming_the_type()
    {
        var (diagnostic, at) = Single("KILN018", "private sealed class Secret { }\n[Task] private static Secret Hide() => new();");

        Assert.Equal("Hide", at);
        Assert.Contains("'Secret'", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_span_input_is_reported_at_the_parameter()
    {
        var (diagnostic, at) = Single("KILN019", "[Task] public static int Count(Span<int> items) => items.Length;");

        Assert.Equal("items", at);
        Assert.Contains("'items'", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }
}
