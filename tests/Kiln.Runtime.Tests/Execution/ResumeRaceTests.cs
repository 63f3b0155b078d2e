using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

/// <summary>
/// Sixteen awaited leaves whose continuations finish on thread-pool threads and release joins while the run's few
/// worker slots come and go: the shape in which a continuation that found no free slot pushed its successor just
/// after the last worker's final look at the ready list, so the run completed without that node (fixed in 7e0b26d).
/// </summary>
[Pipeline]
public static partial class AsyncPairs
{
    [Task] public static async Task<long> L0(long seed) { await Task.Yield(); return seed + 0; }
    [Task] public static async Task<long> L1(long seed) { await Task.Yield(); return seed + 1; }
    [Task] public static async Task<long> L2(long seed) { await Task.Yield(); return seed + 2; }
    [Task] public static async Task<long> L3(long seed) { await Task.Yield(); return seed + 3; }
    [Task] public static async Task<long> L4(long seed) { await Task.Yield(); return seed + 4; }
    [Task] public static async Task<long> L5(long seed) { await Task.Yield(); return seed + 5; }
    [Task] public static async Task<long> L6(long seed) { await Task.Yield(); return seed + 6; }
    [Task] public static async Task<long> L7(long seed) { await Task.Yield(); return seed + 7; }
    [Task] public static async Task<long> L8(long seed) { await Task.Yield(); return seed + 8; }
    [Task] public static async Task<long> L9(long seed) { await Task.Yield(); return seed + 9; }
    [Task] public static async Task<long> L10(long seed) { await Task.Yield(); return seed + 10; }
    [Task] public static async Task<long> L11(long seed) { await Task.Yield(); return seed + 11; }
    [Task] public static async Task<long> L12(long seed) { await Task.Yield(); return seed + 12; }
    [Task] public static async Task<long> L13(long seed) { await Task.Yield(); return seed + 13; }
    [Task] public static async Task<long> L14(long seed) { await Task.Yield(); return seed + 14; }
    [Task] public static async Task<long> L15(long seed) { await Task.Yield(); return seed + 15; }
    [Task] public static long J0(long l0, long l1) => (l0 * 3) + l1;
    [Task] public static long J1(long l2, long l3) => (l2 * 3) + l3;
    [Task] public static long J2(long l4, long l5) => (l4 * 3) + l5;
    [Task] public static long J3(long l6, long l7) => (l6 * 3) + l7;
    [Task] public static long J4(long l8, long l9) => (l8 * 3) + l9;
    [Task] public static long J5(long l10, long l11) => (l10 * 3) + l11;
    [Task] public static long J6(long l12, long l13) => (l12 * 3) + l13;
    [Task] public static long J7(long l14, long l15) => (l14 * 3) + l15;
    [Task] public static long Total(long j0, long j1, long j2, long j3, long j4, long j5, long j6, long j7) => (j0 * 1) + (j1 * 2) + (j2 * 3) + (j3 * 4) + (j4 * 5) + (j5 * 6) + (j6 * 7) + (j7 * 8);

    /// <summary>The same arithmetic, in plain C#.</summary>
    public static long Expected(long seed)
    {
        long total = 0;
        for (int k = 0; k < 8; k++)
        {
            long join = ((seed + (2 * k)) * 3) + seed + (2 * k) + 1;
            total += join * (k + 1);
        }

        return total;
    }
}

public class ResumeRaceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_node_runs_when_awaited_continuations_release_successors_as_workers_leave(int maxDegreeOfParallelism)
    {
        var options = new KilnOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };

        // Four loops side by side, 4,000 runs each: one to three seconds in all here. With the fix taken out, three test
        // runs in four failed one of these cases (total 0: the run had ended without its sink).
        Task[] loops = Enumerable.Range(0, 4).Select(loop => Task.Run(async () =>
        {
            for (int i = 0; i < 4000; i++)
            {
                long seed = (loop * 1000) + i;
                long total = await AsyncPairs.RunAsync(seed, options);
                Assert.True(AsyncPairs.Expected(seed) == total, $"seed {seed}, MaxDegreeOfParallelism {maxDegreeOfParallelism}: total {total}, expected {AsyncPairs.Expected(seed)}");
            }
        })).ToArray();

        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromMinutes(1));
    }
}
