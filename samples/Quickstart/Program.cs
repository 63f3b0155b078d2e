using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Kiln;
using Kiln.Execution;

namespace Quickstart;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string? tracePath = null;
        int bins = 12;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--trace" when i + 1 < args.Length:
                    tracePath = args[++i];
                    break;
                case "--bins" when i + 1 < args.Length && int.TryParse(args[i + 1], out bins) && bins > 0:
                    i++;
                    break;
                default:
                    Console.Error.WriteLine("usage: Quickstart [--trace <file.json>] [--bins <n>]");
                    return 2;
            }
        }

        // What the build produced: the graph is constants the generator emitted, available without running anything.
        PipelineGraph graph = Report.Graph;
        Console.WriteLine($"== {graph}");
        Console.WriteLine(graph.ToMermaid());
        Console.WriteLine("== Waves");
        for (int w = 0; w < graph.Waves.Count; w++)
        {
            Console.WriteLine($"  {w}: {string.Join(", ", graph.Waves[w])}");
        }

        Console.WriteLine($"== Critical path: {string.Join(" → ", graph.CriticalPath)}");
        Console.WriteLine();

        string csv = Path.Combine(Path.GetTempPath(), $"kiln-quickstart-{Environment.ProcessId}.csv");
        await File.WriteAllTextAsync(csv, SampleData(rows: 2000));
        try
        {
            // Per-node times come from the "Kiln" ActivitySource: the same spans OpenTelemetry would export.
            var nodeTimes = new ConcurrentQueue<(string Node, TimeSpan Duration)>();
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == KilnActivity.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.GetTagItem("kiln.node") is string node)
                    {
                        nodeTimes.Enqueue((node, activity.Duration));
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);

            var options = new KilnOptions { TracePath = tracePath };
            var clock = Stopwatch.StartNew();
            string report = await Report.RunAsync(source: new Uri(csv), bins: bins, options);
            clock.Stop();

            Console.WriteLine("== Result");
            Console.WriteLine(report);
            Console.WriteLine();
            Console.WriteLine($"== Per-node times (run took {clock.Elapsed.TotalMilliseconds:F2} ms)");
            Dictionary<string, TimeSpan> times = nodeTimes.ToDictionary(t => t.Node, t => t.Duration);
            foreach (PipelineNode node in graph.Nodes)
            {
                string time = times.TryGetValue(node.Name, out TimeSpan d) ? $"{d.TotalMilliseconds,9:F3} ms" : "        —";
                Console.WriteLine($"  {node.Name,-10} wave {node.Wave}  {time}");
            }

            if (tracePath is not null)
            {
                Console.WriteLine(File.Exists(tracePath)
                    ? $"Trace written to {tracePath} (open it in https://ui.perfetto.dev)"
                    : $"KilnOptions.TracePath was {tracePath}, but this runtime wrote no trace there.");
            }
        }
        finally
        {
            File.Delete(csv);
        }

        return 0;
    }

    // Request latencies: mostly log-normal around 40 ms, with a few slow requests to find as outliers.
    private static string SampleData(int rows)
    {
        var random = new Random(42);
        string[] endpoints = { "/search", "/orders", "/users", "/health" };
        var csv = new StringBuilder("endpoint,latency_ms\n");
        for (int i = 0; i < rows; i++)
        {
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            double latency = Math.Exp(Math.Log(40) + 0.35 * normal);
            if (random.Next(400) == 0)
            {
                latency *= 8;
            }

            csv.Append(endpoints[random.Next(endpoints.Length)]).Append(',')
                .Append(latency.ToString("F2", CultureInfo.InvariantCulture)).Append('\n');
        }

        return csv.ToString();
    }
}
