using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace Quickstart;

/// <summary>Descriptive statistics of the latencies.</summary>
public sealed record Summary(int Count, double Mean, double StdDev, double Min, double Median, double P95, double Max);

/// <summary>Counts per bin of equal width, starting at <see cref="Start"/>.</summary>
public sealed record Bins(double Start, double Width, int[] Counts);

/// <summary>
/// A latency report over a CSV of requests (<c>endpoint,latency_ms</c>). The generator turns this class into a
/// static DAG: Fetch → Parse, then Summarize and Histogram side by side (a diamond closed by Render), with Outliers
/// depending on both Parse and Summarize.
/// </summary>
[Pipeline]
public static partial class Report
{
    /// <summary>Reads the CSV behind a <c>file://</c> URI without blocking a thread.</summary>
    [Task(Cost = 5)]
    public static async Task<string> Fetch(Uri source, CancellationToken ct)
    {
        if (!source.IsFile)
        {
            throw new NotSupportedException($"Only file:// sources are supported, not '{source.Scheme}'.");
        }

        return await File.ReadAllTextAsync(source.LocalPath, ct).ConfigureAwait(false);
    }

    /// <summary>Parses the latency column; the header line is skipped.</summary>
    [Task(Cost = 3)]
    public static double[] Parse(string fetch) =>
        fetch.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Skip(1)
            .Select(line => double.Parse(line[(line.IndexOf(',') + 1)..], CultureInfo.InvariantCulture))
            .ToArray();

    [Task(Cost = 2)]
    public static Summary Summarize(double[] parse)
    {
        double[] sorted = parse.Order().ToArray();
        double mean = sorted.Average();
        double variance = sorted.Sum(x => (x - mean) * (x - mean)) / sorted.Length;
        return new Summary(
            sorted.Length, mean, Math.Sqrt(variance), sorted[0], Percentile(sorted, 0.50), Percentile(sorted, 0.95), sorted[^1]);
    }

    /// <summary>Bins the latencies between the 1st and 99th percentile; <paramref name="bins"/> is a pipeline input.</summary>
    [Task(Cost = 2)]
    public static Bins Histogram(double[] parse, int bins)
    {
        double[] sorted = parse.Order().ToArray();
        double start = Percentile(sorted, 0.01);
        double width = (Percentile(sorted, 0.99) - start) / bins;
        var counts = new int[bins];
        foreach (double value in parse)
        {
            counts[Math.Clamp((int)((value - start) / width), 0, bins - 1)]++;
        }

        return new Bins(start, width, counts);
    }

    /// <summary>Latencies more than three standard deviations above the mean.</summary>
    [Task]
    public static double[] Outliers(double[] parse, Summary summarize) =>
        parse.Where(x => x > summarize.Mean + 3 * summarize.StdDev).Order().ToArray();

    [Task]
    public static string Render(Summary summarize, Bins histogram, double[] outliers)
    {
        var text = new StringBuilder();
        Summary s = summarize;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{s.Count} requests: mean {s.Mean:F1} ms, sd {s.StdDev:F1}, min {s.Min:F1}, median {s.Median:F1}, p95 {s.P95:F1}, max {s.Max:F1}");
        int widest = histogram.Counts.Max();
        for (int i = 0; i < histogram.Counts.Length; i++)
        {
            double from = histogram.Start + i * histogram.Width;
            string bar = new('#', (int)Math.Round(40.0 * histogram.Counts[i] / widest));
            text.AppendLine(CultureInfo.InvariantCulture, $"{from,8:F1} ms | {bar} {histogram.Counts[i]}");
        }

        text.Append(CultureInfo.InvariantCulture,
            $"{outliers.Length} outliers above {s.Mean + 3 * s.StdDev:F1} ms: {string.Join(", ", outliers.Select(o => o.ToString("F0", CultureInfo.InvariantCulture)))}");
        return text.ToString();
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Round(p * (sorted.Length - 1))];
}
