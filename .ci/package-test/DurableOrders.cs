using System.Threading;
using Kiln;

/// <summary>One order line of the durable consumer's pipeline.</summary>
public sealed record Line(int Id, decimal Amount);

/// <summary>A new user's durable pipeline: a task, a map and a total, stored as they complete.</summary>
[Pipeline(Durable = true)]
public static partial class DurableOrders
{
    public static int Priced;

    [Task] public static int[] Ids(int count) => Enumerable.Range(1, count).ToArray();

    [Map] public static Line Price(int ids) { Interlocked.Increment(ref Priced); return new Line(ids, ids * 1.5m); }

    [Task] public static decimal Total(Line[] price) => price.Sum(l => l.Amount);

    /// <summary>Runs the pipeline twice with one run id: the second run restores everything and prices nothing.</summary>
    public static async Task<string> RunTwiceAsync(IRunStore store)
    {
        var options = new KilnOptions { Store = store, RunId = "ci-" + Guid.NewGuid().ToString("N") };
        decimal first = await RunAsync(100, options);
        int pricedFirst = Priced;
        int restored = 0;
        options.Progress = new CountRestored(() => Interlocked.Increment(ref restored));
        decimal second = await RunAsync(100, options);
        await store.DeleteAsync(typeof(DurableOrders).FullName!, options.RunId);
        return $"durable: total={first.ToString(System.Globalization.CultureInfo.InvariantCulture)} again={second.ToString(System.Globalization.CultureInfo.InvariantCulture)} priced={pricedFirst} then {Priced - pricedFirst} restored={restored}";
    }

    private sealed class CountRestored(Action restored) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
            if (value.Restored)
            {
                restored();
            }
        }
    }
}
