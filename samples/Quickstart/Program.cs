using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace Quickstart;

public sealed record Summary(int Count, double Mean);

[Pipeline]
public static partial class Report
{
    [Task] public static async Task<string> Fetch(Uri source, CancellationToken ct) { await Task.Delay(10, ct); return "1,2,3,4,5,6,7,8,9,10"; }
    [Task] public static int[] Parse(string fetch) => fetch.Split(',').Select(int.Parse).ToArray();
    [Task] public static Summary Summarize(int[] parse) => new(parse.Length, parse.Average());
    [Task] public static int[] Histogram(int[] parse, int bins) => new int[bins];
    [Task] public static string Render(Summary summarize, int[] histogram) => $"{summarize} {histogram.Length}";
}

public static class Program
{
    public static async Task Main()
    {
        Console.WriteLine(Report.Graph.ToMermaid());
        Console.WriteLine(await Report.RunAsync(new Uri("file:///data.csv"), 20));
    }
}
