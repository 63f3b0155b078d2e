using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

// Window reads no stream element-wise: the gathered task stream gives the length, [Index] the position.
[Pipeline]
public static partial class Neighbours
{
    [Task] public static int[] Values(int[] v) => v;
    [Kernel] public static int Window([Index] int i, Gather<int> values, int radius) =>
        values[i - radius] - (3 * values[i]) + (7 * values[i + radius]) + values.Length;
}

/// <summary>Gathers clamp indices to the stream's edges, as SPEC section 5 says, at both ends.</summary>
public class GatherTests
{
    // The reference clamps by hand rather than through Gather<T>, so it checks the clamping too.
    private static int At(int[] values, int index) => values[Math.Min(Math.Max(index, 0), values.Length - 1)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public async Task Gathered_indices_outside_the_stream_clamp_to_the_nearest_edge(int radius)
    {
        foreach (int length in new[] { 1, 2, 3, 5, 300, 16385 })
        {
            int seed = 3001 + length;
            var random = new Random(seed);
            int[] values = Enumerable.Range(0, length).Select(_ => random.Next(-1000, 1000)).ToArray();
            int[] expected = Enumerable.Range(0, length)
                .Select(i => unchecked(At(values, i - radius) - (3 * At(values, i)) + (7 * At(values, i + radius)) + length))
                .ToArray();
            // On ILGPU's CPU accelerator, CUDA takes one edge length, one group with both edges, and two groups.
            foreach (KilnOptions options in StreamAssert.Options(length, length is 1 or 3 or 300))
            {
                StreamAssert.Elements(expected, await Neighbours.RunAsync(values, radius, options), $"seed {seed}, radius {radius}, length {length}, {StreamAssert.Describe(options)}");
            }
        }
    }

    [Fact]
    public async Task The_first_and_last_elements_see_the_edge_values_beyond_them()
    {
        int[] result = await Neighbours.RunAsync(new[] { 10, 20, 30 }, 1);

        // i=0: v[-1]→v[0]=10; i=2: v[3]→v[2]=30.
        Assert.Equal(new[] { 10 - 30 + 140 + 3, 10 - 60 + 210 + 3, 20 - 90 + 210 + 3 }, result);
    }
}
