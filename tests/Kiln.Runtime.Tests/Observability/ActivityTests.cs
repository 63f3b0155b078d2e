using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Observability;

[Pipeline]
public static partial class TracedPipeline
{
    [Task] public static int Load() => 1;
    [Task] public static async Task<int> Enrich(int load) { await Task.Yield(); return load + 1; }
    [Task] public static int Score(int load) => load * 3;
    [Task] public static int Combine(int enrich, int score) => enrich + score;
}

[Pipeline]
public static partial class TracedFailure
{
    [Task] public static int Fine() => 1;
    [Task] public static int Broken(int fine) => throw new InvalidOperationException("broken");
}

[Pipeline]
public static partial class TracedForCurrent
{
    [Task] public static int Only() => 1;
}

[Pipeline]
public static partial class TracedAsyncForCurrent
{
    [Task] public static async Task<int> Only() { await Task.Yield(); return 1; }
}

/// <summary>Listens to the "Kiln" source and keeps the stopped activities of one pipeline (tests run in parallel).</summary>
internal sealed class KilnActivityCollector : IDisposable
{
    private readonly ActivityListener _listener;

    public KilnActivityCollector(string pipeline)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Kiln",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("kiln.pipeline") as string == pipeline)
                {
                    Stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    public void Dispose() => _listener.Dispose();
}

public class ActivityTests
{
    [Fact]
    public async Task Each_node_gets_an_activity_nested_under_the_runs_activity()
    {
        using var collector = new KilnActivityCollector("TracedPipeline");

        Assert.Equal(5, await TracedPipeline.RunAsync());

        Activity run = Assert.Single(collector.Stopped, a => a.GetTagItem("kiln.node") is null);
        Activity[] nodes = collector.Stopped.Where(a => a.GetTagItem("kiln.node") is not null).ToArray();
        Assert.Equal(new[] { "Combine", "Enrich", "Load", "Score" }, nodes.Select(a => (string)a.GetTagItem("kiln.node")!).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(nodes, node =>
        {
            Assert.Equal(run.TraceId, node.TraceId);
            Assert.Equal(run.SpanId, node.ParentSpanId);
            Assert.Equal(node.GetTagItem("kiln.node"), node.OperationName);
        });
        Assert.Equal("TracedPipeline", run.OperationName);
        Assert.Equal("Kiln", run.Source.Name);
    }

    [Fact]
    public async Task A_run_nests_under_the_callers_current_activity()
    {
        using var collector = new KilnActivityCollector("TracedPipeline");
        using var source = new ActivitySource("Kiln.Runtime.Tests.Caller");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using Activity caller = source.StartActivity("caller")!;

        await TracedPipeline.RunAsync();

        Activity run = Assert.Single(collector.Stopped, a => a.GetTagItem("kiln.node") is null);
        Assert.Equal(caller.SpanId, run.ParentSpanId);
    }

    [Fact]
    public async Task A_failing_node_and_its_run_end_with_error_status()
    {
        using var collector = new KilnActivityCollector("TracedFailure");

        await Assert.ThrowsAsync<PipelineException>(() => TracedFailure.RunAsync());

        Activity run = Assert.Single(collector.Stopped, a => a.GetTagItem("kiln.node") is null);
        Activity broken = Assert.Single(collector.Stopped, a => a.GetTagItem("kiln.node") as string == "Broken");
        Assert.Equal(ActivityStatusCode.Error, broken.Status);
        Assert.Equal(ActivityStatusCode.Error, run.Status);
    }

    [Fact]
    public async Task A_synchronous_run_leaves_the_callers_current_activity_as_it_was()
    {
        using var collector = new KilnActivityCollector("TracedForCurrent");
        Activity? before = Activity.Current;

        await TracedForCurrent.RunAsync();

        Assert.Same(before, Activity.Current);
    }

    [Fact]
    public async Task An_asynchronous_run_leaves_the_callers_current_activity_as_it_was()
    {
        using var collector = new KilnActivityCollector("TracedAsyncForCurrent");
        Activity? before = Activity.Current;

        await TracedAsyncForCurrent.RunAsync();

        Assert.Same(before, Activity.Current);
    }
}
