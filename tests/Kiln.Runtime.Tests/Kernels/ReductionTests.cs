using System;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

[Pipeline]
public static partial class Folds
{
    [Task] public static double[] Values(double[] v) => v;
    [Reduce(Identity = 1)] public static double Product(double acc, double values) => acc * values;
    [Reduce(Identity = double.NegativeInfinity)] public static double Largest(double acc, double values) => Math.Max(acc, values);
    [Reduce] public static double Sum(double acc, double values) => acc + values;
}

[Pipeline]
public static partial class IntProduct
{
    [Task] public static int[] Values(int[] v) => v;
    [Reduce(Identity = 1)] public static int Product(int acc, int values) => acc * values;
}

[Pipeline]
public static partial class SumOfSquares
{
    [Task] public static float[] Values(float[] v) => v;
    [Kernel] public static float Squares(float values) => values * values;
    [Reduce] public static float Total(float acc, float squares) => acc + squares;
}

/// <summary>Reductions: the identity for empty input, exact folds where the operation is exact, and bit-identical float results.</summary>
public class ReductionTests
{
    [Fact]
    public async Task An_empty_stream_reduces_to_each_reduction_identity()
    {
        foreach (KilnOptions options in StreamAssert.Options(0))
        {
            string context = StreamAssert.Describe(options);
            Folds.Result result = await Folds.RunAsync(Array.Empty<double>(), options);
            StreamAssert.Equal(1d, result.Product, context + ", Product");
            StreamAssert.Equal(double.NegativeInfinity, result.Largest, context + ", Largest");
            StreamAssert.Equal(0d, result.Sum, context + ", Sum");
            StreamAssert.Equal(1, await IntProduct.RunAsync(Array.Empty<int>(), options), context + ", int Product");
            StreamAssert.Equal(0f, await SumOfSquares.RunAsync(Array.Empty<float>(), options), context + ", Total");
        }
    }

    [Fact]
    public async Task An_integer_product_wraps_like_a_sequential_CSharp_fold()
    {
        foreach (int length in new[] { 1, 255, 257, DeviceRequirements.CudaOnCpuMaxLength, 16385, (3 * 16384) + 7, 1 << 20 })
        {
            int seed = 4001 + length;
            var random = new Random(seed);
            int[] values = Enumerable.Range(0, length).Select(_ => random.Next() | 1).ToArray();
            int expected = values.Aggregate(1, IntProduct.Product);
            foreach (KilnOptions options in StreamAssert.Options(length))
            {
                StreamAssert.Equal(expected, await IntProduct.RunAsync(values, options), $"seed {seed}, length {length}, {StreamAssert.Describe(options)}");
            }
        }
    }

    [Theory]
    [InlineData(DeviceRequirements.CudaOnCpuMaxLength)]
    [InlineData((3 * 16384) + 7)]
    public async Task A_float_sum_of_exactly_representable_values_equals_the_exact_sum(int length)
    {
        // Squares of small integers summed stay below 2^24, where every float addition is exact in any order.
        int seed = 4002;
        var random = new Random(seed);
        float[] values = Enumerable.Range(0, length).Select(_ => (float)random.Next(-4, 5)).ToArray();
        float expected = (float)values.Sum(v => (double)v * v);
        foreach (KilnOptions options in StreamAssert.Options(length))
        {
            StreamAssert.Equal(expected, await SumOfSquares.RunAsync(values, options), $"seed {seed}, length {length}, {StreamAssert.Describe(options)}");
        }
    }

    [Theory]
    [InlineData(16385)]
    [InlineData((3 * 16384) + 7)]
    [InlineData(2_000_003)]
    public async Task A_float_sum_is_bit_identical_across_runs_degrees_of_parallelism_and_fusion(int length)
    {
        int seed = 4003 + length;
        var random = new Random(seed);
        float[] values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1000f).ToArray();
        float first = await SumOfSquares.RunAsync(values, new KilnOptions { MaxDegreeOfParallelism = 1 });

        // It is a sum: within the rounding error bound of any summation order.
        double exact = values.Sum(v => (double)v * v);
        Assert.True(Math.Abs(first - exact) <= length * 1.2e-7 * exact, $"seed {seed}: {first} is not within rounding of {exact}");

        foreach (int parallelism in new[] { 1, 2, 4 })
        {
            foreach (bool fusion in new[] { true, false })
            {
                var options = new KilnOptions { MaxDegreeOfParallelism = parallelism, Fusion = fusion };
                for (int run = 0; run < 20; run++)
                {
                    StreamAssert.Equal(first, await SumOfSquares.RunAsync(values, options), $"seed {seed}, length {length}, run {run}, {StreamAssert.Describe(options)}");
                }
            }
        }
    }
}
