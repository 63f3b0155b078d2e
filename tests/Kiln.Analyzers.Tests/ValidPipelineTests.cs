using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>Pipelines that follow every rule get no diagnostic, and code calling them compiles.</summary>
public class ValidPipelineTests
{
    [Fact]
    public async Task The_spec_example_with_async_nodes_and_a_cancellation_token_has_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public sealed record Summary(int Count);

            [Pipeline]
            public static partial class Report
            {
                [Task] public static async Task<string> Fetch(Uri source, CancellationToken ct) { await Task.Yield(); return source.ToString(); }
                [Task] public static int[] Parse(string fetch) => new[] { fetch.Length };
                [Task] public static Summary Summarize(int[] parse) => new Summary(parse.Length);
                [Task(Cost = 4)] public static int[] Histogram(int[] parse, int bins) => new int[bins];
                [Task] public static string Render(Summary summarize, int[] histogram) => summarize.Count + "/" + histogram.Length;
            }

            public static class Caller
            {
                public static async Task<string> Go() => await Report.RunAsync(source: new Uri("file:///data.csv"), bins: 20);
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task After_Output_ValueTask_and_From_together_have_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Load
            {
                [Task] public static ValueTask Warm() => default;
                [Task, After(nameof(Warm))] public static ValueTask<int[]> Read(string path) => new(new[] { path.Length });
                [Task, Output] public static int Count([From(nameof(Read))] int[] values) => values.Length;
                [Task] [After(nameof(Warm))] [After(nameof(Count))] public static string Render(int count) => count.ToString();
            }

            public static class Caller
            {
                public static async Task<string> Go()
                {
                    Load.Result result = await Load.RunAsync("data.csv");
                    return result.Render + result.Count;
                }
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Keyword_names_and_case_insensitive_binding_have_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Audit
            {
                [Task] public static string Event(string @class) => @class;
                [Task] public static int Length(string @event, int @checked) => @event.Length + @checked;
            }

            public static class Caller
            {
                public static Task<int> Go() => Audit.RunAsync(@class: "x", @checked: 1);
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task A_pipeline_without_nodes_or_sinks_has_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            namespace Empty
            {
                [Pipeline]
                internal static partial class Nothing
                {
                }

                [Pipeline]
                internal static partial class SideEffects
                {
                    [Task] public static void Log(string message, CancellationToken cancellationToken) { }
                }

                internal static class Caller
                {
                    public static Task Go() => Task.WhenAll(Nothing.RunAsync(), SideEffects.RunAsync("hi"));
                }
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Pipeline_declared_over_several_partial_declarations_has_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(
            Sources.Usings + """
            public static partial class Split
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Split
            {
                [Task] public static string Render(int parse) => parse.ToString();
            }

            public static class Caller
            {
                public static Task<string> Go() => Split.RunAsync("text");
            }
            """);

        Assert.Empty(diagnostics);
    }
}
