using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN200: an info diagnostic per fusion group, at its first member, naming every member.</summary>
public class FusionGroupTests
{
    [Fact]
    public async Task Each_fusion_group_is_reported_once_at_its_first_member_naming_its_members()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Tone
            {
                [Task] public static float[] Load(float[] pixels) => pixels;
                [Kernel] public static float {|KILN200:Exposure|}(float load, float ev) => load * ev;
                [Kernel] public static float Gamma(float exposure, float gamma) => exposure * gamma;
                [Reduce(Identity = 0)] public static float Total(float acc, float gamma) => acc + gamma;
                [Kernel] public static float {|KILN200:Blur|}([Index] int i, Gather<float> gamma) => (gamma[i - 1] + gamma[i + 1]) / 2f;
            }
            """);

        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal("Fusion group 'Exposure+Gamma+Total' runs Exposure, Gamma, Total as one loop or launch", diagnostics[0].GetMessage());
        Assert.Contains("runs Blur as one loop", diagnostics[1].GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public Task A_pipeline_without_kernels_has_no_fusion_groups() =>
        new KilnAnalyzerTest
        {
            // KILN200 is checked even though nothing is marked: no diagnostic at all may be reported.
            CheckFusionGroups = true,
            TestCode = Sources.Usings + """
                [Pipeline]
                public static partial class Plain
                {
                    [Task] public static int Parse(string text) => text.Length;
                    [Task] public static int Twice(int parse) => parse * 2;
                }
                """,
        }.RunAsync();
}
