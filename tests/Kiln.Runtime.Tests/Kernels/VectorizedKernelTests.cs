using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

// Pipelines whose fusion groups (and, with Fusion = false, each member alone) take the CPU backend's Vector<T> path:
// one element type, element-wise arithmetic, Sqrt/Abs/Min/Max/Floor/Ceiling/FusedMultiplyAdd/IsNaN, ?: over comparisons
// and single-return helpers with locals. Kiln.Generators.Tests' VectorizationTests checks that such bodies vectorize.

[Pipeline]
public static partial class VectorFloatChain
{
    [Task] public static float[] Xs(float[] x) => x;
    [Task] public static float[] Ys(float[] y) => y;
    [Kernel, Output] public static float Mix(float xs, float ys, float k) => ((xs * k) + ys) / (ys - k);
    [Kernel, Output] public static float Shape(float mix, float ys) => MathF.Sqrt(MathF.Abs(mix)) - MathF.Max(mix, ys) + MathF.Min(-mix, ys);
    [Kernel, Output] public static float Pick(float shape, float xs) => (shape < xs || float.IsNaN(shape)) && shape != -xs ? shape * 0.5f : -xs;
    [Kernel, Output] public static float Rounded(float pick, float ys) => MathF.FusedMultiplyAdd(pick, ys, MathF.Floor(pick)) - MathF.Ceiling(ys);
    [Kernel, Output] public static float Helped(float rounded, float k) => VectorHelpers.Blend(rounded, k);
}

[Pipeline]
public static partial class VectorDoubleChain
{
    [Task] public static double[] Xs(double[] x) => x;
    [Task] public static double[] Ys(double[] y) => y;
    [Kernel, Output] public static double Mix(double xs, double ys, double k) => ((xs * k) + ys) / (ys - k);
    [Kernel, Output] public static double Shape(double mix, double ys) => Math.Sqrt(Math.Abs(mix)) - Math.Max(mix, ys) + Math.Min(-mix, ys);
    [Kernel, Output] public static double Pick(double shape, double xs) => shape >= xs && -shape != xs && !double.IsNaN(xs) ? shape * 0.5 : -xs;
    [Kernel, Output] public static double Rounded(double pick, double ys) => Math.FusedMultiplyAdd(pick, ys, Math.Ceiling(pick)) - Math.Floor(ys);
    [Kernel, Output] public static double Helped(double rounded, double k) => VectorHelpers.Blend(rounded, k);
}

[Pipeline]
public static partial class VectorIntChain
{
    [Task] public static int[] Xs(int[] x) => x;
    [Task] public static int[] Ys(int[] y) => y;
    [Kernel, Output] public static int Mix(int xs, int ys, int k) => (xs * k) + ys - (xs ^ ~ys);
    [Kernel, Output] public static int Pick(int mix, int ys) => mix > ys && mix != 0 ? Math.Max(mix, ys) * 31 : Math.Min(mix, -ys) | 5;
}

[Pipeline]
public static partial class VectorUIntChain
{
    [Task] public static uint[] Xs(uint[] x) => x;
    [Task] public static uint[] Ys(uint[] y) => y;
    [Kernel, Output] public static uint Mix(uint xs, uint ys, uint k) => (xs * k) + ys - (xs ^ ~ys);
    [Kernel, Output] public static uint Pick(uint mix, uint ys) => mix > ys && mix != 0 ? Math.Max(mix, ys) * 31 : Math.Min(mix, ys - mix) | 5;
}

[Pipeline]
public static partial class VectorLongChain
{
    [Task] public static long[] Xs(long[] x) => x;
    [Task] public static long[] Ys(long[] y) => y;
    [Kernel, Output] public static long Mix(long xs, long ys, long k) => (xs * k) + ys - (xs ^ ~ys);
    [Kernel, Output] public static long Pick(long mix, long ys) => mix > ys && mix != 0 ? Math.Max(mix, ys) * 31 : Math.Min(mix, -ys) | 5;
}

[Pipeline]
public static partial class VectorULongChain
{
    [Task] public static ulong[] Xs(ulong[] x) => x;
    [Task] public static ulong[] Ys(ulong[] y) => y;
    [Kernel, Output] public static ulong Mix(ulong xs, ulong ys, ulong k) => (xs * k) + ys - (xs ^ ~ys);
    [Kernel, Output] public static ulong Pick(ulong mix, ulong ys) => mix > ys && mix != 0 ? Math.Max(mix, ys) * 31 : Math.Min(mix, ys - mix) | 5;
}

