using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Stores.CrashChild;

/// <summary>
/// The durable pipeline the pipeline crash test kills and resumes: a plan, a map of a few hundred short asynchronous
/// items, two reductions of the map, a report and a void audit. Each node (each item) prints "ran &lt;node&gt;" as it
/// starts when <see cref="CrashLog.Enabled"/>, so the test sees what a resumed process ran again.
/// </summary>
[Pipeline(Durable = true)]
public static partial class CrashIngest
{
    [Task]
    public static int[] Plan(int count, int seed)
    {
        CrashLog.Ran(nameof(Plan));
        return Enumerable.Range(0, count).Select(i => (i * 7919 + seed) % 1000).ToArray();
    }

    [Map(MaxConcurrency = 4)]
    public static async Task<long> Work(int plan, [Index] int index, CancellationToken cancellationToken)
    {
        CrashLog.Ran($"Work[{index}]");
        await Task.Delay(1 + plan % 3, cancellationToken);
        return (long)plan * plan + index;
    }

    [Task]
    public static long Sum(long[] work)
    {
        CrashLog.Ran(nameof(Sum));
        Thread.Sleep(5);
        return work.Sum();
    }

    [Task]
    public static long Max(long[] work)
    {
        CrashLog.Ran(nameof(Max));
        return work.Length == 0 ? 0 : work.Max();
    }

    [Task, Output]
    public static string Report(long sum, long max, int seed)
    {
        CrashLog.Ran(nameof(Report));
        return $"{seed}:{sum}:{max}";
    }

    [Task]
    public static void Audit(string report) => CrashLog.Ran(nameof(Audit));
}

/// <summary>Where <see cref="CrashIngest"/>'s nodes say that they run.</summary>
public static class CrashLog
{
    /// <summary>Whether nodes print; only the child process turns it on.</summary>
    public static bool Enabled { get; set; }

    public static void Ran(string node)
    {
        if (Enabled)
        {
            Console.Out.WriteLine("ran " + node);
        }
    }
}
