using System;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

public sealed class FailureGates
{
    public ManualResetEventSlim SiblingStarted { get; } = new();
    public ManualResetEventSlim SiblingSawCancellation { get; } = new();
    public ManualResetEventSlim ReleaseSibling { get; } = new();
}

// Boom fails while Sibling runs; Dependent needs Boom, AfterSibling needs Sibling.
[Pipeline]
public static partial class FailsWhileSiblingRuns
{
    [Task]
    public static int Sibling(Recorder recorder, FailureGates gates, CancellationToken ct)
    {
        recorder.Start(nameof(Sibling));
        gates.SiblingStarted.Set();
        if (ct.WaitHandle.WaitOne(Rendezvous.Patience))
        {
            gates.SiblingSawCancellation.Set();
        }

        gates.ReleaseSibling.Wait(Rendezvous.Patience);
        recorder.End(nameof(Sibling));
        return 1;
    }

    [Task]
    public static int Boom(Recorder recorder, FailureGates gates)
    {
        recorder.Start(nameof(Boom));
        gates.SiblingStarted.Wait(Rendezvous.Patience);
        throw new InvalidOperationException("boom");
    }

    [Task] public static int Dependent(Recorder recorder, int boom) { recorder.Start(nameof(Dependent)); return boom; }
    [Task] public static int AfterSibling(Recorder recorder, int sibling) { recorder.Start(nameof(AfterSibling)); return sibling; }
}

[Pipeline]
public static partial class FailsInTheMiddleOfAChain
{
    [Task] public static int One(Recorder recorder) { recorder.Start(nameof(One)); recorder.End(nameof(One)); return 1; }
    [Task] public static int Two(Recorder recorder, int one) { recorder.Start(nameof(Two)); throw new FormatException("two"); }
    [Task] public static int Three(Recorder recorder, int two) { recorder.Start(nameof(Three)); return two; }
}

[Pipeline]
public static partial class FailsAfterAwaiting
{
    [Task] public static async Task<int> Fetch() { await Task.Yield(); return 1; }
    [Task] public static async ValueTask<int> Parse(int fetch) { await Task.Delay(1); throw new ArgumentException("parse"); }
    [Task] public static int Use(Recorder recorder, int parse) { recorder.Start(nameof(Use)); return parse; }
}

[Pipeline]
public static partial class ThrowsCancellationOnItsOwn
{
    [Task] public static int Impatient() => throw new OperationCanceledException("gave up");
}

public class FailureTests
{
    private static readonly KilnOptions TwoWorkers = new() { MaxDegreeOfParallelism = 2 };

    private sealed record Outcome(Exception? Error, Recorder Recorder, bool CompletedWhileSiblingRan, bool SiblingSawCancellation);

    private static async Task<Outcome> FailWhileSiblingRuns()
    {
        var recorder = new Recorder();
        var gates = new FailureGates();

        // The caller's thread is the run's first worker: start it elsewhere so this test can steer the sibling.
        Task run = Task.Run(() => FailsWhileSiblingRuns.RunAsync(recorder, gates, TwoWorkers));
        bool sawCancellation = gates.SiblingSawCancellation.Wait(Rendezvous.Patience);
        bool completedEarly = run.IsCompleted;
        gates.ReleaseSibling.Set();
        Exception? error = await Record.ExceptionAsync(() => run.WaitAsync(Rendezvous.Patience));
        return new Outcome(error, recorder, completedEarly, sawCancellation);
    }

    [Fact]
    public async Task A_failing_node_fails_the_run_with_a_PipelineException_naming_the_node()
    {
        Outcome outcome = await FailWhileSiblingRuns();

        var failure = Assert.IsType<PipelineException>(outcome.Error);
        Assert.Equal("Boom", failure.NodeName);
        Assert.Equal("FailsWhileSiblingRuns", failure.PipelineName);
        var inner = Assert.IsType<InvalidOperationException>(failure.InnerException);
        Assert.Equal("boom", inner.Message);
    }

    [Fact]
    public async Task No_node_starts_after_a_node_has_failed()
    {
        Outcome outcome = await FailWhileSiblingRuns();

        Assert.False(outcome.Recorder.HasStarted("Dependent"));
        Assert.False(outcome.Recorder.HasStarted("AfterSibling"));
    }

    [Fact]
    public async Task A_failing_node_cancels_the_token_of_nodes_still_running()
    {
        Outcome outcome = await FailWhileSiblingRuns();

        Assert.True(outcome.SiblingSawCancellation);
    }

    [Fact]
    public async Task A_failed_run_completes_only_once_the_nodes_still_running_have_finished()
    {
        Outcome outcome = await FailWhileSiblingRuns();

        Assert.False(outcome.CompletedWhileSiblingRan);
        Assert.Contains("Sibling", outcome.Recorder.Ended);
    }

    [Fact]
    public async Task A_failure_in_the_middle_of_a_chain_names_that_node_and_stops_the_chain()
    {
        var recorder = new Recorder();

        var failure = await Assert.ThrowsAsync<PipelineException>(() => FailsInTheMiddleOfAChain.RunAsync(recorder));

        Assert.Equal("Two", failure.NodeName);
        Assert.IsType<FormatException>(failure.InnerException);
        Assert.False(recorder.HasStarted("Three"));
    }

    [Fact]
    public async Task An_async_node_that_fails_after_awaiting_is_named_in_the_PipelineException()
    {
        var recorder = new Recorder();

        var failure = await Assert.ThrowsAsync<PipelineException>(() => FailsAfterAwaiting.RunAsync(recorder));

        Assert.Equal("Parse", failure.NodeName);
        Assert.IsType<ArgumentException>(failure.InnerException);
        Assert.False(recorder.HasStarted("Use"));
    }

    [Fact]
    public async Task A_node_throwing_OperationCanceledException_without_caller_cancellation_is_a_failure()
    {
        var failure = await Assert.ThrowsAsync<PipelineException>(() => ThrowsCancellationOnItsOwn.RunAsync());

        Assert.Equal("Impatient", failure.NodeName);
        Assert.IsType<OperationCanceledException>(failure.InnerException);
    }
}
