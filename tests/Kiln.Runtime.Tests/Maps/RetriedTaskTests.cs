using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Maps;

/// <summary>SPEC section 10: Retries and TimeoutMs on plain tasks, through generated code.</summary>
[Collection(nameof(UnobservedExceptions))]
public sealed class RetriedTaskTests
{
    private static readonly KilnOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(1) };

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    public async Task A_flaky_task_succeeds_within_its_retries(int failFirst, int attempts)
    {
        var flaky = new FlakyCall(failFirst);
        Assert.Equal("ok after " + attempts, await RetriedTask.RunAsync(flaky, Fast));
        Assert.Equal(attempts, flaky.Attempts);
    }

    [Fact]
    public async Task A_task_failing_every_attempt_reports_its_attempts()
    {
        var flaky = new FlakyCall(100);
        var e = await Assert.ThrowsAsync<PipelineException>(() => RetriedTask.RunAsync(flaky, Fast));
        Assert.Equal("Call", e.NodeName);
        Assert.Equal(4, e.Attempts);
        Assert.Null(e.ItemIndex);
        Assert.Equal("transient 4", e.InnerException!.Message);
        Assert.Equal(4, flaky.Attempts);
    }

    [Fact]
    public async Task An_attempt_past_its_timeout_fails_with_TimeoutException_once_it_ends()
    {
        // Ignores its token: the attempts still end, late, and count as timed out.
        var flaky = new FlakyCall(0, delayMs: 200, ignoreToken: true);
        var e = await Assert.ThrowsAsync<PipelineException>(() => TimedTask.RunAsync(flaky, Fast));
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Equal(2, e.Attempts);
        Assert.Equal(2, flaky.Attempts);
    }

    [Fact]
    public async Task Cancelling_the_run_is_not_retried()
    {
        var flaky = new FlakyCall(0, delayMs: 30_000);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RetriedTask.RunAsync(flaky, Fast, cancellation.Token));
        Assert.Equal(1, flaky.Attempts);
    }

    [Fact]
    public async Task Synchronous_and_void_tasks_are_retried_too()
    {
        var flaky = new FlakyCall(2);
        Assert.Equal(8, await RetriedVoidTask.RunAsync(flaky, 7, Fast));
        Assert.Equal(3, flaky.Attempts);
    }
}
