using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN014 and KILN015 for [Map] (SPEC section 10), reported by the analyzer from the shared model.</summary>
public class MapTests
{
    [Fact]
    public async Task A_map_over_an_array_a_list_or_a_read_only_list_with_an_index_has_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static string[] Plan(string question) => question.Split(' ');
                [Task] public static List<int> Sizes(int count) => new List<int> { count };
                [Task] public static IReadOnlyList<double> Weights(int count) => new double[count];
                [Map(MaxConcurrency = 8, Retries = 2, TimeoutMs = 2000)]
                public static Task<int> Fetch(string plan, [Index] int i, CancellationToken ct) => Task.FromResult(plan.Length + i);
                [Map] public static int Grow(int sizes, string question) => sizes + question.Length;
                [Map] public static void Weigh(double weights) { }
                [Task] public static int Answer(int[] fetch, int[] grow) => fetch.Length + grow.Length;
            }

            public static class Caller
            {
                public static Task<int> Go() => Research.RunAsync("a b", 3);
            }
            """);

        Assert.DoesNotContain(diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }

    [Fact]
    public async Task A_map_with_no_collection_parameter_is_KILN014_at_the_method()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static string Plan(string question) => question;
                [Map] public static int {|KILN014:Fetch|}(string plan) => plan.Length;
            }
            """);

        Assert.StartsWith("Map 'Fetch' has no parameter of a type T bound to a node producing T[]", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_map_with_two_item_parameters_is_KILN014_at_the_second()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static string[] Plan(string question) => question.Split(' ');
                [Task] public static int[] Sizes(int count) => new int[count];
                [Map] public static int Fetch(string plan, int {|KILN014:sizes|}) => plan.Length + sizes;
            }
            """);

        Assert.Contains("several parameters bound to items of a collection ('plan', 'sizes')", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_that_is_not_an_int_is_KILN014_at_the_parameter()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static string[] Plan(string question) => question.Split(' ');
                [Map] public static int Fetch(string plan, [Index] long {|KILN014:i|}) => plan.Length;
            }
            """);
    }

    [Fact]
    public async Task Map_on_a_kernel_is_KILN015_not_KILN012()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Image
            {
                [Task] public static float[] Load(int size) => new float[size];
                [Kernel, Map] public static float {|KILN015:Scale|}(float load) => load * 2f;
            }
            """);

        Assert.Equal("'[Map]' on kernel 'Scale': only tasks and maps can be conditional or mapped", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Map_on_a_stage_is_KILN015()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            using System.IO.Pipelines;

            [Pipeline]
            public static partial class Bytes
            {
                [Stage, Map] public static Task<int> {|KILN015:Copy|}(PipeReader source) => Task.FromResult(0);
            }
            """);
    }

    [Fact]
    public async Task Map_and_Task_together_stay_KILN012()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static string[] Plan(string question) => question.Split(' ');
                [Task, Map] public static int {|KILN012:Fetch|}(string question) => question.Length;
            }
            """);
    }
}
