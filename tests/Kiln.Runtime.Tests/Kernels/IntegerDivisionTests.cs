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
public static partial class CheckedIntegers
{
    [Task] public static long[] Wide(long[] w) => w;
    [Task] public static long[] Divisors(long[] v) => v;
    [Kernel, Output] public static long ViaHelper(long wide, long divisors) => Ratio(wide, divisors) + Math.Abs((int)wide % 1000);
    [Kernel, Output] public static ulong Unsigned(long wide, long divisors) => (ulong)wide / (ulong)divisors;
    [Kernel, Output] public static uint Narrow(long wide, long divisors) => (uint)wide % (uint)divisors;
    [Kernel, Output] public static short Compound(long wide, long divisors) { short x = (short)wide; x /= (short)(divisors | 1); x %= 7; return x; }

    private static long Ratio(long a, long b) => a % b;
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
    [Theory]
    [InlineData(1000)]
    [InlineData(70_000)]
    public async Task Quotients_and_remainders_match_CSharp_on_every_backend(int length)
    {
        var random = new Random(5150 + length);
        int[] n = Enumerable.Range(0, length).Select(_ => RandomScalars.Int(random)).ToArray();
        // Divisors of every magnitude and both signs, never 0, and -1 only where the quotient fits.
        int[] d = n.Select(numerator =>
        {
            int divisor = Math.Max(1, random.Next() >> random.Next(0, 31)) * (random.Next(2) == 0 ? 1 : -1);
            return divisor == -1 && numerator == int.MinValue ? 3 : divisor;
        }).ToArray();
        foreach (KilnOptions options in StreamAssert.Options(length))
        {
            IntegerDivision.Result result = await IntegerDivision.RunAsync(n, d, options);
            StreamAssert.Elements(n.Zip(d, (a, b) => a / b).ToArray(), result.Quotient, StreamAssert.Describe(options) + ", Quotient");
            StreamAssert.Elements(n.Zip(d, (a, b) => a % b).ToArray(), result.Remainder, StreamAssert.Describe(options) + ", Remainder");
        }
    }

    [Theory]
    [InlineData(70_000, 40_617)] // several CPU blocks of 16384, so the parallel block loop is what throws there
    [InlineData(1000, 777)] // in the last of four device groups, the partial one
    public async Task Dividing_by_zero_fails_the_run_with_DivideByZeroException_on_every_backend(int length, int zeroAt)
    {
        int[] n = Enumerable.Range(0, length).ToArray();
        int[] d = Enumerable.Range(0, length).Select(i => i == zeroAt ? 0 : 1 + (i % 13)).ToArray();
        foreach (KilnOptions options in StreamAssert.Options(length))
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
        foreach (KilnOptions options in StreamAssert.Options(n.Length))
        {
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => IntegerDivision.RunAsync(n, d, options));
            Assert.True(failure.InnerException is OverflowException, $"{StreamAssert.Describe(options)}: {failure.InnerException}");
        }
    }

    [Fact]
    public async Task Math_Abs_of_MinValue_fails_the_run_with_OverflowException_on_every_backend_and_is_exact_otherwise()
    {
        // Every short but MinValue; and 1,000 of them from -32767 to 32767, evenly spaced, for a CPU-simulated device.
        short[] every = Enumerable.Range(-32767, 65535).Select(v => (short)v).ToArray();
        short[] spaced = Enumerable.Range(0, 1000).Select(i => (short)(-32767 + (i * 65534 / 999))).ToArray();
        foreach (short[] values in new[] { every, spaced })
        {
            foreach (KilnOptions options in StreamAssert.Options(values.Length))
            {
                string context = $"length {values.Length}, {StreamAssert.Describe(options)}";
                Magnitudes.Result result = await Magnitudes.RunAsync(values, options);
                StreamAssert.Elements(values.Select(v => Math.Abs(v)).ToArray(), result.Magnitude, context + ", Magnitude");
                StreamAssert.Elements(values.Select(v => Math.Abs((long)v * 65536L * 65536L)).ToArray(), result.Widened, context + ", Widened");
            }
        }

        foreach (KilnOptions options in StreamAssert.Options(3))
        {
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => Magnitudes.RunAsync(new short[] { 1, short.MinValue, 2 }, options));
            Assert.True(failure.InnerException is OverflowException, $"{StreamAssert.Describe(options)}: {failure.InnerException}");
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(40_000)]
    public async Task Division_in_helpers_long_unsigned_and_compound_short_forms_matches_CSharp_and_checks_like_it(int length)
    {
        var random = new Random(6262 + length);
        long[] wide = Enumerable.Range(0, length).Select(_ => RandomScalars.Long(random) >> random.Next(0, 63)).ToArray();
        long[] divisors = wide.Select(w =>
        {
            long divisor = Math.Max(1L, random.NextInt64() >> random.Next(0, 63)) * (random.Next(2) == 0 ? 1 : -1);
            bool small = (uint)divisor == 0 || (short)(divisor | 1) == -1;
            return small || (divisor == -1 && w == long.MinValue) ? 5 : divisor;
        }).ToArray();
        foreach (KilnOptions options in StreamAssert.Options(length))
        {
            string context = $"length {length}, {StreamAssert.Describe(options)}";
            CheckedIntegers.Result result = await CheckedIntegers.RunAsync(wide, divisors, options);
            StreamAssert.Elements(wide.Zip(divisors, (w, v) => (w % v) + Math.Abs((int)w % 1000)).ToArray(), result.ViaHelper, context + ", ViaHelper");
            StreamAssert.Elements(wide.Zip(divisors, (w, v) => (ulong)w / (ulong)v).ToArray(), result.Unsigned, context + ", Unsigned");
            StreamAssert.Elements(wide.Zip(divisors, (w, v) => (uint)w % (uint)v).ToArray(), result.Narrow, context + ", Narrow");
            StreamAssert.Elements(wide.Zip(divisors, (w, v) => { short x = (short)w; x /= (short)(v | 1); x %= 7; return x; }).ToArray(), result.Compound, context + ", Compound");

            // A zero divisor, for the helper's long remainder and both unsigned forms; long.MinValue % -1 in the helper.
            PipelineException byZero = await Assert.ThrowsAsync<PipelineException>(() => CheckedIntegers.RunAsync(new long[] { 9, 8 }, new long[] { 3, 0 }, options));
            Assert.True(byZero.InnerException is DivideByZeroException, $"{context}: {byZero.InnerException}");
            PipelineException overflow = await Assert.ThrowsAsync<PipelineException>(() => CheckedIntegers.RunAsync(new long[] { long.MinValue }, new long[] { -1 }, options));
            Assert.True(overflow.InnerException is OverflowException, $"{context}: {overflow.InnerException}");
        }
    }
}
