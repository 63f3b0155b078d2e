using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

public sealed class CancellationGates
{
    public ManualResetEventSlim WaiterStarted { get; } = new();
    public ManualResetEventSlim BlockerStarted { get; } = new();
    public ManualResetEventSlim ReleaseBlocker { get; } = new();
}

[Pipeline]
public static partial class CancelledByTheCaller
{
    [Task]
    public static async Task<int> Waiter(Recorder recorder, CancellationGates gates, CancellationToken ct)
    {
        recorder.Start(nameof(Waiter));
        try
        {
            gates.WaiterStarted.Set();
            await Task.Delay(Rendezvous.Patience, ct);
            return 1;
        }
        finally
        {
            recorder.End(nameof(Waiter));
        }
    }

    [Task]
    public static int Blocker(Recorder recorder, CancellationGates gates)
    {
        recorder.Start(nameof(Blocker));
        gates.BlockerStarted.Set();
        gates.ReleaseBlocker.Wait(Rendezvous.Patience);
        recorder.End(nameof(Blocker));
        return 2;
    }

    [Task] public static int Later(Recorder recorder, int waiter, int blocker) { recorder.Start(nameof(Later)); return waiter + blocker; }
}

[Pipeline]
public static partial class NeverStarted
{
    [Task] public static int Only(Recorder recorder) { recorder.Start(nameof(Only)); return 1; }
    [Task] public static int Next(Recorder recorder, int only) { recorder.Start(nameof(Next)); return only; }
}

public class CancellationTests
{
    private sealed record Outcome(Exception? Error, Recorder Recorder, bool CompletedWhileBlockerRan);

    private static async Task<Outcome> CancelWhileNodesRun()
    {
        var recorder = new Recorder();
        var gates = new CancellationGates();
        using var cancellation = new CancellationTokenSource();
        Task run = Task.Run(() => CancelledByTheCaller.RunAsync(recorder, gates, new KilnOptions { MaxDegreeOfParallelism = 2 }, cancellation.Token));
        Assert.True(gates.WaiterStarted.Wait(Rendezvous.Patience));
        Assert.True(gates.BlockerStarted.Wait(Rendezvous.Patience));

        cancellation.Cancel();

        // The waiter has observed the cancellation; the blocker has not and still runs.
        await WaitUntil(() => recorder.Ended.Contains("Waiter"));
        bool completedEarly = run.IsCompleted;
        gates.ReleaseBlocker.Set();
        Exception? error = await Record.ExceptionAsync(() => run.WaitAsync(Rendezvous.Patience));
        return new Outcome(error, recorder, completedEarly);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(Rendezvous.Patience);
        while (!condition())
        {
            await Task.Delay(5, patience.Token);
        }
    }

    [Fact]
    public async Task Cancelling_the_callers_token_makes_RunAsync_throw_OperationCanceledException()
    {
        Outcome outcome = await CancelWhileNodesRun();

        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error);
    }

    [Fact]
    public async Task A_cancelled_run_starts_no_further_node()
    {
        Outcome outcome = await CancelWhileNodesRun();

        Assert.False(outcome.Recorder.HasStarted("Later"));
    }

    [Fact]
    public async Task A_cancelled_run_completes_only_once_no_node_is_running()
    {
        Outcome outcome = await CancelWhileNodesRun();

        Assert.False(outcome.CompletedWhileBlockerRan);
        Assert.Equal(0, outcome.Recorder.Running);
        Assert.Equal(new[] { "Blocker", "Waiter" }, System.Linq.Enumerable.OrderBy(outcome.Recorder.Ended, n => n, StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_already_cancelled_token_cancels_the_run_before_any_node_starts()
    {
        var recorder = new Recorder();

        Task<int> run = NeverStarted.RunAsync(recorder, cancellationToken: new CancellationToken(canceled: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(run.IsCanceled);
        Assert.Empty(recorder.Started);
    }
}
