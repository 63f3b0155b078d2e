using System.Collections.Generic;
using System.Linq;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Kiln.Generators.Tests;

public class IncrementalityTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using Kiln;

        namespace Shop;

        [Pipeline]
        public static partial class Orders
        {
            [Task] public static async Task<string> Fetch(string url, CancellationToken ct) { await Task.Yield(); return url; }
            [Task] public static int Count(string fetch) => fetch.Length;
            [Task(Cost = 3)] public static int[] Buckets(string fetch, int bins) => new int[bins];
            [Task, After(nameof(Count))] public static string Render(int count, int[] buckets) => $"{count}/{buckets.Length}";
        }
        """;

    private static readonly string[] TrackedSteps = { TrackingNames.Discover, TrackingNames.Compile };

    private static GeneratorRunResult RunTwice(string first, string second)
    {
        Compilation compilation = KilnCompilation.Create(first);
        GeneratorDriver driver = KilnCompilation.CreateDriver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().Results[0].GeneratedSources);

        SyntaxTree old = compilation.SyntaxTrees.Single();
        Compilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(second, KilnCompilation.ParseOptions, old.FilePath));
        return driver.RunGenerators(edited).GetRunResult().Results[0];
    }

    private static IEnumerable<(string Step, IncrementalStepRunReason Reason)> Reasons(GeneratorRunResult result)
    {
        foreach (string step in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step '{step}' is not tracked");
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach (var (_, reason) in run.Outputs)
                {
                    yield return (step, reason);
                }
            }
        }

        Assert.NotEmpty(result.TrackedOutputSteps);
        foreach (var (name, runs) in result.TrackedOutputSteps)
        {
            foreach (IncrementalGeneratorRunStep run in runs)
            {
                foreach (var (_, reason) in run.Outputs)
                {
                    yield return (name, reason);
                }
            }
        }
    }

    private static void AssertAllCached(GeneratorRunResult result)
    {
        var reasons = Reasons(result).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(
            r.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"step '{r.Step}' was {r.Reason}"));
    }

    [Fact]
    public void A_comment_only_edit_leaves_every_step_cached_or_unchanged()
    {
        string edited = Source.Replace("[Task] public static int Count", "// counts the characters\n    /* and nothing else */ [Task] public static int Count");

        AssertAllCached(RunTwice(Source, edited));
    }

    [Fact]
    public void A_whitespace_only_edit_leaves_every_step_cached_or_unchanged()
    {
        string edited = Source.Replace("public static int Count(string fetch) => fetch.Length;", "public  static   int Count( string fetch )\n        => fetch.Length;");

        AssertAllCached(RunTwice(Source, edited));
    }

    [Fact]
    public void A_method_body_edit_that_keeps_the_graph_leaves_the_output_unchanged()
    {
        string edited = Source.Replace("=> fetch.Length;", "=> fetch.Length + 1;");

        AssertAllCached(RunTwice(Source, edited));
    }

    [Fact]
    public void An_edit_elsewhere_in_the_compilation_leaves_every_step_cached_or_unchanged()
    {
        Compilation compilation = KilnCompilation.Create(Source, "namespace Other; public static class Unrelated { }");
        GeneratorDriver driver = KilnCompilation.CreateDriver().RunGenerators(compilation);
        SyntaxTree unrelated = compilation.SyntaxTrees.Last();
        Compilation edited = compilation.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Unrelated { public static int X => 1; }", KilnCompilation.ParseOptions, unrelated.FilePath));

        AssertAllCached(driver.RunGenerators(edited).GetRunResult().Results[0]);
    }

    [Fact]
    public void Renaming_a_node_modifies_the_compiled_pipeline_and_the_output()
    {
        string edited = Source.Replace("Count(", "Tally(").Replace("nameof(Count)", "nameof(Tally)").Replace("int count,", "int tally,").Replace("{count}", "{tally}");

        GeneratorRunResult result = RunTwice(Source, edited);

        Assert.Contains(result.TrackedSteps[TrackingNames.Compile].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Tally", result.GeneratedSources.Single().SourceText.ToString());
        Assert.DoesNotContain("\"Count\"", result.GeneratedSources.Single().SourceText.ToString());
    }
}
