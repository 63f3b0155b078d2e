using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Kiln.Benchmarks.Kernels;
using Kiln.Benchmarks.Shapes;

namespace Kiln.Benchmarks;

/// <summary>
/// Cold-start benchmarks: every measurement is a fresh process, so the JIT, tiering, type loading and the first
/// allocations are all in it. <c>cold</c> is the driver: it launches <c>cold-run</c> children, alternating Kiln and
/// its baseline (and their order) on every repetition, and prints medians. A child measures its very first run
/// (JIT included) and the mean over its first <c>runs</c> runs, then a warm figure from the same process.
/// </summary>
internal static class ColdStart
{
    private const int Nodes = 1024;

    // Shapes: the time per task. Kernels: the time per run (16M floats, as in KernelBenchmarks).
    private static readonly string[] s_shapes = { "chain", "fanout", "tree" };
    private static readonly string[] s_shapeImpls = { "kiln", "tasks" };
    private static readonly string[] s_kernelImpls = { "fused", "vector" };
    private const int KernelLength = 16 * 1024 * 1024;
    private const int KernelBlock = 16384;

    /// <summary>The driver: <c>cold [reps] [runs] [kernelRuns]</c>.</summary>
    public static int Drive(string[] args)
    {
        int reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        int runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 300;
        int kernelRuns = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        string? only = args.Length > 4 ? args[4] : null;
        var results = new Dictionary<(string Case, string Impl), List<double[]>>();
        var cases = s_shapes.Select(s => (Case: s, Impls: s_shapeImpls, Runs: runs))
            .Append((Case: "chain4", Impls: s_kernelImpls, Runs: kernelRuns))
            .Where(c => only is null || only.Split(',').Contains(c.Case))
            .ToList();
        for (int rep = 0; rep < reps; rep++)
        {
            foreach (var (name, impls, count) in cases)
            {
                // Interleaved: the two implementations alternate, and which goes first alternates too.
                IEnumerable<string> order = rep % 2 == 0 ? impls : impls.Reverse();
                foreach (string impl in order)
                {
                    double[] measured = Child(name, impl, count);
                    if (!results.TryGetValue((name, impl), out List<double[]>? list))
                    {
                        results[(name, impl)] = list = new List<double[]>();
                    }

                    list.Add(measured);
                }
            }

            Console.Error.Write('.');
        }

        Console.Error.WriteLine();
        Console.WriteLine($"Cold start: {reps} fresh processes per cell, medians; {runs} runs per shape process ({kernelRuns} per kernel process).");
        Console.WriteLine($"Runtime {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine($"| shape | Kiln first run (µs) | Task-based first run (µs) | ratio | Kiln first {runs} (ns/task) | Task-based first {runs} (ns/task) | ratio | Kiln warm (ns/task) | Task-based warm (ns/task) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string shape in s_shapes.Where(s => results.ContainsKey((s, "kiln"))))
        {
            double[] kiln = Medians(results[(shape, "kiln")]);
            double[] tasks = Medians(results[(shape, "tasks")]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape} | {kiln[0]:F0} | {tasks[0]:F0} | {kiln[0] / tasks[0]:F2} | {kiln[1]:F1} | {tasks[1]:F1} | {kiln[1] / tasks[1]:F2} | {kiln[2]:F1} | {tasks[2]:F1} |"));
        }

        if (results.ContainsKey(("chain4", "fused")))
        {
            double[] fused = Medians(results[("chain4", "fused")]);
            double[] vector = Medians(results[("chain4", "vector")]);
            Console.WriteLine();
            Console.WriteLine($"| 4-kernel chain, 16M floats | first run (ms) | mean of first {kernelRuns} (ms) | warm (ms) |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Kiln fused | {fused[0] / 1000:F1} | {fused[1] / 1000:F1} | {fused[2] / 1000:F1} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| hand-written parallel Vector<T> | {vector[0] / 1000:F1} | {vector[1] / 1000:F1} | {vector[2] / 1000:F1} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio | {fused[0] / vector[0]:F2} | {fused[1] / vector[1]:F2} | {fused[2] / vector[2]:F2} |"));
        }

