using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Durability;

/// <summary>One parsed document of <see cref="DurableIngest"/>.</summary>
public sealed record Doc(string Name, int Words, double Score);

/// <summary>What <see cref="DurableIngest"/> returns besides its alert.</summary>
public sealed record Summary(int Documents, long Words, string Longest);

/// <summary>
/// Which node ran how often in which test run (keyed by the pipeline input <c>key</c>, so tests run in parallel), and
/// where a run must fail: the stand-in for a crash that a test removes before resuming.
/// </summary>
public static class Ledger
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> s_ran = new();
    private static readonly ConcurrentDictionary<string, string> s_failAt = new();

    public static void Ran(string key, string node)
    {
        s_ran.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(node);
        if (s_failAt.TryGetValue(key, out string? fail) && fail == node)
        {
            throw new InvalidOperationException($"injected failure at {node}");
        }
    }

    public static IReadOnlyList<string> RanIn(string key) => s_ran.TryGetValue(key, out var ran) ? ran.ToList() : new List<string>();

    public static void FailAt(string key, string? node)
    {
        if (node is null)
        {
            s_failAt.TryRemove(key, out _);
        }
        else
        {
            s_failAt[key] = node;
        }
    }
}

/// <summary>A durable pipeline with a task, a map, an async task, a void task, a condition and a skippable sink.</summary>
[Pipeline(Durable = true)]
public static partial class DurableIngest
{
    [Task]
    public static int[] Sizes(string key, int count)
    {
        Ledger.Ran(key, nameof(Sizes));
        return Enumerable.Range(1, count).Select(i => (i * 37 % 23) + 1).ToArray();
    }

    [Map(MaxConcurrency = 3)]
    public static Doc Parse(int sizes, [Index] int index, string key)
    {
        Ledger.Ran(key, $"Parse[{index}]");
        return new Doc($"doc{index}", sizes * 7, sizes / 3.0);
    }

    [Task]
    public static async Task<long> Total(Doc[] parse, string key)
    {
        await Task.Yield();
        Ledger.Ran(key, nameof(Total));
        return parse.Sum(d => (long)d.Words);
    }

    [Task]
    public static Summary Summarize(Doc[] parse, long total, string key)
    {
        Ledger.Ran(key, nameof(Summarize));
        return new Summary(parse.Length, total, parse.OrderByDescending(d => d.Words).ThenBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault()?.Name ?? "none");
    }

    [Task]
    public static void Audit(long total, string key) => Ledger.Ran(key, nameof(Audit));

    [Task]
    public static bool Large(long total, int threshold) => total > threshold;

    [Task, When(nameof(Large))]
    public static string Alert(long total, string key)
    {
        Ledger.Ran(key, nameof(Alert));
        return $"large batch: {total} words";
    }
}

/// <summary>Not durable: a store is refused.</summary>
[Pipeline]
public static partial class NotDurable
{
    [Task] public static int Twice(int value) => value * 2;
}

/// <summary>
/// A durable pipeline with a fusion group (a kernel and a reduction), which is not stored and runs again when a node that
/// runs reads it, and a stage, whose return value is stored.
/// </summary>
[Pipeline(Durable = true)]
public static partial class DurableMixed
{
    [Task]
    public static float[] Samples(int count, string key)
    {
        Ledger.Ran(key, nameof(Samples));
        return Enumerable.Range(0, count).Select(i => (i % 17) / 4f).ToArray();
    }

    [Kernel] public static float Square(float samples) => samples * samples;

    [Reduce(Identity = 0)] public static float Energy(float acc, float square) => acc + square;

    [Task]
    public static byte[] Bytes(float energy, int count, string key)
    {
        Ledger.Ran(key, nameof(Bytes));
        return Enumerable.Range(0, count * 8).Select(i => (byte)((i * 31) + (int)energy)).ToArray();
    }

    [Stage]
    public static async Task<long> Sum(System.IO.Pipelines.PipeReader bytes, string key)
    {
        Ledger.Ran(key, nameof(Sum));
        long sum = 0;
        while (true)
        {
            System.IO.Pipelines.ReadResult read = await bytes.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                foreach (byte b in segment.Span)
                {
                    sum += b;
                }
            }

            bytes.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return sum;
            }
        }
    }

    [Task]
    public static string Report(long sum, float energy, string key)
    {
        Ledger.Ran(key, nameof(Report));
        return $"{sum}:{energy:R}";
    }
}

/// <summary>A durable pipeline with a group of three stages joined by pipes; two of them return values.</summary>
[Pipeline(Durable = true)]
public static partial class DurableText
{
    [Task]
    public static byte[] Text(int size, string key)
    {
        Ledger.Ran(key, nameof(Text));
        return Enumerable.Range(0, size).Select(i => (byte)(i % 7 == 0 ? '\n' : 'a' + (i % 26))).ToArray();
    }

    [Stage]
    public static async Task Upper(System.IO.Pipelines.PipeReader text, System.IO.Pipelines.PipeWriter output, string key)
    {
        Ledger.Ran(key, nameof(Upper));
        while (true)
        {
            System.IO.Pipelines.ReadResult read = await text.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                byte[] upper = segment.ToArray().Select(b => b is >= (byte)'a' and <= (byte)'z' ? (byte)(b - 32) : b).ToArray();
                await output.WriteAsync(upper);
            }

            text.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }

    [Stage] public static Task<long> Lines(System.IO.Pipelines.PipeReader upper) => Fold(upper, (n, b) => n + (b == '\n' ? 1 : 0));

    [Stage] public static Task<long> Checksum(System.IO.Pipelines.PipeReader upper) => Fold(upper, (n, b) => (n * 31) + b);

    [Task]
    public static string Summary(long lines, long checksum, string key)
    {
        Ledger.Ran(key, nameof(Summary));
        return $"{lines}:{checksum}";
    }

    private static async Task<long> Fold(System.IO.Pipelines.PipeReader reader, Func<long, byte, long> step)
    {
        long value = 0;
        while (true)
        {
            System.IO.Pipelines.ReadResult read = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                foreach (byte b in segment.Span)
                {
                    value = step(value, b);
                }
            }

            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return value;
            }
        }
    }
}
