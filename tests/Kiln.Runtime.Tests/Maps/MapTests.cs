using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Xunit;

namespace Kiln.Runtime.Tests.Maps;

/// <summary>SPEC section 10: maps run once per item, in bounds, in item order, and fail, retry and cancel as a whole.</summary>
[Collection(nameof(UnobservedExceptions))]
public sealed class MapTests
{
    private static readonly KilnOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(1) };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public async Task A_map_yields_one_output_per_item_in_item_order(int count)
    {
        var script = new MapScript(count, _ => 0);
        PlainMap.Result result = await PlainMap.RunAsync(count, script);
        int[] values = Enumerable.Range(0, count).Select(i => (i * 7) % 11).ToArray();
        long[] expected = values.Select((v, i) => MapScript.Expected(v, i)).ToArray();
        Assert.Equal(expected, result.Work);
        Assert.Equal(expected.Sum(), result.Total);
        Assert.InRange(script.MaxRunning, count == 0 ? 0 : 1, 4);
        Assert.Equal(0, script.Running);
    }

    [Fact]
    public async Task A_list_is_a_collection_of_items_and_the_index_and_other_inputs_bind()
    {
        ListMap.Result result = await ListMap.RunAsync("a bb ccc", "#");
        Assert.Equal(new[] { 1, 2, 3 }, result.Length);
        Assert.Equal(new[] { "#0:a", "#1:bb", "#2:ccc" }, result.Tag);
    }

    [Fact]
    public async Task Maps_without_output_run_every_item()
    {
        var sink = new Sink();
        await VoidMap.RunAsync(5, sink);
        Assert.Equal(new[] { -5, -4, -3, -2, -1, 1, 2, 3, 4, 5 }, sink.Sorted());
    }

    [Fact]
    public void The_graph_says_Map()
    {
        Assert.Equal(NodeKind.Map, PlainMap.Graph.Nodes.Single(n => n.Name == "Work").Kind);
        Assert.Equal("long[]", PlainMap.Graph.Nodes.Single(n => n.Name == "Work").OutputType);
    }

    // Differential: random items fail a random number of first attempts; the reference says which items exhaust their two
    // retries. With none, the outputs match the plain computation; with some, the node fails on one of them.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Random_item_failures_are_retried_item_by_item_and_an_exhausted_item_fails_the_node(int seed)
    {
        var random = new Random(seed);
        int count = random.Next(1, 40);
        double exhaust = random.NextDouble() < 0.5 ? 0 : 0.1;
        int[] failures = Enumerable.Range(0, count).Select(_ => random.NextDouble() < exhaust ? 3 : random.Next(0, 3)).ToArray();
        var script = new MapScript(count, i => failures[i], i => random.Next(0, 3));
        int[] values = Enumerable.Range(0, count).Select(i => (i * 7) % 11).ToArray();
        int[] exhausted = Enumerable.Range(0, count).Where(i => failures[i] > 2).ToArray();

        if (exhausted.Length == 0)
        {
            long[] result = await ScriptedMap.RunAsync(count, script, Fast);
            Assert.Equal(values.Select((v, i) => MapScript.Expected(v, i)), result);
            Assert.All(Enumerable.Range(0, count), i => Assert.Equal(failures[i] + 1, script.AttemptsOf(i)));
        }
        else
        {
            var e = await Assert.ThrowsAsync<PipelineException>(() => ScriptedMap.RunAsync(count, script, Fast));
            Assert.Equal("Work", e.NodeName);
            Assert.NotNull(e.ItemIndex);
            Assert.Contains(e.ItemIndex!.Value, exhausted);
            Assert.Equal(3, e.Attempts);
            var failure = Assert.IsType<ScriptedFailure>(e.InnerException);
            Assert.Equal(e.ItemIndex, failure.Item);
        }

        Assert.Equal(0, script.Running);
        Assert.InRange(script.MaxRunning, 1, 3);
    }

    [Fact]
    public async Task A_failing_item_cancels_the_others_and_waits_for_them()
    {
        // Item 0 fails at once; the rest wait on their token for a long time.
        var script = new MapScript(6, i => i == 0 ? 10 : 0, i => i == 0 ? 0 : 30_000);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PipelineException>(() => ScriptedMap.RunAsync(6, script, Fast));
        Assert.Equal(0, e.ItemIndex);
        Assert.Equal(0, script.Running);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the map waited {clock.Elapsed} for cancelled items");
        Assert.True(script.AttemptsOf(5) == 0, "an item started after the map had failed");
    }

    [Fact]
    public async Task Cancelling_the_run_mid_map_cancels_the_items_and_retries_none()
    {
        var script = new MapScript(20, _ => 0, _ => 30_000);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ScriptedMap.RunAsync(20, script, Fast, cancellation.Token));
        Assert.Equal(0, script.Running);
        Assert.All(Enumerable.Range(0, 20), i => Assert.InRange(script.AttemptsOf(i), 0, 1));
    }

    [Fact]
    public async Task An_item_past_its_timeout_fails_with_TimeoutException()
    {
        var script = new MapScript(10, _ => 0, i => i == 4 ? 5_000 : 1);
        var e = await Assert.ThrowsAsync<PipelineException>(() => TimedMap.RunAsync(10, script));
        Assert.Equal(4, e.ItemIndex);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Equal(1, e.Attempts);
        Assert.Equal(0, script.Running);
    }

    [Fact]
    public async Task Resilience_replaces_the_policy_of_a_map()
    {
        // Work declares two retries; the user's pipeline gives five.
        var script = new MapScript(5, i => i == 2 ? 4 : 0);
        var options = new KilnOptions
        {
            Resilience = node => node == "Work"
                ? new Polly.ResiliencePipelineBuilder().AddRetry(new Polly.Retry.RetryStrategyOptions { MaxRetryAttempts = 5, Delay = TimeSpan.Zero }).Build()
                : null,
        };
        long[] result = await ScriptedMap.RunAsync(5, script, options);
        Assert.Equal(5, result.Length);
        Assert.Equal(5, script.AttemptsOf(2));
    }
}
