using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

[Pipeline]
public static partial class PerRunArithmetic
{
    [Task] public static async Task<long> Square(long x) { await Task.Yield(); return x * x; }
    [Task] public static long Triple(long x) => 3 * x;
    [Task] public static async ValueTask<long> Offset(long triple, long salt) { await Task.Delay(1); return triple + salt; }
    [Task] public static string Describe(long square, long offset, long salt) => $"{salt}:{square + offset}";
}

public class ConcurrentRunTests
{
    [Fact]
    public async Task A_thousand_concurrent_runs_each_produce_their_own_result()
    {
        Task<string>[] runs = Enumerable.Range(0, 1000)
            .Select(i => PerRunArithmetic.RunAsync(x: i, salt: 7L * i, new KilnOptions { MaxDegreeOfParallelism = 1 + (i % 4) }))
            .ToArray();

        string[] results = await Task.WhenAll(runs).WaitAsync(System.TimeSpan.FromMinutes(1));

        for (long i = 0; i < results.Length; i++)
        {
            Assert.Equal($"{7 * i}:{(i * i) + (3 * i) + (7 * i)}", results[i]);
        }
    }

    [Fact]
    public async Task Concurrent_runs_started_from_many_threads_each_produce_their_own_result()
    {
        Task<string>[] runs = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => PerRunArithmetic.RunAsync(x: i, salt: 1)))
            .ToArray();

        string[] results = await Task.WhenAll(runs).WaitAsync(System.TimeSpan.FromMinutes(1));

        for (long i = 0; i < results.Length; i++)
        {
            Assert.Equal($"1:{(i * i) + (3 * i) + 1}", results[i]);
        }
    }
}
