using System;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

// Square → Peak: a map-reduce, one loop; Square is never written to memory.
[Pipeline]
public static partial class MapReduce
{
    [Task] public static float[] Values(float[] v) => v;
    [Kernel] public static float Square(float values) => values * values;
    [Reduce(Identity = double.NegativeInfinity)] public static float Peak(float acc, float square) => MathF.Max(acc, square);
}

// Scaled is gathered by Smooth: the gather ends Scaled's group; Smooth and Bright fuse. Gain is a task's scalar used as a uniform.
[Pipeline]
public static partial class GatherEndsGroup
{
    [Task] public static float[] Samples(float[] s) => s;
    [Task] public static float Gain(float level) => level * 2f;
    [Kernel] public static float Scaled(float samples, float gain) => samples * gain;
    [Kernel] public static float Smooth([Index] int i, Gather<float> scaled) => (scaled[i - 1] + scaled[i] + scaled[i + 1]) / 3f;
    [Kernel] public static float Bright(float smooth) => smooth + 1f;
}

// Edge reads Shifted element-wise but gathers Scaled, which Shifted's group computes: Edge must wait for that group.
[Pipeline]
public static partial class GatherBesideElementwise
{
    [Task] public static float[] Samples(float[] s) => s;
    [Kernel] public static float Scaled(float samples) => samples * 2f;
    [Kernel] public static float Shifted(float scaled) => scaled + 1f;
    [Kernel] public static float Edge([Index] int i, float shifted, Gather<float> scaled) => shifted - scaled[i + 1];
}

// One group, three streams: Offset ([Output]) and Clamped (a sink) are written, Doubled because a task reads it.
[Pipeline]
public static partial class MultiOutput
{
    [Task] public static float[] Samples(float[] s) => s;
    [Kernel] public static float Doubled(float samples) => samples * 2f;
    [Kernel, Output] public static float Offset(float doubled, float bias) => doubled + bias;
    [Kernel] public static float Clamped(float offset) => MathF.Min(offset, 10f);
    [Task] public static double Mean(float[] doubled) => doubled.Length == 0 ? 0 : doubled.Average(v => (double)v);
}

// Peak folds Magnitude; Normalized reads Peak as a uniform, so it cannot run in the loop that computes Peak.
[Pipeline]
public static partial class ReductionAsUniform
{
    [Task] public static float[] Samples(float[] s) => s;
    [Kernel] public static float Magnitude(float samples) => MathF.Abs(samples);
    [Reduce(Identity = 0)] public static float Peak(float acc, float magnitude) => MathF.Max(acc, magnitude);
    [Kernel] public static float Normalized(float magnitude, float peak) => magnitude / peak;
}

