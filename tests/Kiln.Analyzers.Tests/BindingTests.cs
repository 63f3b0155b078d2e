using System.Linq;
using System.Threading.Tasks;
using Kiln.Analyzers;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN004–KILN007: parameters that bind to the wrong thing, reported where the binding is written.</summary>
public class BindingTests
{
    [Fact]
    public async Task Implicit_reference_numeric_and_nullable_conversions_from_the_producer_are_fine()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count(IReadOnlyList<int> parse) => parse.Count;
                [Task] public static long Total(long count, IEnumerable<int> parse) => count;
                [Task] public static string Name(string text) => text;
                [Task] public static string Render(object name, string? text, long total) => name + " " + text + total;
            }

            public static class Caller
            {
                public static Task<string> Go() => Report.RunAsync("text");
            }
            """);
    }

    [Fact]
    public async Task A_parameter_the_producer_output_does_not_convert_to_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count(List<int> {|KILN004:parse|}) => parse.Count;
                [Task] public static int Narrow(long seed) => (int)seed;
                [Task] public static string Render(int count, short {|KILN004:narrow|}) => count + " " + narrow;
            }

            public static class Caller
            {
                public static Task<string> Go() => Report.RunAsync("text", seed: 3L);
            }
            """);

        Assert.Equal("Parameter 'parse' of 'Count' is 'List<int>', but it binds to 'Parse', whose output is 'int[]'", diagnostics[0].GetMessage());
        Assert.Equal("Parameter 'narrow' of 'Render' is 'short', but it binds to 'Narrow', whose output is 'int'", diagnostics[1].GetMessage());
    }

    [Fact]
    public async Task The_output_of_an_async_node_is_the_unwrapped_type()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static Task<string> Fetch(Uri source) => Task.FromResult(source.ToString());
                [Task] public static int Parse(Task<string> {|KILN004:fetch|}) => 0;
            }
            """);
    }

    [Fact]
    public async Task An_input_with_two_types_is_reported_where_it_disagrees_with_its_first_appearance()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int Small(int size) => size;
                [Task] public static long Large(long {|KILN005:size|}) => size;
                [Task] public static long Sum(int small, long large, int size) => small + large + size;
            }

            public static class Caller
            {
                public static Task<long> Go() => Report.RunAsync(size: 3);
            }
            """);

        Assert.Equal("Pipeline input 'size' is 'long' here but 'int' where it first appears", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task A_nullable_annotation_does_not_make_an_input_a_different_type()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int A(string? name) => name?.Length ?? 0;
                [Task] public static int B(string name, int a) => name.Length + a;
            }
            """);
    }

    [Fact]
    public async Task From_naming_no_node_is_reported_at_the_argument_with_the_closest_name()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From({|KILN006:"Parce"|})] int[] values) => values.Length;
            }

            public static class Caller
            {
                public static async Task Go() => await Report.RunAsync("text");
            }
            """);

        Diagnostic diagnostic = diagnostics.Single();
        Assert.Equal("'Parce' is not a node of pipeline 'Report'; did you mean 'Parse'?", diagnostic.GetMessage());
        Assert.Equal("Parse", diagnostic.Properties[PipelineAnalyzer.SuggestionProperty]);
    }

    [Fact]
    public async Task After_naming_no_node_is_reported_at_that_argument_of_that_attribute()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static void Fetch() { }
                [Task] public static void Parse() { }
                [Task, After(nameof(Fetch), {|KILN006:"Prase"|})] public static void Log() { }
                [Task]
                [After(nameof(Fetch))]
                [After(nameof(Parse), {|KILN006:"Lgo"|})]
                public static void Flush() { }
            }

            public static class Caller
            {
                public static Task Go() => Report.RunAsync();
            }
            """);

        Assert.Equal(new[] { "Parse", "Log" }, diagnostics.Select(d => d.Properties[PipelineAnalyzer.SuggestionProperty]));
    }

    [Fact]
    public async Task After_with_an_explicit_array_is_reported_at_the_element()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static void Fetch() { }
                [Task, After(new[] { nameof(Fetch), {|KILN006:"Fetc"|} })] public static void Log() { }
            }
            """);
    }

    [Fact]
    public async Task A_name_far_from_every_node_gets_no_suggestion()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From({|KILN006:"Histogram"|})] int[] values) => values.Length;
            }
            """);

        Diagnostic diagnostic = diagnostics.Single();
        Assert.Equal("'Histogram' is not a node of pipeline 'Report'", diagnostic.GetMessage());
        Assert.False(diagnostic.Properties.ContainsKey(PipelineAnalyzer.SuggestionProperty));
    }

    [Fact]
    public async Task A_parameter_bound_to_a_node_without_output_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static Task Log(string text) => Task.CompletedTask;
                [Task] public static void Warm() { }
                [Task] public static int Count(string text, int {|KILN007:log|}, [From(nameof(Warm))] object {|KILN007:cache|}) => text.Length;
            }

            public static class Caller
            {
                public static Task<int> Go() => Report.RunAsync("text");
            }
            """);

        Assert.Equal(
            "Parameter 'log' binds to 'Log', which has no output; use [After(nameof(Log))] on 'Count' to order it without data",
            diagnostics[0].GetMessage());
    }
}
