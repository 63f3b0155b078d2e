using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN002, KILN003, KILN008, KILN012: what a pipeline class and its node methods must look like.</summary>
public class DeclarationTests
{
    [Fact]
    public async Task A_pipeline_class_that_is_not_static_is_reported_at_its_identifier()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public partial class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }

            public static class Caller
            {
                public static Task<int> Go() => Report.RunAsync("text");
            }
            """);

        Assert.Equal("Pipeline 'Report' must be a static partial class", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task A_pipeline_class_that_is_not_partial_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);
    }

    [Fact]
    public async Task A_sealed_pipeline_class_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public sealed partial class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);
    }

    [Fact]
    public async Task A_pipeline_nested_in_a_type_that_is_not_partial_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public static class Outer
            {
                [Pipeline]
                public static partial class {|KILN002:Report|}
                {
                    [Task] public static int Parse(string text) => text.Length;
                }
            }
            """);
    }

    [Fact]
    public async Task A_pipeline_nested_in_partial_types_is_fine()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            namespace Reports
            {
                public static partial class Outer
                {
                    [Pipeline]
                    public static partial class Report
                    {
                        [Task] public static int Parse(string text) => text.Length;
                    }
                }

                public static class Caller
                {
                    public static Task<int> Go() => Outer.Report.RunAsync("text");
                }
            }
            """);
    }

    [Fact]
    public async Task A_pipeline_struct_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [{|CS0592:Pipeline|}]
            public partial struct {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);
    }

    [Fact]
    public async Task A_pipeline_record_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public partial record {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);
    }

    [Fact]
    public async Task KILN002_is_reported_at_the_declaration_that_carries_Pipeline()
    {
        await KilnVerifier.AnalyzeAsync(
            Sources.Usings + """
            public partial class Report
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public partial class {|KILN002:Report|}
            {
                [Task] public static int Count(int parse) => parse;
            }
            """);
    }

    [Fact]
    public async Task An_instance_node_is_reported_at_the_method_identifier()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public int {|KILN003:{|CS0708:Parse|}|}(string text) => text.Length;
            }
            """);

        Assert.Equal("Node 'Parse' is not static; a node must be a static, non-generic method", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task A_generic_node_is_reported_at_the_method_identifier()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int Parse(string text) => text.Length;
                [Task] public static int {|KILN003:Echo|}<T>(int parse) => parse;
            }

            public static class Caller
            {
                public static Task<int> Go() => Report.RunAsync("text");
            }
            """);

        Assert.Contains("is generic", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_taking_a_parameter_by_reference_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int Parse(ref int {|KILN003:seed|}) => seed;
            }

            public static class Caller
            {
                public static Task<int> Go() => Report.RunAsync(1);
            }
            """);

        Assert.Contains("takes parameter 'seed' by reference", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overloaded_nodes_are_reported_at_each_overload()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int {|KILN008:Parse|}(string text) => text.Length;
                [Task] public static int {|KILN008:Parse|}(string text, int radix) => radix;
                [Task] public static string Render(int parse) => parse.ToString();
            }

            public static class Caller
            {
                public static Task Go() => Report.RunAsync("text", 10);
            }
            """);

        Assert.All(diagnostics, d => Assert.Equal("Pipeline 'Report' has more than one node named 'Parse'", d.GetMessage()));
    }

    [Fact]
    public async Task A_method_marked_as_two_kinds_of_node_is_reported()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task, Kernel] public static float {|KILN012:Scale|}(float x) => x * 2f;
            }
            """);

        Assert.Contains("more than one kind of node", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }
}