/// <summary>The fusion groups the planner builds for each shape, and that each shape still computes per-element C#.</summary>
public class FusionShapeTests
{
    private static float[] Samples(int seed, int length)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
    }

    [Fact]
    public void A_map_reduce_is_one_group()
    {
        Assert.Equal(new[] { new[] { "Square", "Peak" } }, StreamAssert.Groups(MapReduce.Graph));
    }

    [Fact]
    public async Task A_map_reduce_folds_the_mapped_stream()
    {
        foreach (int length in new[] { 0, DeviceRequirements.CudaOnCpuMaxLength, (3 * 16384) + 7 })
        {
            int seed = 2001 + length;
            float[] values = Samples(seed, length);
            float expected = values.Aggregate(float.NegativeInfinity, (acc, v) => MapReduce.Peak(acc, MapReduce.Square(v)));
            foreach (KilnOptions options in StreamAssert.Options(length))
            {
                StreamAssert.Equal(expected, await MapReduce.RunAsync(values, options), $"seed {seed}, length {length}, {StreamAssert.Describe(options)}");
            }
        }
    }

    [Fact]
    public void A_gather_ends_a_group()
    {
        Assert.Equal(new[] { new[] { "Scaled" }, new[] { "Smooth", "Bright" } }, StreamAssert.Groups(GatherEndsGroup.Graph));
    }

    [Fact]
    public async Task A_gathered_kernel_stream_is_complete_before_the_gathering_group_reads_it()
    {
        foreach (int length in new[] { 1, 2, 300, 16383, 16384, 16385, (3 * 16384) + 7 })
        {
            int seed = 2002 + length;
            float[] samples = Samples(seed, length);
            float gain = GatherEndsGroup.Gain(0.75f);
            float[] scaled = samples.Select(s => GatherEndsGroup.Scaled(s, gain)).ToArray();
            float[] expected = Enumerable.Range(0, length).Select(i => GatherEndsGroup.Bright(GatherEndsGroup.Smooth(i, new Gather<float>(scaled)))).ToArray();
            foreach (KilnOptions options in StreamAssert.Options(length))
            {
                StreamAssert.Elements(expected, await GatherEndsGroup.RunAsync(samples, 0.75f, options), $"seed {seed}, length {length}, {StreamAssert.Describe(options)}");
            }
        }
    }

    [Fact]
    public void A_kernel_that_gathers_a_stream_of_a_group_is_not_in_that_group()
    {
        Assert.Equal(new[] { new[] { "Scaled", "Shifted" }, new[] { "Edge" } }, StreamAssert.Groups(GatherBesideElementwise.Graph));
    }

    [Fact]
    public async Task A_kernel_that_gathers_a_stream_of_a_group_reads_it_complete()
    {
        foreach (int length in new[] { 1, 3, 513, 16385, (3 * 16384) + 7 })
        {
            int seed = 2003 + length;
            float[] samples = Samples(seed, length);
            float[] scaled = samples.Select(GatherBesideElementwise.Scaled).ToArray();
            float[] expected = Enumerable.Range(0, length)
                .Select(i => GatherBesideElementwise.Edge(i, GatherBesideElementwise.Shifted(scaled[i]), new Gather<float>(scaled)))
                .ToArray();
            foreach (KilnOptions options in StreamAssert.Options(length))
            {
                StreamAssert.Elements(expected, await GatherBesideElementwise.RunAsync(samples, options), $"seed {seed}, length {length}, {StreamAssert.Describe(options)}");
            }
        }
    }

    [Fact]
    public void A_group_with_several_streams_read_outside_it_is_one_group()
    {
        Assert.Equal(new[] { new[] { "Doubled", "Offset", "Clamped" } }, StreamAssert.Groups(MultiOutput.Graph));
    }

    [Fact]
    public async Task A_multi_output_group_returns_each_sink_and_feeds_a_task()
    {
        foreach (int length in new[] { 0, 1, 700, 16385 })
        {
            int seed = 2004 + length;
            float[] samples = Samples(seed, length);
            float[] doubled = samples.Select(MultiOutput.Doubled).ToArray();
            float[] offset = doubled.Select(d => MultiOutput.Offset(d, 3.5f)).ToArray();
            float[] clamped = offset.Select(MultiOutput.Clamped).ToArray();
            double mean = MultiOutput.Mean(doubled);
            foreach (KilnOptions options in StreamAssert.Options(length))
            {
                string context = $"seed {seed}, length {length}, {StreamAssert.Describe(options)}";
                MultiOutput.Result result = await MultiOutput.RunAsync(samples, 3.5f, options);
                StreamAssert.Elements(offset, result.Offset, context + ", Offset");
                StreamAssert.Elements(clamped, result.Clamped, context + ", Clamped");
                StreamAssert.Equal(mean, result.Mean, context + ", Mean");
            }
        }
    }

    [Fact]
    public void A_kernel_reading_a_reduction_as_a_uniform_is_not_in_the_reduction_group()
    {
        Assert.Equal(new[] { new[] { "Magnitude", "Peak" }, new[] { "Normalized" } }, StreamAssert.Groups(ReductionAsUniform.Graph));
    }

    [Fact]
    public async Task A_reduction_result_is_a_uniform_for_a_kernel_downstream()
    {
        foreach (int length in new[] { 1, 7, 257, 16385, (3 * 16384) + 7 })
        {
            int seed = 2005 + length;
            float[] samples = Samples(seed, length);
            float[] magnitude = samples.Select(ReductionAsUniform.Magnitude).ToArray();
            float peak = magnitude.Aggregate(0f, ReductionAsUniform.Peak);
            float[] expected = magnitude.Select(m => ReductionAsUniform.Normalized(m, peak)).ToArray();
            foreach (KilnOptions options in StreamAssert.Options(length))
            {
                StreamAssert.Elements(expected, await ReductionAsUniform.RunAsync(samples, options), $"seed {seed}, length {length}, {StreamAssert.Describe(options)}");
            }
        }
    }
}
