using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

[Pipeline]
public static partial class IntegerDivision
{
    [Task] public static int[] Numerators(int[] n) => n;
    [Task] public static int[] Denominators(int[] d) => d;
    [Kernel, Output] public static int Quotient(int numerators, int denominators) => numerators / denominators;
    [Kernel, Output] public static int Remainder(int numerators, int denominators) => numerators % denominators;
}

[Pipeline]
public static partial class Magnitudes
{
    [Task] public static short[] Values(short[] v) => v;
    [Kernel, Output] public static short Magnitude(short values) => Math.Abs(values);
    [Kernel, Output] public static long Widened(short values) => Math.Abs((long)values * 65536L * 65536L);
}

/// <summary>
/// Integer operations C# checks, as C# defines them on every backend: exact quotients and remainders (truncating, the
/// remainder taking the dividend's sign); a division by zero fails the run with <see cref="DivideByZeroException"/>
/// instead of trapping the process (x86, so PoCL) or giving an unspecified value (GPUs); <c>MinValue / -1</c> and
/// <c>Math.Abs(MinValue)</c> fail it with <see cref="OverflowException"/> instead of wrapping.
/// </summary>
public class IntegerDivisionTests
{
    [Fact]
    public async Task Quotients_and_remainders_match_CSharp_on_every_backend()
    {
        var random = new Random(5150);
        int[] n = Enumerable.Range(0, 70_000).Select(_ => RandomScalars.Int(random)).ToArray();
        // Divisors of every magnitude and both signs, never 0, and -1 only where the quotient fits.
        int[] d = n.Select(numerator =>
        {
            int divisor = Math.Max(1, random.Next() >> random.Next(0, 31)) * (random.Next(2) == 0 ? 1 : -1);
            return divisor == -1 && numerator == int.MinValue ? 3 : divisor;
        }).ToArray();
        foreach (KilnOptions options in StreamAssert.AllOptions)
        {
            IntegerDivision.Result result = await IntegerDivision.RunAsync(n, d, options);
            StreamAssert.Elements(n.Zip(d, (a, b) => a / b).ToArray(), result.Quotient, StreamAssert.Describe(options) + ", Quotient");
            StreamAssert.Elements(n.Zip(d, (a, b) => a % b).ToArray(), result.Remainder, StreamAssert.Describe(options) + ", Remainder");
        }
    }

    [Fact]
    public async Task Dividing_by_zero_fails_the_run_with_DivideByZeroException_on_every_backend()
    {
        // Several CPU blocks of 16384, so the parallel block loop is what throws there.
        int[] n = Enumerable.Range(0, 70_000).ToArray();
        int[] d = Enumerable.Range(0, 70_000).Select(i => i == 40_617 ? 0 : 1 + (i % 13)).ToArray();
        foreach (KilnOptions options in StreamAssert.AllOptions)
        {
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => IntegerDivision.RunAsync(n, d, options));
            Assert.True(failure.InnerException is DivideByZeroException, $"{StreamAssert.Describe(options)}: {failure.InnerException}");
        }
    }

    [Fact]
    public async Task Dividing_MinValue_by_minus_one_fails_the_run_with_OverflowException_on_every_backend()
    {
        int[] n = { 5, int.MinValue, 9 };
        int[] d = { 2, -1, 4 };
        foreach (KilnOptions options in StreamAssert.AllOptions)
        {
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => IntegerDivision.RunAsync(n, d, options));
            Assert.True(failure.InnerException is OverflowException, $"{StreamAssert.Describe(options)}: {failure.InnerException}");
        }
    }

    [Fact]
    public async Task Math_Abs_of_MinValue_fails_the_run_with_OverflowException_on_every_backend_and_is_exact_otherwise()
    {
        short[] values = Enumerable.Range(-32767, 65535).Select(v => (short)v).ToArray();
        foreach (KilnOptions options in StreamAssert.AllOptions)
        {
            Magnitudes.Result result = await Magnitudes.RunAsync(values, options);
            StreamAssert.Elements(values.Select(v => Math.Abs(v)).ToArray(), result.Magnitude, StreamAssert.Describe(options) + ", Magnitude");
            StreamAssert.Elements(values.Select(v => Math.Abs((long)v * 65536L * 65536L)).ToArray(), result.Widened, StreamAssert.Describe(options) + ", Widened");

            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => Magnitudes.RunAsync(new short[] { 1, short.MinValue, 2 }, options));
            Assert.True(failure.InnerException is OverflowException, $"{StreamAssert.Describe(options)}: {failure.InnerException}");
        }
    }
}
