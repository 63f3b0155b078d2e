using System;
using System.Globalization;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

[Pipeline]
public static partial class Mismatched
{
    [Task] public static float[] Left(float[] l) => l;
    [Task] public static float[] Right(float[] r) => r;
    [Kernel] public static float Sum(float left, float right) => left + right;
}

// The mismatch is at the group's second member: Twice reads Left, Combined reads Twice and Right.
[Pipeline]
public static partial class MismatchedInGroup
{
    [Task] public static float[] Left(float[] l) => l;
    [Task] public static float[] Right(float[] r) => r;
    [Kernel] public static float Twice(float left) => left * 2f;
    [Kernel] public static float Combined(float twice, float right) => twice + right;
}

/// <summary>Streams of one kernel must have equal lengths; otherwise the run fails naming the kernel and both lengths.</summary>
public class StreamLengthTests
{
    [Fact]
    public async Task Streams_of_different_lengths_fail_naming_the_kernel_and_both_lengths()
    {
        foreach ((int left, int right) in new[] { (1234, 567), (567, 1234), (300, 0) })
        {
            foreach (KilnOptions options in StreamAssert.Options(Math.Max(left, right)))
            {
                PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => Mismatched.RunAsync(new float[left], new float[right], options));
                Assert.Equal("Sum", failure.NodeName);
                Assert.Contains(left.ToString(CultureInfo.InvariantCulture), failure.Message);
                Assert.Contains(right.ToString(CultureInfo.InvariantCulture), failure.Message);
            }
        }
    }

    [Fact]
    public async Task A_mismatch_inside_a_fused_group_names_the_kernel_that_reads_both_streams()
    {
        Assert.Equal(new[] { new[] { "Twice", "Combined" } }, StreamAssert.Groups(MismatchedInGroup.Graph));
        foreach ((int left, int right) in new[] { (40000, 39999), (513, 514) })
        {
            foreach (KilnOptions options in StreamAssert.Options(Math.Max(left, right)))
            {
                PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => MismatchedInGroup.RunAsync(new float[left], new float[right], options));
                Assert.Equal("Combined", failure.NodeName);
                Assert.Contains(left.ToString(CultureInfo.InvariantCulture), failure.Message);
                Assert.Contains(right.ToString(CultureInfo.InvariantCulture), failure.Message);
            }
        }
    }
}
