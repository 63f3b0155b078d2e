using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>Whatever the user has typed, the generator and the analyzers never crash.</summary>
public class RobustnessTests
{
    private const int MutationSeed = 4711;

    public static IEnumerable<object[]> Broken() => BrokenPipelines.All().Select(b => new object[] { b.Name });

    [Fact]
    public void The_corpus_holds_at_least_fifty_distinct_broken_pipelines()
    {
        var names = BrokenPipelines.All().Select(b => b.Name).ToList();

        Assert.True(names.Count >= 50, $"only {names.Count} broken pipelines");
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void The_generator_and_analyzers_survive_a_broken_pipeline(string name)
    {
        AssertSurvives(name, BrokenPipelines.All().Single(b => b.Name == name).Source);
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_pipeline_leaves_no_error_or_warning_in_generated_code(string name)
    {
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(BrokenPipelines.All().Single(b => b.Name == name).Source);

        Assert.True(check.GeneratedProblems.Count == 0, $"{name}:\n{check.Describe()}");
    }

    [Fact]
    public void A_valid_pipeline_truncated_anywhere_leaves_no_error_or_warning_in_generated_code()
    {
        string source = BrokenPipelines.Valid;
        int step = Math.Max(1, source.Length / 80);
        for (int length = 0; length < source.Length; length += step)
        {
            GeneratedCodeCheck check = GeneratedCodeCheck.Of(source.Substring(0, length));
            Assert.True(check.GeneratedProblems.Count == 0, $"truncated at {length}:\n{check.Describe()}");
        }
    }

    [Fact]
    public void The_generator_and_analyzers_survive_a_valid_pipeline_truncated_anywhere()
    {
        string source = BrokenPipelines.Valid;
        int step = Math.Max(1, source.Length / 80);
        for (int length = 0; length < source.Length; length += step)
        {
            AssertSurvives($"truncated at {length}", source.Substring(0, length));
        }
    }

    [Fact]
    public void The_generator_and_analyzers_survive_random_spans_deleted_from_a_valid_pipeline()
    {
        var random = new Random(MutationSeed);
        string source = BrokenPipelines.Valid;
        for (int i = 0; i < 80; i++)
        {
            int start = random.Next(source.Length);
            int length = random.Next(1, Math.Min(40, source.Length - start) + 1);
            AssertSurvives($"seed {MutationSeed}, mutation {i}: deleted [{start}, {start + length})", source.Remove(start, length));
        }
    }

    [Fact]
    public void The_valid_pipeline_of_the_mutations_is_really_valid()
    {
        GeneratedResult result = KilnCompilation.Generate(BrokenPipelines.Valid);

        Assert.Empty(result.Errors);
        Assert.Single(result.Sources);
    }

    internal static void AssertSurvives(string name, string source)
    {
        GeneratedResult result = KilnCompilation.Generate(source);
        foreach (GeneratorRunResult run in result.RunResult.Results)
        {
            Assert.True(run.Exception is null, $"{name}: the generator threw {run.Exception}");
        }

        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.DoesNotContain(result.Output.GetDiagnostics(), d => d.Id == "CS8785");

        ImmutableArray<Diagnostic> analyzed = KilnCompilation.Analyze(result.Output);
        Diagnostic? crash = analyzed.FirstOrDefault(d => d.Id == "AD0001");
        Assert.True(crash is null, $"{name}: an analyzer threw: {crash?.GetMessage()}");
    }
}
