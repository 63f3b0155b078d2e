using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>SPEC section 10's rules for <c>[When]</c>: KILN013, KILN015, and KILN006 with its code fix.</summary>
public class ConditionTests
{
    [Fact]
    public async Task A_valid_condition_with_Optional_parameters_reports_nothing()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static bool Disputed(int score) => score > 5;
                [Task, When(nameof(Disputed))] public static Task<string> FactCheck(int score, CancellationToken ct) => Task.FromResult("checked");
                [Task, When(nameof(Disputed), false)] public static string Accept(int score) => "accepted";
                [Task] public static string Answer(Optional<string> factCheck, Optional<string> accept) => factCheck.GetValueOrDefault(accept.Value);
            }

            public static class Caller
            {
                public static async Task<string> Go() => await Research.RunAsync(3);
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task When_naming_a_node_that_does_not_return_bool_is_KILN013_at_the_name()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static int Score(int raw) => raw;
                [Task, When({|KILN013:nameof(Score)|}, false)] public static string Check(int score) => "checked";
            }
            """);

        Assert.Equal("'Check' runs when 'Score' returns false, but the output of 'Score' is 'int'; a condition must return bool", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task When_naming_a_node_without_output_is_KILN013()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static Task Warm() => Task.CompletedTask;
                [Task, When({|KILN013:nameof(Warm)|})] public static string Check() => "checked";
            }
            """);

        Assert.Equal("'Check' runs when 'Warm' returns true, but the output of 'Warm' is nothing; a condition must return bool", diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("Kernel", "public static float Scale(float values) => values * 2f;", "kernel", "Scale")]
    [InlineData("Reduce", "public static float Total(float acc, float values) => acc + values;", "reduction", "Total")]
    [InlineData("Stage", "public static async Task<long> Count(System.IO.Pipelines.PipeReader input) { var read = await input.ReadAsync(); long length = read.Buffer.Length; input.AdvanceTo(read.Buffer.End); return length; }", "stage", "Count")]
    public async Task When_on_a_kernel_reduction_or_stage_is_KILN015_at_the_attribute(string kind, string method, string kindWord, string name)
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + $$"""
            [Pipeline]
            public static partial class Research
            {
                [Task] public static float[] Values(float[] v) => v;
                [Task] public static bool Go(bool go) => go;
                [{{kind}}, {|KILN015:When(nameof(Go))|}] {{method}}
            }
            """);

        Assert.Equal($"'[When]' on {kindWord} '{name}': only tasks and maps can be conditional or mapped", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task When_naming_no_node_is_KILN006_at_the_name_with_the_closest_name()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static bool Disputed(int score) => score > 5;
                [Task, When({|KILN006:"Dispted"|})] public static string FactCheck(int score) => "checked";
            }
            """);

        Diagnostic diagnostic = diagnostics.Single();
        Assert.Equal("'Dispted' is not a node of pipeline 'Research'; did you mean 'Disputed'?", diagnostic.GetMessage());
        Assert.Equal("Disputed", diagnostic.Properties[PipelineAnalyzer.SuggestionProperty]);
    }

    [Fact]
    public Task An_unknown_When_name_becomes_nameof_the_closest_node() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static bool Disputed(int score) => score > 5;
                [Task, When({|KILN006:"disputd"|}, false)] public static string FactCheck(int score) => "checked";
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static bool Disputed(int score) => score > 5;
                [Task, When(nameof(Disputed), false)] public static string FactCheck(int score) => "checked";
            }
            """);

    [Fact]
    public async Task An_Optional_parameter_of_the_wrong_element_type_is_KILN004()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task] public static bool Disputed(int score) => score > 5;
                [Task, When(nameof(Disputed))] public static string FactCheck(int score) => "checked";
                [Task] public static string Answer(Optional<int> {|KILN004:factCheck|}) => "";
            }
            """);
    }

    [Fact]
    public async Task A_node_conditional_on_itself_is_a_cycle()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Research
            {
                [Task, When(nameof(Loop))] public static bool {|KILN001:Loop|}(int score) => score > 5;
            }
            """);
    }
}
