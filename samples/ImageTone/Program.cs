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

        Tone.Result result = await Tone.RunAsync(photo, Ev, Gamma, Width, Bins);
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

        foreach (bool fusion in new[] { true, false })
        {
            var options = new KilnOptions { Fusion = fusion };
            await Tone.RunAsync(photo, Ev, Gamma, Width, Bins, options); // warm-up
            var times = new double[5];
            for (int run = 0; run < times.Length; run++)
            {
                var clock = Stopwatch.StartNew();
                await Tone.RunAsync(photo, Ev, Gamma, Width, Bins, options);
                times[run] = clock.Elapsed.TotalMilliseconds;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fusion {(fusion ? "on " : "off")}: best {times.Min():F1} ms, median {times.Order().ElementAt(2):F1} ms of {times.Length} runs"));
        }

        return 0;
    }
}
