using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Maps;

/// <summary>
/// What each item of a scripted map does: how many of its first attempts fail, how long each attempt takes, and
/// whether an attempt ignores its token. Counts attempts and what runs at once, so a test can check that nothing is
/// left running and that concurrency stayed within bounds.
/// </summary>
public sealed class MapScript
{
    private readonly int[] _attempts;
    private int _running;
    private int _maxRunning;

    public MapScript(int count, Func<int, int> failures, Func<int, int>? delayMs = null)
    {
        Failures = Enumerable.Range(0, count).Select(failures).ToArray();
        DelayMs = Enumerable.Range(0, count).Select(delayMs ?? (_ => 0)).ToArray();
        _attempts = new int[count];
    }

    public int[] Failures { get; }

    public int[] DelayMs { get; }

    public int Running => Volatile.Read(ref _running);

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public int AttemptsOf(int item) => Volatile.Read(ref _attempts[item]);

    public async Task<long> RunAsync(int value, int index, CancellationToken token)
    {
        int attempt = Interlocked.Increment(ref _attempts[index]);
        int running = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < running && Interlocked.CompareExchange(ref _maxRunning, running, seen) != seen)
        {
        }

        try
        {
            if (DelayMs[index] > 0)
            {
                await Task.Delay(DelayMs[index], token);
            }
            else
            {
                await Task.Yield();
            }

            if (attempt <= Failures[index])
            {
                throw new ScriptedFailure(index, attempt);
            }

            return Expected(value, index);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>The plain reference: what item <paramref name="index"/> of value <paramref name="value"/> yields.</summary>
    public static long Expected(int value, int index) => ((long)value * value) + index;
}

public sealed class ScriptedFailure(int item, int attempt) : Exception($"item {item} failed on attempt {attempt}")
{
    public int Item { get; } = item;
}

[Pipeline]
public static partial class ScriptedMap
{
    [Task]
    public static int[] Values(int count) => Enumerable.Range(0, count).Select(i => (i * 7) % 11).ToArray();

    [Map(MaxConcurrency = 3, Retries = 2)]
    public static Task<long> Work(int values, [Index] int index, MapScript script, CancellationToken ct) => script.RunAsync(values, index, ct);
}

[Pipeline]
public static partial class PlainMap
{
    [Task]
    public static int[] Values(int count) => Enumerable.Range(0, count).Select(i => (i * 7) % 11).ToArray();

    [Map(MaxConcurrency = 4), Output]
    public static Task<long> Work(int values, [Index] int index, MapScript script, CancellationToken ct) => script.RunAsync(values, index, ct);

    [Task]
    public static long Total(long[] work) => work.Sum();
}

[Pipeline]
public static partial class ListMap
{
    [Task]
    public static List<string> Words(string text) => text.Split(' ').ToList();

    [Map]
    public static int Length(string words) => words.Length;

    [Map(MaxConcurrency = 2)]
    public static ValueTask<string> Tag(string words, [Index] int at, string prefix) => new($"{prefix}{at}:{words}");
}

[Pipeline]
public static partial class VoidMap
{
    [Task]
    public static IReadOnlyList<int> Items(int count) => Enumerable.Range(1, count).ToArray();

    [Map(MaxConcurrency = 2)]
    public static async Task Record(int items, Sink sink)
    {
        await Task.Yield();
        sink.Add(items);
    }

    [Map]
    public static void Negate(int items, Sink sink) => sink.Add(-items);
}

public sealed class Sink
{
    private readonly System.Collections.Concurrent.ConcurrentBag<int> _values = new();

    public void Add(int value) => _values.Add(value);

    public int[] Sorted() => _values.OrderBy(v => v).ToArray();
}

[Pipeline]
public static partial class TimedMap
{
    [Task]
    public static int[] Values(int count) => Enumerable.Range(0, count).ToArray();

    [Map(MaxConcurrency = 8, TimeoutMs = 100)]
    public static Task<long> Work(int values, [Index] int index, MapScript script, CancellationToken ct) => script.RunAsync(values, index, ct);
}

/// <summary>A task that fails its first attempts, for retries and timeouts on plain tasks.</summary>
public sealed class FlakyCall(int failFirst, int delayMs = 0, bool ignoreToken = false)
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public async Task<string> CallAsync(CancellationToken token)
    {
        int attempt = Interlocked.Increment(ref _attempts);
        if (delayMs > 0)
        {
            await Task.Delay(delayMs, ignoreToken ? CancellationToken.None : token);
        }

        if (attempt <= failFirst)
        {
            throw new InvalidOperationException("transient " + attempt);
        }

        return "ok after " + attempt;
    }
}

[Pipeline]
public static partial class RetriedTask
{
    [Task(Retries = 3)]
    public static Task<string> Call(FlakyCall flaky, CancellationToken ct) => flaky.CallAsync(ct);
}

[Pipeline]
public static partial class TimedTask
{
    [Task(TimeoutMs = 50, Retries = 1)]
    public static Task<string> Call(FlakyCall flaky, CancellationToken ct) => flaky.CallAsync(ct);
}

[Pipeline]
public static partial class RetriedVoidTask
{
    [Task(Retries = 2)]
    public static void Call(FlakyCall flaky) => flaky.CallAsync(CancellationToken.None).GetAwaiter().GetResult();

    [Task(Retries = 1)]
    public static int Other(int seed) => seed + 1;
}
