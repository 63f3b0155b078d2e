using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Kiln.Runtime.TestChild;

// A fresh process for Kiln.Runtime.Tests.
// Usage: Kiln.Runtime.TestChild activity-gate <runs>
//   Runs GateProbe <runs> times unobserved, pauses (tiered compilation recompiles the hot methods meanwhile; run it
//   with DOTNET_TC_CallCountingDelayMs=0 so that it does so early) and runs it <runs> times more. Prints
//   "loaded <True|False>": whether System.Diagnostics.DiagnosticSource was loaded by then. Then starts an
//   ActivityListener for the Kiln source, runs once more and prints "spans <names>", the distinct span names.
if (args.Length != 2 || args[0] != "activity-gate")
{
    Console.Error.WriteLine("usage: Kiln.Runtime.TestChild activity-gate <runs>");
    return 2;
}

const int Count = 8;
int expected = Enumerable.Range(1, Count).Sum(i => i * i) - (Count * Count);
int runs = int.Parse(args[1], CultureInfo.InvariantCulture);
for (int round = 0; round < 2; round++)
{
    for (int i = 0; i < runs; i++)
    {
        int result = GateProbe.RunAsync(Count).GetAwaiter().GetResult();
        if (result != expected)
        {
            Console.Error.WriteLine($"run {i} returned {result}, not {expected}");
            return 1;
        }
    }

    Thread.Sleep(500);
}

bool loaded = AppDomain.CurrentDomain.GetAssemblies()
    .Any(a => a.GetName().Name == "System.Diagnostics.DiagnosticSource");
Console.WriteLine("loaded " + loaded);
Console.WriteLine("spans " + Listening.RunOnce(Count, expected));
return 0;
