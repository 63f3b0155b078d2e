using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Kiln.Benchmarks;

// A map over N items whose work is one Task.Yield: what is measured is the cost of running an item, not the item.
[Pipeline]
public static partial class YieldMap
{
    [Task] public static int[] Items(int[] values) => values;

    [Map(MaxConcurrency = MapBenchmarks.Concurrency)]
    public static Task<int> Step(int items) => MapWork.YieldAsync(items);
}

// The same over items that complete at once (a cache hit): the runner's own cost per item.
[Pipeline]
public static partial class CompletedMap
{
    [Task] public static int[] Items(int[] values) => values;

    [Map(MaxConcurrency = MapBenchmarks.Concurrency)]
    public static ValueTask<int> Step(int items) => MapWork.Completed(items);
}

public static class MapWork
{
    public static async Task<int> YieldAsync(int value)
    {
        await Task.Yield();
        return value + 1;
    }

    public static ValueTask<int> Completed(int value) => new(value + 1);
}

/// <summary>
/// A <c>[Map]</c> against <c>Parallel.ForEachAsync</c> and <c>SemaphoreSlim</c> + <c>Task.WhenAll</c> at the same
/// concurrency, over the same items, writing outputs in item order. Per item (OperationsPerInvoke):
/// <c>dotnet bin/Release/net10.0/Kiln.Benchmarks.dll --filter '*MapBenchmarks*' --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class MapBenchmarks
{
    public const int Concurrency = 16;
    private const int Items = 10_000;

    private readonly int[] _values = new int[Items];
    private readonly ParallelOptions _parallel = new() { MaxDegreeOfParallelism = Concurrency };

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Items; i++)
        {
            _values[i] = i;
        }
    }

    [Benchmark(Description = "Task.Yield items, Kiln [Map]", OperationsPerInvoke = Items)]
    public Task<int[]> YieldKiln() => YieldMap.RunAsync(_values);

    [Benchmark(Description = "Task.Yield items, Parallel.ForEachAsync", OperationsPerInvoke = Items)]
    public Task<int[]> YieldParallel() => ParallelForEach(static v => new ValueTask<int>(MapWork.YieldAsync(v)));

    [Benchmark(Description = "Task.Yield items, SemaphoreSlim + WhenAll", OperationsPerInvoke = Items)]
    public Task<int[]> YieldSemaphore() => SemaphoreWhenAll(static v => new ValueTask<int>(MapWork.YieldAsync(v)));

    [Benchmark(Description = "completed items, Kiln [Map]", OperationsPerInvoke = Items)]
    public Task<int[]> CompletedKiln() => CompletedMap.RunAsync(_values);

    [Benchmark(Description = "completed items, Parallel.ForEachAsync", OperationsPerInvoke = Items)]
    public Task<int[]> CompletedParallel() => ParallelForEach(MapWork.Completed);

    [Benchmark(Description = "completed items, SemaphoreSlim + WhenAll", OperationsPerInvoke = Items)]
    public Task<int[]> CompletedSemaphore() => SemaphoreWhenAll(MapWork.Completed);

    private async Task<int[]> ParallelForEach(Func<int, ValueTask<int>> item)
    {
        int[] values = _values;
        var results = new int[values.Length];
        await Parallel.ForEachAsync(
            System.Linq.Enumerable.Range(0, values.Length),
            _parallel,
            async (i, _) => results[i] = await item(values[i]));
        return results;
    }

    private async Task<int[]> SemaphoreWhenAll(Func<int, ValueTask<int>> item)
    {
        int[] values = _values;
        var results = new int[values.Length];
        using var gate = new SemaphoreSlim(Concurrency);
        var tasks = new Task[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            tasks[i] = Run(i);
        }

        await Task.WhenAll(tasks);
        return results;

        async Task Run(int i)
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await item(values[i]);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
