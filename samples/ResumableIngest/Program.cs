using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Kiln;
using ResumableIngest;

// Usage: dotnet run --project samples/ResumableIngest [-- --dir <folder>] [--files N] [--delay ms] [--fresh]
// Kill it at any time (Ctrl+C, or kill -9 from another terminal) and run it again: it restores what completed.
string directory = Path.GetFullPath(Option("--dir") ?? Path.Combine(Path.GetTempPath(), "kiln-resumable-ingest"));
int files = int.Parse(Option("--files") ?? "200", CultureInfo.InvariantCulture);
int delay = int.Parse(Option("--delay") ?? "100", CultureInfo.InvariantCulture);
const string RunId = "batch-1";

Directory.CreateDirectory(directory);
Generate(directory, files);
await using var store = new SqliteRunStore(Path.Combine(directory, "runs.db"));
if (args.Contains("--fresh") && await store.DeleteAsync(typeof(Ingest).FullName!, RunId))
{
    Console.WriteLine($"forgot the stored run {RunId}");
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Stop the run, keep what completed: the store is flushed before RunAsync returns.
    e.Cancel = true;
    cancellation.Cancel();
};

int restored = 0;
var options = new KilnOptions
{
    Store = store,
    RunId = RunId,
    Progress = new Progress(p =>
    {
        if (p.Restored)
        {
            Interlocked.Increment(ref restored);
            Console.WriteLine($"  restored {p.Node}");
        }
        else
        {
            Console.WriteLine($"  ran      {p.Node}");
        }
    }),
};

Console.WriteLine($"ingesting {files} files in {directory} as run '{RunId}' (store: runs.db)");
var clock = System.Diagnostics.Stopwatch.StartNew();
try
{
    BatchReport report = await Ingest.RunAsync(directory, delay, options, cancellation.Token);
    Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s: {Ingest.ParsedHere} files parsed here, {files - Ingest.ParsedHere} restored from the store");
    Console.WriteLine($"report: {report.Files} files, {report.Orders} orders, {report.Amount.ToString("F2", CultureInfo.InvariantCulture)} total, "
        + $"top customer {report.TopCustomer}, digest {report.Digest}");
}
catch (OperationCanceledException)
{
    Console.WriteLine($"cancelled after {clock.Elapsed.TotalSeconds:F1} s with {Ingest.ParsedHere} files parsed; run it again to resume");
    Environment.ExitCode = 130;
}

string? Option(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

// The batch: orders-0000.csv ... with lines "customer,amount", the same every time for the same count.
static void Generate(string directory, int count)
{
    for (int i = 0; i < count; i++)
    {
        string path = Path.Combine(directory, $"orders-{i:D4}.csv");
        if (File.Exists(path))
        {
            continue;
        }

        var random = new Random(i);
        var lines = Enumerable.Range(0, 20 + random.Next(80)).Select(_ =>
            $"customer{random.Next(30):D2},{(random.Next(100, 100_000) / 100m).ToString(CultureInfo.InvariantCulture)}");
        File.WriteAllLines(path, lines);
    }
}

/// <summary>Reports on the thread that reports, so lines print in order.</summary>
sealed class Progress(Action<PipelineProgress> report) : IProgress<PipelineProgress>
{
    public void Report(PipelineProgress value) => report(value);
}
