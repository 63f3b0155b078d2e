using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace Kiln.DeviceCheck;

/// <summary>
/// The kernel differential suites: each runs pipelines on the chosen device, fused and unfused, with seeded random inputs
/// that hit the edges, and compares every element with C# computed here on the CPU (plain calls of the kernel methods,
/// compiled by Roslyn, or formulas written out again), or, where the result depends on the fold's order, with a run on
/// the CPU backend.
/// </summary>
internal sealed class Suites
{
    private readonly DeviceKind device;
    private readonly int[] lengths;

    public Suites(DeviceKind device, bool quick)
    {
        this.device = device;
        lengths = quick ? new[] { 1, 17, 4099, 70_001 } : new[] { 1, 17, 4099, 70_001, 1_000_003 };
    }

    private IEnumerable<KilnOptions> Options => new[]
    {
        new KilnOptions { Device = device, Fusion = true },
        new KilnOptions { Device = device, Fusion = false },
    };

    private static string Describe(KilnOptions options) => $"{options.Device}, fusion {(options.Fusion ? "on" : "off")}";

    public IReadOnlyList<(string Name, Func<Check, Task> Run)> All => new (string, Func<Check, Task>)[]
    {
        ("scalar-types", ScalarTypes),
        ("conversions", ConversionsSuite),
        ("nan-compares", NaNComparesSuite),
        ("integer-faults", IntegerFaults),
        ("gathers", Gathers),
        ("reductions", Reductions),
        ("kernel-dags", KernelDags),
        ("math-vs-cpu", MathVsCpu),
    };

