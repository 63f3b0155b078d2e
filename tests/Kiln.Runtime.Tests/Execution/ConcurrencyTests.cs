using System.Threading;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

[Pipeline]
public static partial class TwoBlockingNodes
{
    [Task] public static int Left(Rendezvous rendezvous) { rendezvous.ArriveLeftAndBlock(); return 1; }
    [Task] public static int Right(Rendezvous rendezvous) { rendezvous.ArriveRightAndBlock(); return 2; }
}

[Pipeline]
public static partial class TwoAwaitingNodes
{
    [Task] public static async Task<int> Left(Rendezvous rendezvous) { await rendezvous.ArriveLeftAsync(); return 1; }
    [Task] public static async ValueTask<int> Right(Rendezvous rendezvous) { await rendezvous.ArriveRightAsync(); return 2; }
}

[Pipeline]
public static partial class BlockingNodesBehindACommonSource
{
    [Task] public static int Source() => 10;
    [Task] public static int Left(Rendezvous rendezvous, int source) { rendezvous.ArriveLeftAndBlock(); return source + 1; }
    [Task] public static int Right(Rendezvous rendezvous, int source) { rendezvous.ArriveRightAndBlock(); return source + 2; }
}

[Pipeline]
public static partial class AwaitingNodesUnderOneThread
{
    [Task] public static async Task<int> Left(Rendezvous rendezvous) { await rendezvous.ArriveLeftAsync(); return 1; }
    [Task] public static async Task<int> Right(Rendezvous rendezvous) { await rendezvous.ArriveRightAsync(); return 2; }
}

[Pipeline]
public static partial class ManySyncNodes
{
    [Task] public static int A(Recorder recorder) => Work(recorder, nameof(A));
    [Task] public static int B(Recorder recorder) => Work(recorder, nameof(B));
    [Task] public static int C(Recorder recorder) => Work(recorder, nameof(C));
    [Task] public static int D(Recorder recorder) => Work(recorder, nameof(D));
    [Task] public static int E(Recorder recorder, int a, int b) => Work(recorder, nameof(E));
    [Task] public static int F(Recorder recorder, int c, int d) => Work(recorder, nameof(F));
    [Task] public static int G(Recorder recorder, int a) => Work(recorder, nameof(G));
    [Task] public static int H(Recorder recorder, int d) => Work(recorder, nameof(H));
    [Task] public static int Sum(Recorder recorder, int e, int f, int g, int h) => Work(recorder, nameof(Sum));

    private static int Work(Recorder recorder, string node)
    {
        recorder.Start(node);

        // Give another worker, if there were one, every chance to start a node meanwhile.
        Thread.Yield();
        Thread.SpinWait(2000);
        recorder.End(node);
        return 1;
    }
}

public class ConcurrencyTests
{
    [Fact]
    public async Task Independent_sync_nodes_run_at_the_same_time()
    {
        var result = await TwoBlockingNodes.RunAsync(new Rendezvous(), new KilnOptions { MaxDegreeOfParallelism = 2 });

        Assert.Equal((1, 2), (result.Left, result.Right));
    }

    [Fact]
    public async Task Independent_async_nodes_run_at_the_same_time()
    {
        var result = await TwoAwaitingNodes.RunAsync(new Rendezvous(), new KilnOptions { MaxDegreeOfParallelism = 2 });

        Assert.Equal((1, 2), (result.Left, result.Right));
    }

    [Fact]
    public async Task Successors_released_by_one_node_run_at_the_same_time()
    {
        var result = await BlockingNodesBehindACommonSource.RunAsync(new Rendezvous(), new KilnOptions { MaxDegreeOfParallelism = 2 });

        Assert.Equal((11, 12), (result.Left, result.Right));
    }

    [Fact]
    public async Task Awaiting_async_nodes_hold_no_thread_so_they_overlap_even_with_parallelism_one()
    {
        var result = await AwaitingNodesUnderOneThread.RunAsync(new Rendezvous(), new KilnOptions { MaxDegreeOfParallelism = 1 });

        Assert.Equal((1, 2), (result.Left, result.Right));
    }

    [Fact]
    public async Task MaxDegreeOfParallelism_one_never_runs_two_sync_nodes_at_once()
    {
        for (int run = 0; run < 100; run++)
        {
            var recorder = new Recorder();

            await ManySyncNodes.RunAsync(recorder, new KilnOptions { MaxDegreeOfParallelism = 1 });

            Assert.Equal(1, recorder.MaxRunning);
            Assert.Equal(9, recorder.Ended.Count);
        }
    }

    [Fact]
    public async Task MaxDegreeOfParallelism_two_never_runs_three_sync_nodes_at_once()
    {
        for (int run = 0; run < 100; run++)
        {
            var recorder = new Recorder();

            await ManySyncNodes.RunAsync(recorder, new KilnOptions { MaxDegreeOfParallelism = 2 });

            Assert.InRange(recorder.MaxRunning, 1, 2);
        }
    }
}
