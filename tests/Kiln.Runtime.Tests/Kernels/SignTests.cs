using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

[Pipeline]
public static partial class Signs
{
    [Task] public static float[] Values(float[] v) => v;
    [Task] public static double[] Wide(double[] w) => w;
    [Kernel, Output] public static int Narrow(float values) => MathF.Sign(values);
    [Kernel, Output] public static int Of(float values) => Math.Sign(values) * 2 + Math.Sign(values + 1f);
    [Kernel, Output] public static int OfDouble(double wide) => Math.Sign(wide);
}

/// <summary>
/// <c>Math.Sign</c> of a float or double as C# defines it on every backend: -1, 0 or 1 (0 for both zeros), and for a NaN
/// the run fails with <see cref="ArithmeticException"/>, as C# throws, where a device would otherwise give 0.
/// </summary>
public class SignTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(70_000)]
    public async Task Signs_match_CSharp_on_every_backend(int length)
    {
        var random = new Random(7331 + length);
        float[] values = Enumerable.Range(0, length).Select(_ => RandomScalars.Float(random)).Select(v => float.IsNaN(v) ? -0f : v).ToArray();
        double[] wide = Enumerable.Range(0, length).Select(_ => RandomScalars.Double(random)).Select(v => double.IsNaN(v) ? 0d : v).ToArray();
        foreach (KilnOptions options in StreamAssert.Options(length))
        {
            Signs.Result result = await Signs.RunAsync(values, wide, options);
            string context = StreamAssert.Describe(options);
            StreamAssert.Elements(values.Select(MathF.Sign).ToArray(), result.Narrow, context + ", Narrow");
            StreamAssert.Elements(values.Select(v => Math.Sign(v) * 2 + Math.Sign(v + 1f)).ToArray(), result.Of, context + ", Of");
            StreamAssert.Elements(wide.Select(Math.Sign).ToArray(), result.OfDouble, context + ", OfDouble");
        }
    }

    [Theory]
    [InlineData(70_000, 40_617, false)] // several CPU blocks, so the parallel block loop is what throws there
    [InlineData(1000, 777, false)] // in the last of four device groups, the partial one
    [InlineData(1000, 3, true)] // a NaN double only
    public async Task A_NaN_fails_the_run_with_ArithmeticException_on_every_backend(int length, int nanAt, bool inDouble)
    {
        float[] values = Enumerable.Range(0, length).Select(i => i == nanAt && !inDouble ? float.NaN : i - 500.5f).ToArray();
        double[] wide = Enumerable.Range(0, length).Select(i => i == nanAt && inDouble ? double.NaN : 250.25 - i).ToArray();
        foreach (KilnOptions options in StreamAssert.Options(length))
        {
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => Signs.RunAsync(values, wide, options));
            Assert.True(failure.InnerException is ArithmeticException and not OverflowException and not DivideByZeroException,
                $"{StreamAssert.Describe(options)}: {failure.InnerException}");
            if (inDouble)
            {
                Assert.Equal("OfDouble", failure.NodeName);
            }
        }
    }
}
