using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Kiln;

namespace ImageTone;

public static class Program
{
    private const int Width = 1024;
    private const int Height = 768;
    private const float Ev = -0.4f;
    private const float Gamma = 2.2f;
    private const int Bins = 16;
    private const int WarmUpRuns = 15;
    private const int MeasuredRuns = 15;

    public static async Task<int> Main(string[] args)
    {
        string path = args.Length > 0 ? args[0] : "image-tone.png";
        float[] photo = Scene.Render(Width, Height, seed: 7);

        Console.WriteLine($"ImageTone: {Width}×{Height} RGB ({photo.Length:N0} floats), exposure {Ev} EV, gamma {Gamma}");
        Console.WriteLine("Fusion groups (one loop each):");
        foreach (FusionGroup group in Tone.Graph.FusionGroups)
        {
            Console.WriteLine($"  {group.Name}: {string.Join(" → ", group.Nodes)}");
        }

        var clock = Stopwatch.StartNew();
        Tone.Result result = await Tone.RunAsync(photo, Ev, Gamma, Width, Bins);
        double firstRun = clock.Elapsed.TotalMilliseconds;
        PngWriter.Write(path, Width, Height, result.Pixels);
        Console.WriteLine($"Wrote {path}");

        Console.WriteLine($"Mean brightness: {result.Brightness / photo.Length:F3}");
        Console.WriteLine("Luminance histogram:");
        int most = result.Histogram.Max();
        for (int bin = 0; bin < Bins; bin++)
        {
            int count = result.Histogram[bin];
            string bar = new('#', (int)Math.Ceiling(40.0 * count / Math.Max(most, 1)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bin / (double)Bins:F3}-{(bin + 1) / (double)Bins:F3} {count,8} {bar}"));
        }

        // Timing that tells the truth: the first runs of a process pay for the JIT (and, for kernels, for compiling
        // the loops), so the run above is reported on its own; then both settings warm up, and the measured runs
        // alternate fused and unfused so that whatever else the machine does falls on both alike.
        var fused = new KilnOptions { Fusion = true };
        var unfused = new KilnOptions { Fusion = false };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"First run in this process (JIT included): fused {firstRun:F1} ms"));
        double firstUnfused = Time(photo, unfused);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"First unfused run: {firstUnfused:F1} ms"));
        for (int run = 0; run < WarmUpRuns; run++)
        {
            Time(photo, fused);
            Time(photo, unfused);
        }

        var times = new[] { new double[MeasuredRuns], new double[MeasuredRuns] };
        for (int run = 0; run < MeasuredRuns; run++)
        {
            // Alternate which goes first, too.
            bool fusedFirst = run % 2 == 0;
            times[fusedFirst ? 0 : 1][run] = Time(photo, fusedFirst ? fused : unfused);
            times[fusedFirst ? 1 : 0][run] = Time(photo, fusedFirst ? unfused : fused);
        }

        Console.WriteLine($"Warm, {WarmUpRuns} warm-up runs each, then {MeasuredRuns} runs each, fused and unfused interleaved:");
        for (int mode = 0; mode < 2; mode++)
        {
            double[] sorted = times[mode].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Fusion {(mode == 0 ? "on " : "off")}: median {sorted[sorted.Length / 2]:F1} ms, best {sorted[0]:F1} ms"));
        }

        return 0;
    }

    private static double Time(float[] photo, KilnOptions options)
    {
        var clock = Stopwatch.StartNew();
        Tone.RunAsync(photo, Ev, Gamma, Width, Bins, options).GetAwaiter().GetResult();
        return clock.Elapsed.TotalMilliseconds;
    }
}
