using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Kiln.Runtime.Tests.Support;

/// <summary>
/// Per-run log of node starts and ends, passed to a pipeline as an input so that tests running in parallel never
/// share state. Every event gets a global sequence number, so "A ended before B started" is a comparison.
/// </summary>
public sealed class Recorder
{
    private readonly ConcurrentQueue<(string Node, bool IsStart, long Sequence)> _events = new();
    private long _sequence;
    private int _running;
    private int _maxRunning;

    public void Start(string node)
    {
        _events.Enqueue((node, true, Interlocked.Increment(ref _sequence)));
        int running = Interlocked.Increment(ref _running);
        int seen;
        while (running > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, seen) != seen)
        {
        }
    }

    public void End(string node)
    {
        Interlocked.Decrement(ref _running);
        _events.Enqueue((node, false, Interlocked.Increment(ref _sequence)));
    }

    /// <summary>The most nodes that were between <see cref="Start"/> and <see cref="End"/> at one time.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    /// <summary>Nodes currently between <see cref="Start"/> and <see cref="End"/>.</summary>
    public int Running => Volatile.Read(ref _running);

    public IReadOnlyList<string> Started => _events.Where(e => e.IsStart).OrderBy(e => e.Sequence).Select(e => e.Node).ToList();

    public IReadOnlyList<string> Ended => _events.Where(e => !e.IsStart).OrderBy(e => e.Sequence).Select(e => e.Node).ToList();

    public long StartOf(string node) => _events.Single(e => e.IsStart && e.Node == node).Sequence;

    public long EndOf(string node) => _events.Single(e => !e.IsStart && e.Node == node).Sequence;

    public bool HasStarted(string node) => _events.Any(e => e.IsStart && e.Node == node);
}
