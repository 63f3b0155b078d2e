using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>
/// SPEC section 7: an invalid pipeline gets its KILN errors and its generated code still compiles, so that
/// <c>dotnet build</c> (which shows no analyzer diagnostic once a compilation has errors) shows them.
/// </summary>
public class EveryRuleTests(ITestOutputHelper output)
{
    private const int Seed = 1010;
    private const int Combinations = 120;

    public static IEnumerable<object[]> Rules() => Mistakes.All.Select((m, i) => new object[] { i, m.ToString() });

    [Fact]
    public void Every_KILN_error_rule_has_a_mistake()
    {
        string[] rules =
        {
            "KILN001", "KILN002", "KILN003", "KILN004", "KILN005", "KILN006", "KILN007", "KILN008", "KILN009", "KILN010",
            "KILN011", "KILN012", "KILN014", "KILN015", "KILN017", "KILN018", "KILN019",
            "KILN101", "KILN102", "KILN103", "KILN104", "KILN105", "KILN106", "KILN107",
        };

        Assert.Empty(rules.Except(Mistakes.All.Select(m => m.Id)));
    }

    [Fact]
    public void The_pipeline_without_mistakes_is_valid_and_clean()
    {
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(Mistakes.Pipeline(Array.Empty<Mistake>()));

        Assert.Empty(check.GeneratedProblems);
        Assert.Empty(check.Result.Errors);
        Assert.Empty(check.KilnIds);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_mistake_alone_gets_its_KILN_error_and_generated_code_compiles(int index, string name)
    {
        Mistake mistake = Mistakes.All[index];
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(Mistakes.Pipeline(new[] { mistake }));

        Assert.True(check.GeneratedProblems.Count == 0, $"{name}: generated code has problems:\n{check.Describe()}");
        Assert.True(check.KilnIds.Contains(mistake.Id), $"{name}: {mistake.Id} not reported\n{check.Describe()}");
        Assert.DoesNotContain("AD0001", check.KilnIds);
    }

    [Fact]
    public void Every_mistake_at_once_gets_every_KILN_error_and_generated_code_compiles()
    {
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(Mistakes.Pipeline(Mistakes.All));

        Assert.True(check.GeneratedProblems.Count == 0, check.Describe());
        Assert.Empty(Mistakes.All.Select(m => m.Id).Distinct().Except(check.KilnIds));
        Assert.DoesNotContain("AD0001", check.KilnIds);
    }

    [Fact]
    public void Random_combinations_of_two_to_four_mistakes_get_every_KILN_error_and_compile()
    {
        var random = new Random(Seed);
        var watch = Stopwatch.StartNew();
        var failures = new List<string>();
        for (int i = 0; i < Combinations; i++)
        {
            int count = random.Next(2, 5);
            List<Mistake> chosen = Mistakes.All.OrderBy(_ => random.Next()).Take(count).ToList();
            GeneratedCodeCheck check = GeneratedCodeCheck.Of(Mistakes.Pipeline(chosen));
            string label = $"seed {Seed}, combination {i}: {string.Join("; ", chosen)}";
            if (check.GeneratedProblems.Count > 0)
            {
                failures.Add($"{label}: generated code has problems:\n{check.Describe()}");
            }

            if (check.KilnIds.Contains("AD0001"))
            {
                failures.Add($"{label}: an analyzer threw");
            }

            foreach (Mistake mistake in chosen.Where(m => !check.KilnIds.Contains(m.Id)))
            {
                failures.Add($"{label}: {mistake.Id} not reported; got {string.Join(", ", check.KilnIds)}");
            }
        }

        output.WriteLine($"{Combinations} combinations in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)) + $"\n({failures.Count} failures)");
    }
}
