using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN001: a dependency cycle, reported at every method on it with the whole path.</summary>
public class CycleTests
{
    [Fact]
    public async Task Two_nodes_consuming_each_other_are_a_cycle_reported_at_both()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Loop
            {
                [Task] public static int {|KILN001:A|}(int b) => b;
                [Task] public static int {|KILN001:B|}(int a) => a;
            }
            """);

        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Equal("Pipeline 'Loop' has a dependency cycle: A → B → A", diagnostics[0].GetMessage());
        Assert.Equal("Pipeline 'Loop' has a dependency cycle: A → B → A", diagnostics[1].GetMessage());
    }

    [Fact]
    public async Task Three_node_cycle_names_the_whole_path_at_every_method()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Ring
            {
                [Task] public static int {|KILN001:A|}(int c) => c;
                [Task] public static int {|KILN001:B|}(int a) => a;
                [Task] public static int {|KILN001:C|}(int b) => b;
                [Task] public static int Outside(int seed) => seed;
            }
            """);

        Assert.Equal(3, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Contains("A → B → C → A", d.GetMessage(), System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_naming_itself_in_From_is_a_cycle()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Self
            {
                [Task] public static int Start() => 1;
                [Task] public static int {|KILN001:Grow|}([From(nameof(Grow))] int previous, int start) => previous + start;
            }
            """);

        Assert.Contains("Grow → Grow", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parameter_named_as_its_own_node_is_an_input_not_a_cycle()
    {
        // SPEC section 5's own example: Gamma's `gamma` is the gamma value, not Gamma's output.
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Self
            {
                [Task] public static float Start() => 1f;
                [Task] public static float Gamma(float start, float gamma) => start * gamma;
            }

            public static class Caller
            {
                public static System.Threading.Tasks.Task<float> Run() => Self.RunAsync(gamma: 2.2f);
            }
            """);
    }

    [Fact]
    public async Task After_edges_close_cycles_too()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Ordered
            {
                [Task, After(nameof(Second))] public static void {|KILN001:First|}() { }
                [Task, After(nameof(First))] public static void {|KILN001:Second|}() { }
            }
            """);

        Assert.All(diagnostics, d => Assert.Contains("First → Second → First", d.GetMessage(), System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nodes_downstream_of_a_cycle_are_not_reported()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Tail
            {
                [Task] public static int {|KILN001:A|}(int b) => b;
                [Task] public static int {|KILN001:B|}(int a) => a;
                [Task] public static string Render(int b) => b.ToString();
            }
            """);
    }

    [Fact]
    public async Task Code_calling_RunAsync_on_a_cyclic_pipeline_still_compiles()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Loop
            {
                [Task] public static int {|KILN001:A|}(int b, int seed) => b + seed;
                [Task] public static int {|KILN001:B|}(int a) => a;
                [Task] public static string Render(int b) => b.ToString();
            }

            public static class Caller
            {
                public static async Task<string> Go() => await Loop.RunAsync(seed: 3);
            }
            """);
    }
}
