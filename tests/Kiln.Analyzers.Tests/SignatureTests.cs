using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN009 and KILN010: kernel and reduction signatures, checked by the shared model and reported by the analyzer.</summary>
public class SignatureTests
{
    [Fact]
    public async Task A_kernel_parameter_that_is_not_a_scalar_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Image
            {
                [Task] public static float[] Load(int size) => new float[size];
                [Kernel] public static float Scale(float load, string {|KILN009:label|}) => load;
            }
            """);

        Assert.StartsWith("Kernel 'Scale': parameter 'label' is 'string'", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kernel_returning_an_array_is_reported_at_the_method()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Image
            {
                [Task] public static float[] Load(int size) => new float[size];
                [Kernel] public static float[] {|KILN009:Twice|}(float load) => {|KILN101:new[] { load, load }|};
            }
            """);
    }

    [Fact]
    public async Task A_reduction_with_three_parameters_is_reported_at_the_method()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Image
            {
                [Task] public static float[] Load(int size) => new float[size];
                [Reduce] public static float {|KILN010:Total|}(float acc, float load, float extra) => acc + load + extra;
            }
            """);

        Assert.Contains("it has 3 parameters", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kernels_and_a_reduction_with_valid_signatures_have_no_diagnostics()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Image
            {
                [Task] public static float[] Load(int size) => new float[size];
                [Kernel] public static float Exposure(float load, float ev) => load * MathF.Pow(2f, ev);
                [Kernel] public static float Blur([Index] int i, Gather<float> exposure) => (exposure[i - 1] + exposure[i] + exposure[i + 1]) / 3f;
                [Reduce(Identity = 0)] public static float Total(float acc, float blur) => acc + blur;
            }

            public static class Caller
            {
                public static Task<float> Go() => Image.RunAsync(size: 16, ev: 1f);
            }
            """);

        Assert.DoesNotContain(diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }
}
