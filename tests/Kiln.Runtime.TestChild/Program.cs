using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Kiln;
using Kiln.Runtime.TestChild;

// A fresh process for Kiln.Runtime.Tests.
// Usage: Kiln.Runtime.TestChild activity-gate <runs> [progress]
//   Runs GateProbe <runs> times unobserved (or, with "progress", observed by a progress reporter only), pauses (tiered compilation recompiles the hot methods meanwhile; run it
//   with DOTNET_TC_CallCountingDelayMs=0 so that it does so early) and runs it <runs> times more. Prints
//   "loaded <True|False>": whether System.Diagnostics.DiagnosticSource was loaded by then. Then starts an
//   ActivityListener for the Kiln source, runs once more and prints "spans <names>", the distinct span names.
if (args.Length is < 2 or > 3 || args[0] != "activity-gate" || (args.Length == 3 && args[2] != "progress"))
{
    Console.Error.WriteLine("usage: Kiln.Runtime.TestChild activity-gate <runs> [progress]");
    return 2;
}

const int Count = 8;
int expected = Enumerable.Range(1, Count).Sum(i => i * i) - (Count * Count);
int runs = int.Parse(args[1], CultureInfo.InvariantCulture);
var reports = new CountingProgress();
KilnOptions? options = args.Length == 3 ? new KilnOptions { Progress = reports } : null;
for (int round = 0; round < 2; round++)
{
    for (int i = 0; i < runs; i++)
    {
        int result = GateProbe.RunAsync(Count, options).GetAwaiter().GetResult();
        if (result != expected)
        {
            Console.Error.WriteLine($"run {i} returned {result}, not {expected}");
            return 1;
        }
    }

    Thread.Sleep(500);
}

if (options is not null && reports.Count != 2 * runs * 5)
{
    Console.Error.WriteLine($"{reports.Count} progress reports, not {2 * runs * 5} (5 nodes a run)");
    return 1;
}

bool loaded = AppDomain.CurrentDomain.GetAssemblies()
    .Any(a => a.GetName().Name == "System.Diagnostics.DiagnosticSource");
Console.WriteLine("loaded " + loaded);
Console.WriteLine("spans " + Listening.RunOnce(Count, expected));
return 0;

/// <summary>Counts reports, on the reporting thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class CountingProgress : IProgress<PipelineProgress>
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Report(PipelineProgress value) => Interlocked.Increment(ref _count);
}