    private async Task ScalarTypes(Check check)
    {
        foreach (int length in lengths)
        {
            int seed = 1000 + length;
            await Scalar(check, "float", seed, length, RandomScalars.Float, async (x, y, k, o) => { var r = await FloatStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Largest); }, FloatStreams.Mix, FloatStreams.Tidy, float.NegativeInfinity, FloatStreams.Largest);
            await Scalar(check, "double", seed, length, RandomScalars.Double, async (x, y, k, o) => { var r = await DoubleStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Largest); }, DoubleStreams.Mix, DoubleStreams.Tidy, double.NegativeInfinity, DoubleStreams.Largest);
            await Scalar(check, "int", seed, length, RandomScalars.Int, async (x, y, k, o) => { var r = await IntStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, IntStreams.Mix, IntStreams.Tidy, 0, IntStreams.Total);
            await Scalar(check, "uint", seed, length, RandomScalars.UInt, async (x, y, k, o) => { var r = await UIntStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, UIntStreams.Mix, UIntStreams.Tidy, 0u, UIntStreams.Total);
            await Scalar(check, "long", seed, length, RandomScalars.Long, async (x, y, k, o) => { var r = await LongStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, LongStreams.Mix, LongStreams.Tidy, 0L, LongStreams.Total);
            await Scalar(check, "ulong", seed, length, RandomScalars.ULong, async (x, y, k, o) => { var r = await ULongStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, ULongStreams.Mix, ULongStreams.Tidy, 0UL, ULongStreams.Total);
            await Scalar(check, "short", seed, length, RandomScalars.Short, async (x, y, k, o) => { var r = await ShortStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, ShortStreams.Mix, ShortStreams.Tidy, (short)0, ShortStreams.Total);
            await Scalar(check, "ushort", seed, length, RandomScalars.UShort, async (x, y, k, o) => { var r = await UShortStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, UShortStreams.Mix, UShortStreams.Tidy, (ushort)0, UShortStreams.Total);
            await Scalar(check, "byte", seed, length, RandomScalars.Byte, async (x, y, k, o) => { var r = await ByteStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, ByteStreams.Mix, ByteStreams.Tidy, (byte)0, ByteStreams.Total);
            await Scalar(check, "sbyte", seed, length, RandomScalars.SByte, async (x, y, k, o) => { var r = await SByteStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); }, SByteStreams.Mix, SByteStreams.Tidy, (sbyte)0, SByteStreams.Total);
            await Scalar(check, "bool", seed, length, RandomScalars.Bool, async (x, y, k, o) => { var r = await BoolStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Parity); }, BoolStreams.Mix, BoolStreams.Tidy, false, BoolStreams.Parity);
        }
    }

    // The reference folds sequentially: every reduction here (max, wrapping sum, xor) gives the same in any order.
    private async Task Scalar<T>(
        Check check, string type, int seed, int length, Func<Random, T> next,
        Func<T[], T[], T, KilnOptions, Task<(T[] Mix, T[] Tidy, T Folded)>> run,
        Func<T, T, T, T> mix, Func<T, T, int, T> tidy, T identity, Func<T, T, T> fold)
    {
        var random = new Random(seed);
        T[] x = RandomScalars.Array(random, length, next);
        T[] y = RandomScalars.Array(random, length, next);
        T k = next(random);
        T[] expectedMix = x.Select((xi, i) => mix(xi, y[i], k)).ToArray();
        T[] expectedTidy = expectedMix.Select((m, i) => tidy(m, y[i], i)).ToArray();
        T expectedFold = expectedTidy.Aggregate(identity, fold);
        foreach (KilnOptions options in Options)
        {
            string context = $"{type}, seed {seed}, length {length}, {Describe(options)}";
            (T[] actualMix, T[] actualTidy, T folded) = await run(x, y, k, options);
            check.Elements(expectedMix, actualMix, context + ", Mix");
            check.Elements(expectedTidy, actualTidy, context + ", Tidy");
            check.Equal(expectedFold, folded, context + ", reduction");
        }
    }

    private static readonly float[] FloatEdges =
    {
        300.7f, -5.5f, 1e20f, -1e20f, 70000f, -40000f, 2147483520f, 2147483648f, -2147483648f, -2147483904f,
        4294967040f, 4294967296f, 9.2233715e18f, 9.223372e18f, 1.8446743e19f, 1.8446744e19f, 127.9f, 128f, -128.9f, -129f,
        255.9f, 256f, 32767.9f, 32768f, 65535.9f, 65536f, -0.99f, 0.99f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f,
    };

    private static readonly double[] DoubleEdges =
    {
        300.7, -5.5, 1e300, -1e300, 2147483647.9, 2147483648.0, -2147483648.9, -2147483649.0, 4294967295.9, 4294967296.0,
        9223372036854774784.0, 9223372036854775808.0, -9223372036854775808.0, -9223372036854777856.0,
        18446744073709549568.0, 18446744073709551616.0, -0.99, 0.99, 65535.9, -1e-300, double.NaN, double.NegativeInfinity, -0d,
    };

    private async Task ConversionsSuite(Check check)
    {
        // The reference is C#'s own cast, evaluated at run time here (a constant would be folded by the compiler).
        float probe = FloatEdges[0];
        check.Equal((byte)44, (byte)probe, "C# itself: (byte)300.7f");
        foreach (int length in lengths)
        {
            int seed = 2000 + length;
            var random = new Random(seed);
            float[] f = Enumerable.Range(0, length).Select(_ => random.Next(3) == 0 ? FloatEdges[random.Next(FloatEdges.Length)] : RandomScalars.Float(random)).ToArray();
            double[] d = Enumerable.Range(0, length).Select(_ => random.Next(3) == 0 ? DoubleEdges[random.Next(DoubleEdges.Length)] : RandomScalars.Double(random) / Math.Pow(2, random.Next(200, 300))).ToArray();
            f[0] = 300.7f;
            d[0] = 300.7;
            foreach (KilnOptions options in Options)
            {
                string context = $"seed {seed}, length {length}, {Describe(options)}";
                Conversions.Result r = await Conversions.RunAsync(f, d, options);
                check.Equal((byte)44, r.FByte[0], context + ", (byte)300.7f");
                check.Elements(f.Select(v => (sbyte)v).ToArray(), r.FSByte, context + ", (sbyte)float");
                check.Elements(f.Select(v => (byte)v).ToArray(), r.FByte, context + ", (byte)float");
                check.Elements(f.Select(v => (short)v).ToArray(), r.FShort, context + ", (short)float");
                check.Elements(f.Select(v => (ushort)v).ToArray(), r.FUShort, context + ", (ushort)float");
                check.Elements(f.Select(v => (int)v).ToArray(), r.FInt, context + ", (int)float");
                check.Elements(f.Select(v => (uint)v).ToArray(), r.FUInt, context + ", (uint)float");
                check.Elements(f.Select(v => (long)v).ToArray(), r.FLong, context + ", (long)float");
                check.Elements(f.Select(v => (ulong)v).ToArray(), r.FULong, context + ", (ulong)float");
                check.Elements(d.Select(v => (sbyte)v).ToArray(), r.DSByte, context + ", (sbyte)double");
                check.Elements(d.Select(v => (byte)v).ToArray(), r.DByte, context + ", (byte)double");
                check.Elements(d.Select(v => (short)v).ToArray(), r.DShort, context + ", (short)double");
                check.Elements(d.Select(v => (ushort)v).ToArray(), r.DUShort, context + ", (ushort)double");
                check.Elements(d.Select(v => (int)v).ToArray(), r.DInt, context + ", (int)double");
                check.Elements(d.Select(v => (uint)v).ToArray(), r.DUInt, context + ", (uint)double");
                check.Elements(d.Select(v => (long)v).ToArray(), r.DLong, context + ", (long)double");
                check.Elements(d.Select(v => (ulong)v).ToArray(), r.DULong, context + ", (ulong)double");
            }
        }
    }

    private async Task NaNComparesSuite(Check check)
    {
        foreach (int length in lengths)
        {
            int seed = 3000 + length;
            var random = new Random(seed);
            float[] f = Enumerable.Range(0, length).Select(_ => random.Next(2) == 0 ? FloatEdges[random.Next(FloatEdges.Length)] : (float)(random.NextDouble() * 8 - 4)).ToArray();
            double[] d = Enumerable.Range(0, length).Select(_ => random.Next(2) == 0 ? DoubleEdges[random.Next(DoubleEdges.Length)] : random.NextDouble() * 8 - 4).ToArray();
            foreach ((float[] fs, double[] ds, string what) in new[] { (f, d, "with NaNs"), (f.Where(v => !float.IsNaN(v)).ToArray(), d.Where(v => !double.IsNaN(v)).ToArray(), "without NaNs") })
            {
                if (fs.Length == 0 || ds.Length == 0)
                {
                    continue;
                }

                foreach (KilnOptions options in Options)
                {
                    string context = $"seed {seed}, length {length}, {what}, {Describe(options)}";
                    NaNCompares.Result r = await NaNCompares.RunAsync(fs, ds, options);
                    check.Elements(fs.Select(NaNCompares.FCompared).ToArray(), r.FCompared, context + ", float compares");
                    check.Elements(ds.Select(NaNCompares.DCompared).ToArray(), r.DCompared, context + ", double compares");
                    check.Elements(fs.Select(NaNCompares.FClamped).ToArray(), r.FClamped, context + ", Math.Clamp(float)");
                    check.Elements(fs.Select(NaNCompares.FBounded).ToArray(), r.FBounded, context + ", MathF.Max(MathF.Min(2, x), -2)");
                    check.Elements(ds.Select(NaNCompares.DBounded).ToArray(), r.DBounded, context + ", Math.Min(Math.Max(-2, x), 2)");
                    check.Equal(fs.Aggregate(float.PositiveInfinity, NaNCompares.FLowest), r.FLowest, context + ", float Min reduction");
                    check.Equal(fs.Aggregate(float.NegativeInfinity, NaNCompares.FHighest), r.FHighest, context + ", float Max reduction");
                    check.Equal(ds.Aggregate(double.PositiveInfinity, NaNCompares.DLowest), r.DLowest, context + ", double Min reduction");
                }
            }
        }
    }

    private async Task IntegerFaults(Check check)
    {
        int length = lengths[^1];
        var random = new Random(3000);
        int[] n = RandomScalars.Array(random, length, RandomScalars.Int);
        int[] d = n.Select(numerator =>
        {
            int divisor = Math.Max(1, random.Next() >> random.Next(0, 31)) * (random.Next(2) == 0 ? 1 : -1);
            return divisor == -1 && numerator == int.MinValue ? 3 : divisor;
        }).ToArray();
        long[] wide = n.Select(v => (long)v * 65537L).ToArray();
        long[] wideDivisors = d.Select(v => (long)v).ToArray();
        int[] zeroAt = (int[])d.Clone();
        zeroAt[length * 3 / 5] = 0;
        int[] minNumerators = (int[])n.Clone();
        int[] minusOne = (int[])d.Clone();
        minNumerators[length / 3] = int.MinValue;
        minusOne[length / 3] = -1;
        long[] wideZero = wideDivisors.Select((v, i) => i == length / 2 ? 0L : v).ToArray();
        long[] wideMin = wide.Select((v, i) => i == length / 2 ? long.MinValue : v).ToArray();
        long[] wideMinusOne = wideDivisors.Select((v, i) => i == length / 2 ? -1L : v).ToArray();
        float[] floats = RandomScalars.Array(random, length, RandomScalars.Float).Select(v => float.IsNaN(v) ? -0f : v).ToArray();
        double[] doubles = RandomScalars.Array(random, length, RandomScalars.Double).Select(v => double.IsNaN(v) ? 0d : v).ToArray();
        float[] floatNaN = floats.Select((v, i) => i == length * 2 / 3 ? float.NaN : v).ToArray();
        double[] doubleNaN = doubles.Select((v, i) => i == length - 1 ? double.NaN : v).ToArray();
        foreach (KilnOptions options in Options)
        {
            string context = $"length {length}, {Describe(options)}";
            Division.Result r = await Division.RunAsync(n, d, options);
            check.Elements(n.Zip(d, (a, b) => a / b).ToArray(), r.Quotient, context + ", int quotient");
            check.Elements(n.Zip(d, (a, b) => a % b).ToArray(), r.Remainder, context + ", int remainder");
            check.Elements(wide.Zip(wideDivisors, (a, b) => (a / b) + 1).ToArray(), await LongDivision.RunAsync(wide, wideDivisors, options), context + ", long quotient in a helper");
            await check.Throws<DivideByZeroException>(() => Division.RunAsync(n, zeroAt, options), context + ", int x / 0");
            await check.Throws<OverflowException>(() => Division.RunAsync(minNumerators, minusOne, options), context + ", int.MinValue / -1");
            await check.Throws<DivideByZeroException>(() => LongDivision.RunAsync(wide, wideZero, options), context + ", long x / 0");
            await check.Throws<OverflowException>(() => LongDivision.RunAsync(wideMin, wideMinusOne, options), context + ", long.MinValue / -1");

            // Math.Sign: -1, 0 or 1 (0 for both zeros); the sign of a NaN throws ArithmeticException, as C# does.
            Signs.Result s = await Signs.RunAsync(floats, doubles, options);
            check.Elements(floats.Select(MathF.Sign).ToArray(), s.OfFloat, context + ", float sign");
            check.Elements(doubles.Select(Math.Sign).ToArray(), s.OfDouble, context + ", double sign");
            await check.Throws<ArithmeticException>(() => Signs.RunAsync(floatNaN, doubles, options), context + ", sign of a float NaN");
            await check.Throws<ArithmeticException>(() => Signs.RunAsync(floats, doubleNaN, options), context + ", sign of a double NaN");
        }
    }

    private static T At<T>(T[] values, int index) => values[Math.Min(Math.Max(index, 0), values.Length - 1)];

    private async Task Gathers(Check check)
    {
        foreach (int length in lengths.Append(2).Append(3))
        {
            foreach (int radius in new[] { 1, 2, 1000, int.MaxValue, int.MinValue })
            {
                int seed = 4000 + length;
                var random = new Random(seed);
                int[] values = Enumerable.Range(0, length).Select(_ => random.Next(-1000, 1000)).ToArray();
                // The reference clamps by hand; i ± radius is int arithmetic in the kernel, so it wraps as C# does.
                int[] expected = Enumerable.Range(0, length)
                    .Select(i => unchecked(At(values, i - radius) - (3 * At(values, i)) + (7 * At(values, i + radius)) + length))
                    .ToArray();
                foreach (KilnOptions options in Options)
                {
                    check.Elements(expected, await Neighbours.RunAsync(values, radius, options), $"int gather, seed {seed}, radius {radius}, length {length}, {Describe(options)}");
                }
            }

            var floats = new Random(4500 + length);
            float[] signal = RandomScalars.Array(floats, length, RandomScalars.Float);
            float[] scaled = signal.Select(Stencil.Scaled).ToArray();
            float[] smooth = Enumerable.Range(0, length).Select(i => (At(scaled, i - 1) * 0.25f) + (At(scaled, i) * 0.5f) + (At(scaled, i + 1) * 0.25f)).ToArray();
            foreach (KilnOptions options in Options)
            {
                check.Elements(smooth, await Stencil.RunAsync(signal, options), $"float stencil, seed {4500 + length}, length {length}, {Describe(options)}");
            }
        }
    }

    private async Task Reductions(Check check)
    {
        long cpuUlps = 0;
        int cpuDiffers = 0, cpuCompared = 0;
        foreach (int length in lengths.Prepend(0))
        {
            int seed = 5000 + length;
            var random = new Random(seed);
            float[] v = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * MathF.Pow(2, random.Next(-10, 10))).ToArray();
            double[] w = Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-30, 30))).ToArray();
            long[] l = Enumerable.Range(0, length).Select(_ => random.NextInt64() | 1).ToArray();
            long product = l.Aggregate(1L, Sums.LongProduct);
            double exactSum = v.Sum(x => (double)x), exactSquares = v.Sum(x => (double)x * x), exactWide = w.Sum();
            double boundSum = (length + 1) * 1.2e-7 * v.Sum(x => Math.Abs((double)x)), boundSquares = (length + 2) * 1.2e-7 * exactSquares;
            double boundWide = (length + 1) * 2.3e-16 * w.Sum(Math.Abs);
            foreach (bool fusion in new[] { true, false })
            {
                string context = $"seed {seed}, length {length}, fusion {(fusion ? "on" : "off")}";
                Sums.Result cpu = await Sums.RunAsync(v, w, l, new KilnOptions { Device = DeviceKind.Cpu, Fusion = fusion });
                check.Equal(product, cpu.LongProduct, context + ", CPU long product (wraps; any order)");
                Sums.Result? first = null;
                for (int repeat = 0; repeat < 3; repeat++)
                {
                    Sums.Result r = await Sums.RunAsync(v, w, l, new KilnOptions { Device = device, Fusion = fusion });
                    string run = $"{context}, {device} run {repeat + 1}";
                    first ??= r;
                    check.Equal(first.FloatSum, r.FloatSum, run + ", float sum bit-identical to run 1");
                    check.Equal(first.SquareSum, r.SquareSum, run + ", fused map-reduce float sum bit-identical to run 1");
                    check.Equal(first.DoubleSum, r.DoubleSum, run + ", double sum bit-identical to run 1");
                    check.Equal(product, r.LongProduct, run + ", long product");
                    check.Expect(Math.Abs(r.FloatSum - exactSum) <= boundSum, $"{run}: float sum {Check.Show(r.FloatSum)} not within rounding of {exactSum:R}");
                    check.Expect(Math.Abs(r.SquareSum - exactSquares) <= boundSquares, $"{run}: sum of squares {Check.Show(r.SquareSum)} not within rounding of {exactSquares:R}");
                    check.Expect(Math.Abs(r.DoubleSum - exactWide) <= boundWide, $"{run}: double sum {Check.Show(r.DoubleSum)} not within rounding of {exactWide:R}");
                }

                // SPEC section 5 promises the same bits run to run on one device, not the CPU's bits: reported.
                cpuUlps = Math.Max(cpuUlps, Math.Max(Ulps(cpu.FloatSum, first!.FloatSum), Ulps(cpu.SquareSum, first.SquareSum)));
                cpuDiffers += Check.Same(cpu.FloatSum, first.FloatSum) && Check.Same(cpu.SquareSum, first.SquareSum) && Check.Same(cpu.DoubleSum, first.DoubleSum) ? 0 : 1;
                cpuCompared++;
            }

            // Small integers squared sum exactly in float in any order (below 2^24).
            float[] small = Enumerable.Range(0, length).Select(i => (float)(i % 7)).ToArray();
            float exact = Enumerable.Range(0, length).Sum(i => (i % 7) * (i % 7));
            if (exact < (1 << 24))
            {
                Sums.Result r = await Sums.RunAsync(small, w, l, new KilnOptions { Device = device });
                check.Equal(exact, r.SquareSum, $"length {length}, exact float sum of squares");
            }
        }

