using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using LogStream;

// Usage: LogStream [uncompressed size, e.g. 1GB, 200MB, 5000000]. Defaults to 1 GB.
long size = args.Length > 0 ? ParseSize(args[0]) : 1L << 30;
var meter = new Meter();
var clock = Stopwatch.StartNew();
using var progress = new Timer(_ => Report(meter.Bytes, clock.Elapsed, final: false), null, 500, 500);

string report = await LogPipeline.RunAsync(size, meter);

progress.Change(Timeout.Infinite, Timeout.Infinite);
Report(meter.Bytes, clock.Elapsed, final: true);
Console.WriteLine(report);
Console.WriteLine($"peak working set {Environment.WorkingSet / (1024 * 1024)} MB (process), GC heap {GC.GetTotalMemory(false) / (1024 * 1024)} MB");

static void Report(long bytes, TimeSpan elapsed, bool final)
{
    double mb = bytes / (1024.0 * 1024.0);
    string line = $"\r{mb,10:F1} MB inflated and parsed, {mb / Math.Max(elapsed.TotalSeconds, 1e-3),8:F1} MB/s";
    Console.Write(final ? line + Environment.NewLine : line);
}

static long ParseSize(string text)
{
    text = text.Trim().ToUpperInvariant();
    long unit = text.EndsWith("GB") ? 1L << 30 : text.EndsWith("MB") ? 1L << 20 : text.EndsWith("KB") ? 1L << 10 : 1;
    string digits = unit == 1 ? text : text[..^2];
    return (long)(double.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * unit);
}