[Pipeline]
public static partial class VectorSumOfSquares
{
    [Task] public static float[] Values(float[] v) => v;
    [Kernel] public static float Squares(float values) => values * values;
    [Reduce] public static float Total(float acc, float squares) => acc + squares;
}

[Pipeline]
public static partial class VectorExactFolds
{
    [Task] public static float[] Values(float[] v) => v;
    [Reduce(Identity = double.NegativeInfinity)] public static float Largest(float acc, float values) => MathF.Max(acc, values);
    [Reduce(Identity = double.PositiveInfinity)] public static float Smallest(float acc, float values) => MathF.Min(acc, values);
}

[Pipeline]
public static partial class VectorIntSum
{
    [Task] public static int[] Values(int[] v) => v;
    [Reduce] public static int Sum(int acc, int values) => acc + values;
}

public static class VectorHelpers
{
    public static float Blend(float a, float b)
    {
        float t = a * b;
        return t - Half(a / b);
    }

    public static double Blend(double a, double b)
    {
        double t = a * b;
        return t - (a / b * 0.5);
    }

    private static float Half(float x) => x * 0.5f;
}

/// <summary>
/// The Vector&lt;T&gt; path computes the same bits as the kernel methods called per element, at lengths around the
/// vector width and the block size, fused and unfused, sequential and parallel; its reductions are reproducible.
/// </summary>
public class VectorizedKernelTests
{
    private const int Block = 16384;

    private delegate Task<T[][]> Run<T>(T[] x, T[] y, T k, KilnOptions options);

    private static readonly KilnOptions[] CpuShapes =
    {
        new() { Fusion = true, MaxDegreeOfParallelism = 4, Device = DeviceKind.Cpu },
        new() { Fusion = false, MaxDegreeOfParallelism = 1, Device = DeviceKind.Cpu },
        new() { Fusion = true, MaxDegreeOfParallelism = 1, Device = DeviceKind.Cpu },
        new() { Fusion = false, MaxDegreeOfParallelism = 4, Device = DeviceKind.Cpu },
    };

    private static int[] Lengths(int vectorCount) =>
        new[] { 0, 1, vectorCount - 1, vectorCount, vectorCount + 1, Block - 1, Block + 1, 100003 }.Distinct().ToArray();

    private static string Describe(KilnOptions options) => $"Fusion={options.Fusion}, MaxDegreeOfParallelism={options.MaxDegreeOfParallelism}";

    /// <summary>The exact bits: NaN payloads and the sign of zero included.</summary>
    private static ulong Bits<T>(T value) => value switch
    {
        float f => BitConverter.SingleToUInt32Bits(f),
        double d => BitConverter.DoubleToUInt64Bits(d),
        int i => unchecked((uint)i),
        uint u => u,
        long l => unchecked((ulong)l),
        ulong u => u,
        _ => throw new ArgumentException($"No bits for {typeof(T).Name}."),
    };