        check.Notes.Add($"float/double sums equal to the CPU's fold bit for bit in {cpuCompared - cpuDiffers} of {cpuCompared} runs; largest float difference {cpuUlps} ulp (SPEC: same bits run to run on one device)");
    }

    private async Task KernelDags(Check check)
    {
        foreach (int length in lengths)
        {
            int seed = 6000 + length;
            var random = new Random(seed);
            float[] inF = RandomScalars.Array(random, length, RandomScalars.Float);
            int[] inI = RandomScalars.Array(random, length, RandomScalars.Int);
            int ui = RandomScalars.Int(random);
            float uf = RandomScalars.Float(random);
            foreach (KilnOptions options in Options)
            {
                string context = $"seed {seed}, length {length}, {Describe(options)}";
                DagReference.Check1(check, inF, inI, ui, await Dag1.RunAsync(inF, inI, ui, options), context + ", Dag1");
                DagReference.Check2(check, inF, inI, uf, await Dag2.RunAsync(inF, inI, uf, options), context + ", Dag2");
                DagReference.Check3(check, inF, inI, uf, await Dag3.RunAsync(inF, inI, uf, options), context + ", Dag3");
            }
        }
    }

    private async Task MathVsCpu(Check check)
    {
        int length = lengths[^1];
        var random = new Random(7000);
        float[] x = Enumerable.Range(0, length).Select(i => i % 10 == 0 ? RandomScalars.Float(random) : (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-8, 8)))).ToArray();
        MathFunctions.Result cpu = await MathFunctions.RunAsync(x, new KilnOptions { Device = DeviceKind.Cpu });
        MathFunctions.Result dev = await MathFunctions.RunAsync(x, new KilnOptions { Device = device });
        var pairs = new (string Name, float[] Cpu, float[] Device)[]
        {
            ("Sin", cpu.Sin, dev.Sin), ("Cos", cpu.Cos, dev.Cos), ("Exp", cpu.Exp, dev.Exp), ("Log", cpu.Log, dev.Log),
            ("Sqrt", cpu.Sqrt, dev.Sqrt), ("Pow", cpu.Pow, dev.Pow), ("Tanh", cpu.Tanh, dev.Tanh), ("Atan2", cpu.Atan2, dev.Atan2),
        };
        var report = new List<string>();
        foreach ((string name, float[] c, float[] d) in pairs)
        {
            // Judged: NaN exactly where the CPU has NaN, infinities where it has them. Reported: the largest ulp distance.
            int mismatch = Enumerable.Range(0, length).FirstOrDefault(i => float.IsNaN(c[i]) != float.IsNaN(d[i]) || (float.IsInfinity(c[i]) && c[i] != d[i]), -1);
            check.Expect(mismatch < 0, mismatch < 0 ? name : $"{name}: element {mismatch}, x = {Check.Show(x[mismatch])}: CPU {Check.Show(c[mismatch])}, device {Check.Show(d[mismatch])}");
            long worst = 0;
            int at = 0;
            for (int i = 0; i < length; i++)
            {
                long ulps = Ulps(c[i], d[i]);
                if (ulps > worst)
                {
                    worst = ulps;
                    at = i;
                }
            }

            report.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {worst}") + (worst > 0 ? $" (x={x[at]:R})" : ""));
        }

        check.Notes.Add($"max ulp vs CPU over {length} inputs: " + string.Join(", ", report));
    }

    /// <summary>Distance in units in the last place; NaN against NaN is 0.</summary>
    public static long Ulps(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        }

        static long Ordered(float f)
        {
            int bits = BitConverter.SingleToInt32Bits(f);
            return bits < 0 ? (long)int.MinValue - bits : bits;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }
}
