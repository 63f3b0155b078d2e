using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace Kiln.DeviceCheck;

/// <summary>
/// The GPU benchmarks, timed with a Stopwatch around whole runs (the public API takes and returns host arrays, so every
/// time includes the transfers to and from the device): warmed, then the median of the repetitions, with the
/// variants interleaved so that whatever else the machine does falls on all of them alike.
/// </summary>
internal sealed class Benchmarks
{
    private readonly DeviceKind device;
    private readonly int length;
    private readonly int repetitions;
    private readonly int launches;
    private readonly List<string> rows = new();

    public Benchmarks(DeviceKind device, int length, int repetitions, int launches)
    {
        this.device = device;
        this.length = length;
        this.repetitions = repetitions;
        this.launches = launches;
    }

    /// <summary>The first run of the fused chain in this process, measured before anything else touched the device.</summary>
    public double FirstRunMs { get; private set; }

    public int FirstRunLength { get; private set; }

    public static float[] ChainInput(int length)
    {
        var random = new Random(9000);
        var data = new float[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 4 - 2);
        }

        return data;
    }

    /// <summary>Call first: the fused chain's first run in a new process (device start-up and kernel compile included).</summary>
    public async Task MeasureFirstRun(float[] input)
    {
        FirstRunLength = input.Length;
        var clock = Stopwatch.StartNew();
        await Chain.RunAsync(input, new KilnOptions { Device = device, Fusion = true });
        FirstRunMs = clock.Elapsed.TotalMilliseconds;
    }

    public async Task<Check> Run(float[] input)
    {
        var check = new Check("benchmarks");
        var fused = new KilnOptions { Device = device, Fusion = true };
        var unfused = new KilnOptions { Device = device, Fusion = false };
        long n = input.Length;

        // The chain's result, checked once per element against C# (the benchmark must compute the right thing).
        float[] expected = input.Select(x => Chain.Triple(Chain.Shift(Chain.Square(Chain.Scale(x))))).ToArray();
        check.Elements(expected, await Chain.RunAsync(input, fused), "chain fused = C#");
        check.Elements(expected, await Chain.RunAsync(input, unfused), "chain unfused = C#");
        check.Elements(input, await Copy.RunAsync(input, fused), "copy = input");

        // Chain fused, unfused and the copy, interleaved.
        var variants = new (string Name, Func<Task> Run)[]
        {
            ("chain fused (1 group)", () => Chain.RunAsync(input, fused)),
            ("chain unfused (4 groups)", () => Chain.RunAsync(input, unfused)),
            ("copy kernel (bandwidth ceiling)", () => Copy.RunAsync(input, fused)),
        };
        double[][] times = await Interleaved(variants, warmups: 2, repetitions);
        Row("first run in process (chain fused)", new[] { FirstRunMs }, 8L * FirstRunLength, "compile + device start-up included; n=" + FirstRunLength);
        for (int v = 0; v < variants.Length; v++)
        {
            Row(variants[v].Name, times[v], 8 * n, "");
        }

        double copyMs = Median(times[2]);
        double fusedMs = Median(times[0]);
        check.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"fused chain / copy bandwidth: {100 * copyMs / fusedMs:F0}% (target >= 85%); fused vs unfused: {Median(times[1]) / fusedMs:F2}x"));

        // Launch overhead on 1K elements: one group, and four groups unfused.
        float[] small = input.Take(1024).ToArray();
        var tiny = new (string Name, Func<Task> Run)[]
        {
            ("1K: one kernel (1 group)", () => Tiny.RunAsync(small, fused)),
            ("1K: chain fused (1 group)", () => Chain.RunAsync(small, fused)),
            ("1K: chain unfused (4 groups)", () => Chain.RunAsync(small, unfused)),
        };
        double[][] tinyTimes = await Interleaved(tiny, warmups: Math.Max(10, launches / 10), launches);
        for (int v = 0; v < tiny.Length; v++)
        {
            Row(tiny[v].Name, tinyTimes[v], 8 * 1024, string.Create(CultureInfo.InvariantCulture, $"{1000 * Median(tinyTimes[v]):F1} us per run"));
        }

        double perGroup = 1000 * (Median(tinyTimes[2]) - Median(tinyTimes[1])) / 3;
        check.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"launch overhead: {1000 * Median(tinyTimes[0]):F1} us per 1-group run on 1K (whole run: task, transfers, launch, result); {perGroup:F1} us per extra group (unfused - fused)/3 (target <= 10 us)"));

        // A float sum repeated 10 times: bit-identical each time (judged), and how far from the CPU's fold (reported).
        float cpuSum = await BigSum.RunAsync(input, new KilnOptions { Device = DeviceKind.Cpu });
        var sums = new float[10];
        var sumTimes = new double[sums.Length];
        for (int r = 0; r < sums.Length; r++)
        {
            var clock = Stopwatch.StartNew();
            sums[r] = await BigSum.RunAsync(input, fused);
            sumTimes[r] = clock.Elapsed.TotalMilliseconds;
        }

        bool identical = sums.All(s => BitConverter.SingleToInt32Bits(s) == BitConverter.SingleToInt32Bits(sums[0]));
        check.Expect(identical, "reduction x10: not bit-identical: " + string.Join(", ", sums.Select(s => Check.Show(s))));
        check.Notes.Add($"float sum of {n}: device {Check.Show(sums[0])}, CPU {Check.Show(cpuSum)}, {Suites.Ulps(cpuSum, sums[0])} ulp apart (reported; SPEC promises the same bits run to run on one device)");
        Row("float sum x10 (bit-identical: " + (identical ? "yes" : "NO") + ")", sumTimes.Skip(1).ToArray(), 4 * n, "sum " + Check.Show(sums[0]));

        // Black-Scholes on n options (3 streams in, 1 out).
        var random = new Random(9100);
        float[] spots = input.Select(_ => 5f + (float)(random.NextDouble() * 25)).ToArray();
        float[] strikes = input.Select(_ => 1f + (float)(random.NextDouble() * 99)).ToArray();
        float[] years = input.Select(_ => 0.25f + (float)(random.NextDouble() * 9.75)).ToArray();
        const float Rate = 0.02f, Volatility = 0.3f;
        float[] calls = await BlackScholes.RunAsync(spots, strikes, years, Rate, Volatility, fused);
        long worstUlps = 0;
        for (int i = 0; i < calls.Length; i += Math.Max(1, calls.Length / 100_000))
        {
            worstUlps = Math.Max(worstUlps, Suites.Ulps(BlackScholes.Call(spots[i], strikes[i], years[i], Rate, Volatility), calls[i]));
        }

        double[][] bsTimes = await Interleaved(new (string, Func<Task>)[] { ("bs", () => BlackScholes.RunAsync(spots, strikes, years, Rate, Volatility, fused)) }, warmups: 1, repetitions);
        Row("Black-Scholes", bsTimes[0], 16 * n, string.Create(CultureInfo.InvariantCulture, $"{n / (Median(bsTimes[0]) / 1000) / 1e6:F0} M options/s, max {worstUlps} ulp vs C# (sampled)"));
        return check;
    }

    public void PrintTable(Action<string> write)
    {
        write(string.Create(CultureInfo.InvariantCulture, $"BENCH device={device} n={length} repetitions={repetitions} (median of the repetitions after warm-up; times include host<->device transfers)"));
        write(string.Format(CultureInfo.InvariantCulture, "  {0,-44} {1,11} {2,11} {3,9}  {4}", "benchmark", "median ms", "best ms", "GB/s", "note"));
        foreach (string row in rows)
        {
            write(row);
        }
    }

    private void Row(string name, double[] ms, long bytes, string note)
    {
        double median = Median(ms);
        rows.Add(string.Format(CultureInfo.InvariantCulture, "  {0,-44} {1,11:F3} {2,11:F3} {3,9:F1}  {4}", name, median, ms.Min(), bytes / (median / 1000) / 1e9, note));
    }

    public static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task<double[][]> Interleaved((string Name, Func<Task> Run)[] variants, int warmups, int count)
    {
        for (int w = 0; w < warmups; w++)
        {
            foreach ((string _, Func<Task> run) in variants)
            {
                await run();
            }
        }

        double[][] times = variants.Select(_ => new double[count]).ToArray();
        for (int r = 0; r < count; r++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                int v = (k + r) % variants.Length;
                var clock = Stopwatch.StartNew();
                await variants[v].Run();
                times[v][r] = clock.Elapsed.TotalMilliseconds;
            }
        }

        return times;
    }
}