    private static void AssertBitwise<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: expected {expected.Count} elements, got {actual.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            if (Bits(expected[i]) != Bits(actual[i]))
            {
                Assert.Fail($"{context}: element {i} of {expected.Count}: expected {expected[i]} (0x{Bits(expected[i]):X}), got {actual[i]} (0x{Bits(actual[i]):X})");
            }
        }
    }

    private static async Task CheckChain<T>(int seed, int vectorCount, Func<Random, T> next, T[] uniforms, Run<T> run, Func<T, T, T, T[]> perElement)
    {
        int[] lengths = Lengths(vectorCount);
        for (int n = 0; n < lengths.Length; n++)
        {
            int length = lengths[n];
            var random = new Random(seed + length);
            T[] x = RandomScalars.Array(random, length, next);
            T[] y = RandomScalars.Array(random, length, next);
            T k = uniforms[n % uniforms.Length];
            T[][] perElementOutputs = Enumerable.Range(0, length).Select(i => perElement(x[i], y[i], k)).ToArray();
            int outputs = perElement(next(random), next(random), k).Length;

            foreach (KilnOptions options in CpuShapes)
            {
                T[][] actual = await run(x, y, k, options);
                Assert.Equal(outputs, actual.Length);
                for (int output = 0; output < outputs; output++)
                {
                    T[] expected = perElementOutputs.Select(e => e[output]).ToArray();
                    AssertBitwise(expected, actual[output], $"{typeof(T).Name} output {output}, seed {seed + length}, length {length}, k {k}, {Describe(options)}");
                }
            }
        }
    }

    [Fact]
    public Task A_float_chain_gives_the_bits_of_per_element_CSharp_including_NaN_infinities_negative_zero_and_subnormals() => CheckChain(
        7001, Vector<float>.Count, RandomScalars.Float, new[] { 1.5f, -0f, float.NaN, float.NegativeInfinity, 3e-39f, -0.75f },
        async (x, y, k, o) => { var r = await VectorFloatChain.RunAsync(x, y, k, o); return new[] { r.Mix, r.Shape, r.Pick, r.Rounded, r.Helped }; },
        (x, y, k) =>
        {
            float mix = VectorFloatChain.Mix(x, y, k), shape = VectorFloatChain.Shape(mix, y), pick = VectorFloatChain.Pick(shape, x);
            float rounded = VectorFloatChain.Rounded(pick, y);
            return new[] { mix, shape, pick, rounded, VectorFloatChain.Helped(rounded, k) };
        });

    [Fact]
    public Task A_double_chain_gives_the_bits_of_per_element_CSharp_including_NaN_infinities_negative_zero_and_subnormals() => CheckChain(
        7002, Vector<double>.Count, RandomScalars.Double, new[] { 1.5, -0d, double.NaN, double.PositiveInfinity, 1e-310, -0.75 },
        async (x, y, k, o) => { var r = await VectorDoubleChain.RunAsync(x, y, k, o); return new[] { r.Mix, r.Shape, r.Pick, r.Rounded, r.Helped }; },
        (x, y, k) =>
        {
            double mix = VectorDoubleChain.Mix(x, y, k), shape = VectorDoubleChain.Shape(mix, y), pick = VectorDoubleChain.Pick(shape, x);
            double rounded = VectorDoubleChain.Rounded(pick, y);
            return new[] { mix, shape, pick, rounded, VectorDoubleChain.Helped(rounded, k) };
        });

    [Fact]
    public Task An_int_chain_wraps_on_overflow_as_CSharp_does() => CheckChain(
        7003, Vector<int>.Count, RandomScalars.Int, new[] { 3, int.MaxValue, -1, int.MinValue, 0 },
        async (x, y, k, o) => { var r = await VectorIntChain.RunAsync(x, y, k, o); return new[] { r.Mix, r.Pick }; },
        (x, y, k) => { int mix = VectorIntChain.Mix(x, y, k); return new[] { mix, VectorIntChain.Pick(mix, y) }; });

    [Fact]
    public Task A_uint_chain_wraps_on_overflow_as_CSharp_does() => CheckChain(
        7004, Vector<uint>.Count, RandomScalars.UInt, new[] { 3u, uint.MaxValue, 1u << 31, 0u },
        async (x, y, k, o) => { var r = await VectorUIntChain.RunAsync(x, y, k, o); return new[] { r.Mix, r.Pick }; },
        (x, y, k) => { uint mix = VectorUIntChain.Mix(x, y, k); return new[] { mix, VectorUIntChain.Pick(mix, y) }; });

    [Fact]
    public Task A_long_chain_wraps_on_overflow_as_CSharp_does() => CheckChain(
        7005, Vector<long>.Count, RandomScalars.Long, new[] { 3L, long.MaxValue, -1L, long.MinValue, 0L },
        async (x, y, k, o) => { var r = await VectorLongChain.RunAsync(x, y, k, o); return new[] { r.Mix, r.Pick }; },
        (x, y, k) => { long mix = VectorLongChain.Mix(x, y, k); return new[] { mix, VectorLongChain.Pick(mix, y) }; });

    [Fact]
    public Task A_ulong_chain_wraps_on_overflow_as_CSharp_does() => CheckChain(
        7006, Vector<ulong>.Count, RandomScalars.ULong, new[] { 3UL, ulong.MaxValue, 1UL << 63, 0UL },
        async (x, y, k, o) => { var r = await VectorULongChain.RunAsync(x, y, k, o); return new[] { r.Mix, r.Pick }; },
        (x, y, k) => { ulong mix = VectorULongChain.Mix(x, y, k); return new[] { mix, VectorULongChain.Pick(mix, y) }; });

    private static float[] Finite(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1) * 1000f).ToArray();
    }

    [Fact]
    public async Task A_float_sum_is_the_same_bits_over_ten_runs_at_every_degree_of_parallelism_fused_or_not()
    {
        foreach (int length in new[] { 100003, (8 * Block) + 5 })
        {
            float[] values = Finite(length, 7100 + length);
            float first = await VectorSumOfSquares.RunAsync(values, CpuShapes[0]);
            for (int run = 0; run < 10; run++)
            {
                foreach (KilnOptions options in CpuShapes)
                {
                    float again = await VectorSumOfSquares.RunAsync(values, options);
                    Assert.True(
                        BitConverter.SingleToUInt32Bits(first) == BitConverter.SingleToUInt32Bits(again),
                        $"length {length}, run {run}, {Describe(options)}: {first:R} then {again:R}");
                }
            }
        }
    }

    // The order the CPU backend documents: per block, Vector<T>.Count lane accumulators while a whole vector fits,
    // lanes folded in order into the block's accumulator, then the scalar tail; blocks combined in a fixed pairwise tree.
    private static float BlockedVectorSum(float[] squares)
    {
        int count = Vector<float>.Count;
        var partials = new List<float>();
        for (int start = 0; start < squares.Length; start += Block)
        {
            int end = Math.Min(squares.Length, start + Block);
            var lanes = new float[count];
            int i = start;
            for (; i <= end - count; i += count)
            {
                for (int lane = 0; lane < count; lane++)
                {
                    lanes[lane] += squares[i + lane];
                }
            }

            float accumulator = 0;
            if (i != start)
            {
                foreach (float lane in lanes)
                {
                    accumulator += lane;
                }
            }

            for (; i < end; i++)
            {
                accumulator += squares[i];
            }

            partials.Add(accumulator);
        }

        while (partials.Count > 1)
        {
            var next = new List<float>();
            for (int p = 0; p + 1 < partials.Count; p += 2)
            {
                next.Add(partials[p] + partials[p + 1]);
            }

            if (partials.Count % 2 == 1)
            {
                next.Add(partials[^1]);
            }

            partials = next;
        }

        return partials.Count == 0 ? 0f : partials[0];
    }

    [Fact]
    public async Task A_float_sum_folds_vector_lanes_then_the_tail_then_blocks_in_a_fixed_tree()
    {
        foreach (int length in Lengths(Vector<float>.Count).Append((3 * Block) + 7))
        {
            float[] values = Finite(length, 7200 + length);
            float expected = BlockedVectorSum(values.Select(v => v * v).ToArray());
            foreach (KilnOptions options in CpuShapes)
            {
                float actual = await VectorSumOfSquares.RunAsync(values, options);
                Assert.True(
                    BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual),
                    $"length {length}, {Describe(options)}: expected {expected:R}, got {actual:R}");
            }
        }
    }

    private static float Canonical(float value) => float.IsNaN(value) ? float.NaN : value;

    [Fact]
    public async Task Float_min_and_max_reductions_equal_a_sequential_fold_including_NaN_and_signed_zeros()
    {
        foreach (int length in Lengths(Vector<float>.Count))
        {
            var random = new Random(7300 + length);
            float[] values = RandomScalars.Array(random, length, RandomScalars.Float);
            float largest = values.Aggregate(float.NegativeInfinity, VectorExactFolds.Largest);
            float smallest = values.Aggregate(float.PositiveInfinity, VectorExactFolds.Smallest);
            foreach (KilnOptions options in CpuShapes)
            {
                // Which NaN payload survives depends on which NaN the fold meets first, so NaNs compare as NaN.
                VectorExactFolds.Result result = await VectorExactFolds.RunAsync(values, options);
                AssertBitwise(new[] { largest, smallest }.Select(Canonical).ToArray(), new[] { result.Largest, result.Smallest }.Select(Canonical).ToArray(), $"length {length}, {Describe(options)}");
            }
        }
    }

    [Fact]
    public async Task An_int_sum_wraps_like_a_sequential_CSharp_fold()
    {
        foreach (int length in Lengths(Vector<int>.Count))
        {
            var random = new Random(7400 + length);
            int[] values = RandomScalars.Array(random, length, RandomScalars.Int);
            int expected = values.Aggregate(0, VectorIntSum.Sum);
            foreach (KilnOptions options in CpuShapes)
            {
                Assert.Equal(expected, await VectorIntSum.RunAsync(values, options));
            }
        }
    }
}
