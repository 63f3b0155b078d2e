using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Execution;
using Polly;
using Polly.CircuitBreaker;
using Xunit;

namespace Kiln.Runtime.Tests.Resilience;

public sealed class NodeAttemptsTests
{
    private static readonly KilnOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(1) };

    private static ValueTask<int> Flaky(StrongBox box, CancellationToken token)
    {
        int attempt = Interlocked.Increment(ref box.Value);
        return attempt <= box.FailFirst ? ValueTask.FromException<int>(new InvalidOperationException("transient " + attempt)) : new ValueTask<int>(attempt * 10);
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(3, 2, 3)]
    [InlineData(3, 3, 4)]
    public async Task A_node_that_fails_transiently_succeeds_on_a_later_attempt(int retries, int failFirst, int expectedAttempts)
    {
        var box = new StrongBox { FailFirst = failFirst };
        int result = await new NodeAttempts("Fetch", retries, 0).RunAsync(Fast, box, Flaky, CancellationToken.None);
        Assert.Equal(expectedAttempts * 10, result);
        Assert.Equal(expectedAttempts, box.Value);
    }

    [Fact]
    public async Task After_the_last_retry_the_last_failure_and_the_attempt_count_come_out()
    {
        var box = new StrongBox { FailFirst = 100 };
        var e = await Assert.ThrowsAsync<AttemptsExhaustedException>(async () =>
            await new NodeAttempts("Fetch", 2, 0).RunAsync(Fast, box, Flaky, CancellationToken.None));
        Assert.Equal(3, e.Attempts);
        Assert.Equal("transient 3", e.InnerException!.Message);
        PipelineException pipeline = PipelineException.ForNode("P", "Fetch", e);
        Assert.Equal(3, pipeline.Attempts);
        Assert.IsType<InvalidOperationException>(pipeline.InnerException);
        Assert.Null(pipeline.ItemIndex);
    }

    [Fact]
    public async Task Backoff_grows_from_the_retry_delay()
    {
        var box = new StrongBox { FailFirst = 3 };
        var clock = Stopwatch.StartNew();
        await new NodeAttempts("Fetch", 3, 0).RunAsync(new KilnOptions { RetryDelay = TimeSpan.FromMilliseconds(40) }, box, Flaky, CancellationToken.None);

        // Three waits from 40 ms growing exponentially: with jitter each wait is at least a fraction of its nominal value.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(60), $"three retries from a 40 ms delay took only {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task An_attempt_past_its_timeout_gets_a_cancelled_token_and_fails_with_TimeoutException()
    {
        int attempts = 0;
        var e = await Assert.ThrowsAsync<AttemptsExhaustedException>(async () =>
            await new NodeAttempts("Slow", 1, 50).RunAsync(Fast, 0, async (_, token) =>
            {
                Interlocked.Increment(ref attempts);
                await Task.Delay(Timeout.Infinite, token);
                return 1;
            }, CancellationToken.None));
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Contains("'Slow'", e.InnerException!.Message);
        Assert.Equal(2, attempts);
        Assert.Equal(2, e.Attempts);
    }

    [Fact]
    public async Task An_attempt_that_ignores_its_token_is_awaited_and_still_counts_as_timed_out()
    {
        bool finished = false;
        var e = await Assert.ThrowsAsync<AttemptsExhaustedException>(async () =>
            await new NodeAttempts("Stubborn", 0, 30).RunAsync(Fast, 0, async (_, _) =>
            {
                await Task.Delay(150, CancellationToken.None);
                finished = true;
                return 1;
            }, CancellationToken.None));
        Assert.True(finished, "Kiln must never abandon a running attempt");
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task Cancelling_the_run_is_never_retried()
    {
        using var run = new CancellationTokenSource();
        int attempts = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await new NodeAttempts("Fetch", 5, 0).RunAsync(Fast, 0, async (_, token) =>
            {
                Interlocked.Increment(ref attempts);
                run.Cancel();
                await Task.Delay(Timeout.Infinite, token);
                return 1;
            }, run.Token));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_node_that_throws_OperationCanceledException_of_its_own_is_retried()
    {
        int attempts = 0;
        int result = await new NodeAttempts("Http", 2, 0).RunAsync(Fast, 0, (_, _) =>
            Interlocked.Increment(ref attempts) == 1
                ? ValueTask.FromException<int>(new TaskCanceledException("an HttpClient timed out"))
                : new ValueTask<int>(7), CancellationToken.None);
        Assert.Equal(7, result);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_resilience_pipeline_from_the_options_replaces_the_nodes_policy()
    {
        var breaker = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 0.5, MinimumThroughput = 2, BreakDuration = TimeSpan.FromMinutes(1) })
            .Build();
        var options = new KilnOptions { Resilience = node => node == "Tool" ? breaker : null };
        var policy = new NodeAttempts("Tool", 5, 0);
        int calls = 0;
        for (int i = 0; i < 2; i++)
        {
            var failure = await Assert.ThrowsAsync<AttemptsExhaustedException>(async () =>
                await policy.RunAsync(options, 0, (_, _) => { Interlocked.Increment(ref calls); return ValueTask.FromException<int>(new InvalidOperationException("down")); }, CancellationToken.None));
            Assert.Equal(1, failure.Attempts); // the breaker does not retry: the attribute's 5 retries are replaced
        }

        var open = await Assert.ThrowsAsync<AttemptsExhaustedException>(async () =>
            await policy.RunAsync(options, 0, (_, _) => { Interlocked.Increment(ref calls); return new ValueTask<int>(1); }, CancellationToken.None));
        Assert.IsType<BrokenCircuitException>(open.InnerException);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Negative_retries_or_timeouts_are_refused_naming_the_parameter()
    {
        Assert.Equal("retries", Assert.Throws<ArgumentOutOfRangeException>(() => new NodeAttempts("N", -1, 0)).ParamName);
        Assert.Equal("timeoutMs", Assert.Throws<ArgumentOutOfRangeException>(() => new NodeAttempts("N", 0, -5)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KilnOptions { RetryDelay = TimeSpan.FromMilliseconds(-1) });
    }

    private sealed class StrongBox
    {
        public int Value;
        public int FailFirst;
    }
}
