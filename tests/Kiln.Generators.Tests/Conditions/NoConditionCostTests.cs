using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Conditions;

/// <summary>Pipelines without <c>[When]</c> pay nothing for conditions: their generated code is what it was before.</summary>
public class NoConditionCostTests
{
    public static IEnumerable<object[]> Names => ConditionFreePipelines.All.Select(p => new object[] { p.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void A_pipeline_without_conditions_generates_exactly_the_code_it_did_before_conditions(string name)
    {
        string source = ConditionFreePipelines.All.Single(p => p.Name == name).Source;
        string[] baselines = Directory.GetFiles(BaselineDirectory(), name + "__*.txt");

        GeneratedResult result = KilnCompilation.Generate(source);

        Assert.NotEmpty(baselines);
        Assert.Equal(baselines.Length, result.Sources.Count);
        foreach (string baseline in baselines)
        {
            string hint = Path.GetFileNameWithoutExtension(baseline).Substring(name.Length + 2);
            Assert.True(result.Sources.ContainsKey(hint), $"{name}: no generated file {hint}");
            Assert.Equal(File.ReadAllText(baseline), result.Sources[hint]);
        }
    }

    [Fact]
    public void A_pipeline_without_conditions_has_no_skip_flags_gates_or_optionals()
    {
        foreach ((string name, string source) in ConditionFreePipelines.All)
        {
            foreach (string generated in KilnCompilation.Generate(source).Sources.Values)
            {
                Assert.False(generated.Contains("NodeSkipped") || generated.Contains("__s") || generated.Contains("Optional<"), name);
            }
        }
    }

    // Baseline/ holds the output of the generator at commit f3f1a5a, before conditions, for ConditionFreePipelines.All
    // (file name: pipeline name, "__", hint name, ".txt"). Regenerate it only for a change meant to alter every pipeline:
    // the ones since are for cold start (the plan's node names as one comma-joined literal; unit segments written
    // twice, plain and observed, with CS0162/CS0219 silenced for the constant `observed`; one `stopped:` exit per segment
    // for the stop test).
    // Copied next to the test assembly (the project's Conditions/Baseline item): a CI build maps source paths to /_/, so
    // the source file's own folder cannot be found from [CallerFilePath] there.
    private static string BaselineDirectory() => Path.Combine(System.AppContext.BaseDirectory, "Conditions", "Baseline");
}
