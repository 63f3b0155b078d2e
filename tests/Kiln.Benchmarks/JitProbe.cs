using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Linq;

namespace Kiln.Benchmarks;

/// <summary>
/// A diagnostic for cold-start work (<c>cold-jit shape impl</c>): listens to the runtime's JIT and type-load events
/// around the first run and prints how many methods were compiled and types loaded, the time spent on each, and the
/// costliest. The listener itself slows the run; use it to see where a first run goes, not for the figures.
/// </summary>
/// <remarks>
/// The runtime hands its events to a listener on a thread of its own, later: durations are taken from the events'
/// own timestamps, and the events are read a moment after the run.
/// </remarks>
internal sealed class JitProbe : EventListener
{
    private const EventKeywords Jit = (EventKeywords)0x10;
    private const EventKeywords TypeDiagnostic = (EventKeywords)0x8000000000;

    private readonly ConcurrentDictionary<long, (long Start, string Name)> _jitting = new();
    private readonly ConcurrentDictionary<long, long> _loading = new();
    private readonly ConcurrentBag<(long Start, string Name, double Ms)> _compiled = new();
    private readonly ConcurrentBag<(long Start, string Name, double Ms)> _loaded = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, Jit | TypeDiagnostic);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is null)
        {
            return;
        }

        long at = e.TimeStamp.Ticks;
        switch (e.EventName)
        {
            case "MethodJittingStarted_V1":
                _jitting[Id(e)] = (at, $"{e.Payload[4]}::{e.Payload[5]}");
                break;
            case "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" when _jitting.TryRemove(Id(e), out var jit):
                _compiled.Add((jit.Start, jit.Name, (at - jit.Start) / (double)TimeSpan.TicksPerMillisecond));
                break;
            case "TypeLoadStart":
                _loading[Id(e)] = at;
                break;
            case "TypeLoadStop" when _loading.TryRemove(Id(e), out long start):
                _loaded.Add((start, Convert.ToString(e.Payload[4], CultureInfo.InvariantCulture) ?? "?", (at - start) / (double)TimeSpan.TicksPerMillisecond));
                break;
        }
    }

    private static long Id(EventWrittenEventArgs e) => Convert.ToInt64(e.Payload![0], CultureInfo.InvariantCulture);

    public static int Run(string[] args, Action firstRun)
    {
        using var probe = new JitProbe();
        System.Threading.Thread.Sleep(300);
        long from = DateTime.Now.Ticks;
        long begin = Stopwatch.GetTimestamp();
        firstRun();
        double ms = (Stopwatch.GetTimestamp() - begin) * 1000.0 / Stopwatch.Frequency;
        long to = DateTime.Now.Ticks;
        System.Threading.Thread.Sleep(1500);

        List<(long Start, string Name, double Ms)> compiled = probe._compiled.Where(c => c.Start >= from && c.Start <= to).ToList();
        List<(long Start, string Name, double Ms)> loaded = probe._loaded.Where(c => c.Start >= from && c.Start <= to).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[1]} {args[2]}: first run {ms:F1} ms (with listener); {compiled.Count} methods compiled, {compiled.Sum(c => c.Ms):F1} ms in the JIT; {loaded.Count} types loaded, {loaded.Sum(c => c.Ms):F1} ms (nested loads counted twice)"));
        foreach (var group in compiled.GroupBy(c => c.Name.Split("::")[0]).OrderByDescending(g => g.Sum(c => c.Ms)).Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key}: {group.Count()} methods, {group.Sum(c => c.Ms):F1} ms"));
        }

        foreach (var c in compiled.OrderByDescending(c => c.Ms).Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {c.Ms,7:F2} ms {c.Name}"));
        }

        foreach (var c in loaded.OrderByDescending(c => c.Ms).Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {c.Ms,7:F2} ms type {c.Name}"));
        }

        return 0;
    }
}
