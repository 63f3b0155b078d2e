using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Linq;

namespace Kiln.Benchmarks;

/// <summary>
/// A diagnostic for cold-start work (<c>cold-jit shape impl</c>): listens to the runtime's JIT events around the
/// first run and prints how many methods were compiled, the time spent compiling, and the costliest methods.
/// The listener itself slows the run; use it to see where a first run goes, not for the figures.
/// </summary>
internal sealed class JitProbe : EventListener
{
    private readonly ConcurrentDictionary<long, (long Start, string Name)> _started = new();
    private readonly ConcurrentBag<(string Name, double Ms)> _compiled = new();

    public bool Recording { get; set; }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Recording || e.Payload is null)
        {
            return;
        }

        if (e.EventName == "MethodJittingStarted_V1")
        {
            long id = Convert.ToInt64(e.Payload[0], CultureInfo.InvariantCulture);
            _started[id] = (Stopwatch.GetTimestamp(), $"{e.Payload[4]}::{e.Payload[5]}");
        }
        else if (e.EventName is "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2")
        {
            long id = Convert.ToInt64(e.Payload[0], CultureInfo.InvariantCulture);
            if (_started.TryRemove(id, out var start))
            {
                _compiled.Add((start.Name, (Stopwatch.GetTimestamp() - start.Start) * 1000.0 / Stopwatch.Frequency));
            }
        }
    }

    public static int Run(string[] args, Action firstRun)
    {
        using var probe = new JitProbe();
        System.Threading.Thread.Sleep(300);
        probe.Recording = true;
        long begin = Stopwatch.GetTimestamp();
        firstRun();
        double ms = (Stopwatch.GetTimestamp() - begin) * 1000.0 / Stopwatch.Frequency;
        probe.Recording = false;
        List<(string Name, double Ms)> all = probe._compiled.ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[1]} {args[2]}: first run {ms:F1} ms (with listener); {all.Count} methods compiled, {all.Sum(c => c.Ms):F1} ms in the JIT"));
        foreach (var group in all.GroupBy(c => c.Name.Split("::")[0]).OrderByDescending(g => g.Sum(c => c.Ms)).Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key}: {group.Count()} methods, {group.Sum(c => c.Ms):F1} ms"));
        }

        foreach (var c in all.OrderByDescending(c => c.Ms).Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {c.Ms,7:F2} ms {c.Name}"));
        }

        return 0;
    }
}
