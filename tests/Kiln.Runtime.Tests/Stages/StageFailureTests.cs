using System;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Stages;

/// <summary>Which stage of <see cref="Endless"/> fails, after how many bytes; and a signal once bytes reach the end.</summary>
public sealed class Sabotage
{
    public Sabotage(string? failIn, long after = 1 << 20)
    {
        FailIn = failIn;
        After = after;
    }

    public string? FailIn { get; }

    public long After { get; }

    public Recorder Recorder { get; } = new();

    public TaskCompletionSource BytesArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Check(string stage, long bytes)
    {
        if (stage == FailIn && bytes >= After)
        {
            throw new InvalidOperationException(stage + " broke");
        }
    }
}

// An endless source, a relay and a sink; none takes a CancellationToken, so only the pipes can stop them.
[Pipeline]
public static partial class Endless
{
    [Stage]
    public static async Task Produce(Sabotage sabotage, PipeWriter output)
    {
        sabotage.Recorder.Start(nameof(Produce));
        try
        {
            for (long written = 0; ; written += 4096)
            {
                sabotage.Check(nameof(Produce), written);
                output.GetSpan(4096)[..4096].Fill((byte)'x');
                output.Advance(4096);
                if ((await output.FlushAsync()).IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            sabotage.Recorder.End(nameof(Produce));
        }
    }

    [Stage]
    public static async Task Relay(PipeReader produce, PipeWriter output, Sabotage sabotage)
    {
        sabotage.Recorder.Start(nameof(Relay));
        try
        {
            for (long seen = 0; ;)
            {
                ReadResult result = await produce.ReadAsync();
                seen += result.Buffer.Length;
                sabotage.Check(nameof(Relay), seen);
                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    await output.WriteAsync(segment);
                }

                produce.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            sabotage.Recorder.End(nameof(Relay));
        }
    }

    [Stage]
    public static async Task<long> Consume(PipeReader relay, Sabotage sabotage)
    {
        sabotage.Recorder.Start(nameof(Consume));
        try
        {
            for (long seen = 0; ;)
            {
                ReadResult result = await relay.ReadAsync();
                seen += result.Buffer.Length;
                if (seen >= 1 << 20)
                {
                    sabotage.BytesArrived.TrySetResult();
                }

                sabotage.Check(nameof(Consume), seen);
                relay.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return seen;
                }
            }
        }
        finally
        {
            sabotage.Recorder.End(nameof(Consume));
        }
    }
}

public class StageFailureTests
{
    [Theory]
    [InlineData("Produce")]
    [InlineData("Relay")]
    [InlineData("Consume")]
    public async Task A_failing_stage_fails_the_run_naming_it_and_stops_every_other_stage(string stage)
    {
        var sabotage = new Sabotage(stage);

        Exception? error = await Record.ExceptionAsync(() => Endless.RunAsync(sabotage).WaitAsync(Rendezvous.Patience));

        var failure = Assert.IsType<PipelineException>(error);
        Assert.Equal(stage, failure.NodeName);
        var inner = Assert.IsType<InvalidOperationException>(failure.InnerException);
        Assert.Equal(stage + " broke", inner.Message);
        Assert.Equal(3, sabotage.Recorder.Ended.Count);
        Assert.Equal(0, sabotage.Recorder.Running);
    }

    [Fact]
    public async Task A_stage_failing_before_it_reads_anything_still_stops_its_neighbours()
    {
        var sabotage = new Sabotage("Consume", after: 0);

        var failure = await Assert.ThrowsAsync<PipelineException>(() => Endless.RunAsync(sabotage).WaitAsync(Rendezvous.Patience));

        Assert.Equal("Consume", failure.NodeName);
        Assert.Equal(0, sabotage.Recorder.Running);
    }

    [Fact]
    public async Task Cancelling_the_run_stops_stages_that_take_no_token_and_throws_OperationCanceledException()
    {
        var sabotage = new Sabotage(failIn: null);
        using var cancellation = new CancellationTokenSource();

        Task<long> run = Task.Run(() => Endless.RunAsync(sabotage, cancellationToken: cancellation.Token));
        await sabotage.BytesArrived.Task.WaitAsync(Rendezvous.Patience);
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Rendezvous.Patience));
        Assert.Equal(3, sabotage.Recorder.Ended.Count);
        Assert.Equal(0, sabotage.Recorder.Running);
    }
}