        return 0;
    }

    private static double[] Medians(List<double[]> samples) =>
        Enumerable.Range(0, samples[0].Length).Select(i => Median(samples.Select(s => s[i]))).ToArray();

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double[] Child(string name, string impl, int runs)
    {
        string self = typeof(ColdStart).Assembly.Location;
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Path.GetFileNameWithoutExtension(host).Equals(Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal))
        {
            start.ArgumentList.Add(self);
        }

        start.ArgumentList.Add("cold-run");
        start.ArgumentList.Add(name);
        start.ArgumentList.Add(impl);
        start.ArgumentList.Add(runs.ToString(CultureInfo.InvariantCulture));
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cold-run {name} {impl} exited with {process.ExitCode}: {output}");
        }

        return output.Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// One fresh process: <c>cold-run shape impl runs</c>. Prints the first run (µs), the mean of the first
    /// <c>runs</c> (ns per task for shapes, µs per run for kernels) and a warm mean after many more runs.
    /// </summary>
    public static int RunChild(string[] args)
    {
        string name = args[1];
        string impl = args[2];
        int runs = int.Parse(args[3], CultureInfo.InvariantCulture);
        if (name == "chain4")
        {
            float[] data = new float[KernelLength];
            var random = new Random(42);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)random.NextDouble();
            }

            Func<float[]> run = impl == "fused" ? () => KilnChain(data) : () => HandWrittenChain(data);
            (double first, double mean, double warm) = Measure(run, runs, warmRuns: 20);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{first:F1} {mean:F1} {warm:F1}"));
            return 0;
        }

        // What the Task-based code reads (the user's own arrays of edges and delegates) is built before the clock,
        // for both, so the figures compare scheduling only.
        Action body = (name, impl) switch
        {
            ("chain", "kiln") => () => Work.Keep(LinearChain.RunAsync().GetAwaiter().GetResult()),
            ("fanout", "kiln") => () => FanOut.RunAsync().GetAwaiter().GetResult(),
            ("tree", "kiln") => () => BinaryTree.RunAsync().GetAwaiter().GetResult(),
            ("chain", _) => Tasks(LinearChain.Predecessors, LinearChain.Actions),
            ("fanout", _) => Tasks(FanOut.Predecessors, FanOut.Actions),
            _ => Tasks(BinaryTree.Predecessors, BinaryTree.Actions),
        };
        _ = name switch
        {
            "chain" => LinearChain.Actions.Length,
            "fanout" => FanOut.Actions.Length,
            _ => BinaryTree.Actions.Length,
        };
        if (args[0] == "cold-jit")
        {
            return JitProbe.Run(args, body);
        }

        (double f, double m, double w) = Measure(() => { body(); return 0; }, runs, warmRuns: 3000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f:F1} {m * 1000 / Nodes:F2} {w * 1000 / Nodes:F2}"));
        return 0;
    }

    private static Action Tasks(int[][] predecessors, Action[] actions) =>
        () => Baselines.RunWithTasks(predecessors, actions).GetAwaiter().GetResult();

    // Times in µs: the first call, the mean of the first `runs` calls, and the mean of `warmRuns` calls after
    // 20 × runs more (by then tiering has settled).
    private static (double First, double Mean, double Warm) Measure<T>(Func<T> run, int runs, int warmRuns)
    {
        long begin = Stopwatch.GetTimestamp();
        Keep(run());
        long first = Stopwatch.GetTimestamp();
        for (int i = 1; i < runs; i++)
        {
            Keep(run());
        }

        long end = Stopwatch.GetTimestamp();
        double firstUs = (first - begin) * 1e6 / Stopwatch.Frequency;
        double meanUs = (end - begin) * 1e6 / Stopwatch.Frequency / runs;

        // Warm: let tiering finish (its delay is 100 ms after the last tier-0 compile), then measure.
        long settle = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < settle)
        {
            Keep(run());
        }

        System.Threading.Thread.Sleep(200);
        long warmBegin = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmRuns; i++)
        {
            Keep(run());
        }

        double warmUs = (Stopwatch.GetTimestamp() - warmBegin) * 1e6 / Stopwatch.Frequency / warmRuns;
        return (firstUs, meanUs, warmUs);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Keep<T>(T value) => GC.KeepAlive(value);

    private static readonly KilnOptions s_cpu = new() { Device = DeviceKind.Cpu };

    private static float[] KilnChain(float[] data) => Chain4.RunAsync(data, 1.5f, 0.25f, 0.5f, s_cpu).GetAwaiter().GetResult();

    // The same code as KernelBenchmarks.ChainHandWritten.
    private static float[] HandWrittenChain(float[] x)
    {
        float[] output = GC.AllocateUninitializedArray<float>(x.Length);
        Parallel.For(0, x.Length / KernelBlock, b =>
        {
            var a = new Vector<float>(1.5f);
            var c = new Vector<float>(0.25f);
            var d = new Vector<float>(0.5f);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x.AsSpan(b * KernelBlock, KernelBlock));
            Span<Vector<float>> ov = MemoryMarshal.Cast<float, Vector<float>>(output.AsSpan(b * KernelBlock, KernelBlock));
            for (int i = 0; i < xv.Length; i++)
            {
                Vector<float> scaled = (xv[i] * a) + c;
                ov[i] = Vector.Max((scaled * scaled) - d, Vector<float>.Zero);
            }
        });
        return output;
    }
}
