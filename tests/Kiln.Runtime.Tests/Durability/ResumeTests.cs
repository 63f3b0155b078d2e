using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Durability;

/// <summary>SPEC section 11: a durable run writes every output as it completes and a later run resumes from them.</summary>
public sealed class ResumeTests
{
    private const string Pipeline = "DurableIngest";

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static Task<DurableIngest.Result> Reference(int count, int threshold) =>
        DurableIngest.RunAsync(NewKey(), count, threshold);

    private static void AssertSame(DurableIngest.Result expected, DurableIngest.Result actual)
    {
        Assert.Equal(expected.Summarize, actual.Summarize);
        Assert.Equal(expected.Alert.HasValue, actual.Alert.HasValue);
        if (expected.Alert.HasValue)
        {
            Assert.Equal(expected.Alert.Value, actual.Alert.Value);
        }
    }

    [Theory]
    [InlineData("Sizes")]
    [InlineData("Parse[0]")]
    [InlineData("Parse[5]")]
    [InlineData("Parse[11]")]
    [InlineData("Total")]
    [InlineData("Summarize")]
    [InlineData("Audit")]
    [InlineData("Alert")]
    public async Task A_run_that_failed_resumes_without_running_again_what_completed(string failAt)
    {
        const int Count = 12;
        DurableIngest.Result expected = await Reference(Count, 10);
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = "batch-" + key };

        Ledger.FailAt(key, failAt);
        var failure = await Assert.ThrowsAsync<PipelineException>(() => DurableIngest.RunAsync(key, Count, 10, options));
        Assert.Equal(failAt.Split('[')[0], failure.NodeName);
        List<string> first = Ledger.RanIn(key).ToList();

        Ledger.FailAt(key, null);
        DurableIngest.Result resumed = await DurableIngest.RunAsync(key, Count, 10, options);
        AssertSame(expected, resumed);

        // Everything ran exactly once over both runs, but the failing node (or item), which ran in each.
        List<string> all = Ledger.RanIn(key).ToList();
        List<string> second = all.Skip(first.Count).ToList();
        Assert.Contains(failAt, second);
        foreach (string node in first.Where(n => n != failAt))
        {
            Assert.DoesNotContain(node, second);
        }

        var expectedNodes = new[] { "Sizes", "Total", "Summarize", "Audit", "Alert" }.Concat(Enumerable.Range(0, Count).Select(i => $"Parse[{i}]"));
        Assert.Equal(expectedNodes.OrderBy(n => n, StringComparer.Ordinal), all.Distinct().OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(all.Count - 1, all.Distinct().Count());
    }

    [Fact]
    public async Task A_completed_run_is_returned_from_the_store_without_running_any_node()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = key };
        DurableIngest.Result first = await DurableIngest.RunAsync(key, 9, 10, options);
        int ran = Ledger.RanIn(key).Count;

        var reports = new ConcurrentQueue<PipelineProgress>();
        options.Progress = new SynchronousProgress(reports);
        DurableIngest.Result second = await DurableIngest.RunAsync(key, 9, 10, options);

        AssertSame(first, second);
        Assert.Equal(ran, Ledger.RanIn(key).Count);
        Assert.Equal(DurableIngest.Graph.Nodes.Count, reports.Count);
        Assert.All(reports, r => Assert.True(r.Restored, r.Node));
    }

    [Fact]
    public async Task A_skipped_branch_stays_skipped_when_the_run_resumes()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = key };
        Ledger.FailAt(key, "Audit");
        await Assert.ThrowsAsync<PipelineException>(() => DurableIngest.RunAsync(key, 4, 1_000_000, options));
        Ledger.FailAt(key, null);

        DurableIngest.Result resumed = await DurableIngest.RunAsync(key, 4, 1_000_000, options);

        Assert.False(resumed.Alert.HasValue);
        Assert.DoesNotContain("Alert", Ledger.RanIn(key));
        AssertSame(await Reference(4, 1_000_000), resumed);
    }

    [Fact]
    public async Task Restored_nodes_are_reported_in_progress_and_in_the_trace()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = key };
        Ledger.FailAt(key, "Summarize");
        await Assert.ThrowsAsync<PipelineException>(() => DurableIngest.RunAsync(key, 5, 10, options));
        Ledger.FailAt(key, null);

        string path = Path.Combine(Path.GetTempPath(), $"kiln-restored-{key}.json");
        var reports = new ConcurrentQueue<PipelineProgress>();
        try
        {
            options.Progress = new SynchronousProgress(reports);
            options.TracePath = path;
            await DurableIngest.RunAsync(key, 5, 10, options);

            var restored = reports.Where(r => r.Restored).Select(r => r.Node).ToHashSet();
            Assert.Contains("Sizes", restored);
            Assert.Contains("Parse", restored);
            Assert.Contains("Total", restored);
            Assert.DoesNotContain("Summarize", restored);
            Assert.Contains(reports, r => r.Node == "Summarize" && !r.Restored && !r.Skipped);

            using JsonDocument trace = JsonDocument.Parse(File.ReadAllText(path));
            var statuses = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.TryGetProperty("args", out JsonElement args) && args.TryGetProperty("status", out _) && e.TryGetProperty("name", out _))
                .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("args").GetProperty("status").GetString());
            Assert.Equal("restored", statuses["Sizes"]);
            Assert.Equal("restored", statuses["Total"]);
            Assert.Equal("completed", statuses["Summarize"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_run_id_reused_with_other_inputs_is_refused_naming_the_run_id()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        await DurableIngest.RunAsync(key, 3, 10, new KilnOptions { Store = store, RunId = "batch-7" });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DurableIngest.RunAsync(key, 4, 10, new KilnOptions { Store = store, RunId = "batch-7" }));
        Assert.Contains("'batch-7'", refused.Message);
    }

    [Fact]
    public async Task A_run_stored_by_another_version_of_the_pipeline_is_refused()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = "v1" };
        await DurableIngest.RunAsync(key, 3, 10, options);
        StoredRun stored = await store.OpenAsync(typeof(DurableIngest).FullName!, "v1", new RunHeader("ignored", Array.Empty<byte>()));
        await store.DeleteAsync(typeof(DurableIngest).FullName!, "v1");
        await store.OpenAsync(typeof(DurableIngest).FullName!, "v1", new RunHeader("an-older-build", stored.Header.Inputs));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DurableIngest.RunAsync(key, 3, 10, options));
        Assert.Contains("another version of the pipeline", refused.Message);
        Assert.Contains("'v1'", refused.Message);
    }

    [Fact]
    public async Task A_deleted_run_starts_over()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = "again" };
        await DurableIngest.RunAsync(key, 3, 10, options);
        int ran = Ledger.RanIn(key).Count;

        Assert.True(await store.DeleteAsync(typeof(DurableIngest).FullName!, "again"));
        await DurableIngest.RunAsync(key, 3, 10, options);

        Assert.Equal(2 * ran, Ledger.RanIn(key).Count);
    }

    [Fact]
    public async Task A_store_that_fails_a_write_fails_the_run_with_that_error()
    {
        var store = new FailingStore(failOnWrite: 1);
        string key = NewKey();
        var error = await Assert.ThrowsAsync<IOException>(
            () => DurableIngest.RunAsync(key, 40, 10, new KilnOptions { Store = store, RunId = key }));
        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public async Task Options_that_cannot_work_are_refused_before_anything_runs()
    {
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var noId = await Assert.ThrowsAsync<ArgumentException>(() => DurableIngest.RunAsync(key, 3, 10, new KilnOptions { Store = store }));
        Assert.Contains("RunId", noId.Message);
        var noStore = await Assert.ThrowsAsync<ArgumentException>(() => DurableIngest.RunAsync(key, 3, 10, new KilnOptions { RunId = "x" }));
        Assert.Contains("Store", noStore.Message);
        var notDurable = await Assert.ThrowsAsync<InvalidOperationException>(() => NotDurable.RunAsync(1, new KilnOptions { Store = store, RunId = "x" }));
        Assert.Contains("Durable = true", notDurable.Message);
        Assert.Empty(Ledger.RanIn(key));
    }

    [Fact]
    public async Task Concurrent_runs_with_different_run_ids_share_a_store_without_interference()
    {
        await using var store = new InMemoryRunStore();
        var keys = Enumerable.Range(0, 8).Select(_ => NewKey()).ToArray();
        var runs = keys.Select((key, i) => DurableIngest.RunAsync(key, 5 + i, 20, new KilnOptions { Store = store, RunId = "run-" + i })).ToArray();
        DurableIngest.Result[] results = await Task.WhenAll(runs);
        for (int i = 0; i < keys.Length; i++)
        {
            AssertSame(await Reference(5 + i, 20), results[i]);
            AssertSame(results[i], await DurableIngest.RunAsync(keys[i], 5 + i, 20, new KilnOptions { Store = store, RunId = "run-" + i }));
        }
    }

    [Fact]
    public async Task Random_failure_points_always_resume_to_the_uninterrupted_result()
    {
        var random = new Random(20261128);
        string[] nodes = new[] { "Sizes", "Total", "Summarize", "Audit", "Alert" };
        for (int round = 0; round < 25; round++)
        {
            int count = random.Next(0, 30);
            int threshold = random.Next(0, 400);
            DurableIngest.Result expected = await Reference(count, threshold);
            await using var store = new InMemoryRunStore();
            string key = NewKey();
            var options = new KilnOptions { Store = store, RunId = key, MaxDegreeOfParallelism = random.Next(1, 4) };

            // Up to three failures in a row, each at a random node or item, then a clean run.
            for (int crash = random.Next(0, 4); crash > 0; crash--)
            {
                string at = count > 0 && random.Next(2) == 0 ? $"Parse[{random.Next(count)}]" : nodes[random.Next(nodes.Length)];
                Ledger.FailAt(key, at);
                try
                {
                    AssertSame(expected, await DurableIngest.RunAsync(key, count, threshold, options));
                }
                catch (PipelineException failure)
                {
                    Assert.Equal(at.Split('[')[0], failure.NodeName);
                }
            }

            Ledger.FailAt(key, null);
            AssertSame(expected, await DurableIngest.RunAsync(key, count, threshold, options));

            // Each node ran once, plus once more each time it was the one that failed.
            List<string> ran = Ledger.RanIn(key).ToList();
            Assert.All(ran.GroupBy(n => n), g => Assert.True(g.Count() <= 4, $"{g.Key} ran {g.Count()} times"));
        }
    }

    [Fact]
    public async Task A_fusion_group_runs_again_when_a_node_that_runs_reads_it_and_a_stage_is_restored_from_its_return_value()
    {
        string expected = await DurableMixed.RunAsync(300, NewKey());
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = key };
        Ledger.FailAt(key, "Report");
        await Assert.ThrowsAsync<PipelineException>(() => DurableMixed.RunAsync(300, key, options));
        Ledger.FailAt(key, null);

        Assert.Equal(expected, await DurableMixed.RunAsync(300, key, options));
        Assert.Equal(new[] { "Samples", "Bytes", "Sum", "Report", "Report" }, Ledger.RanIn(key));

        // Completed: nothing runs, not even the groups.
        Assert.Equal(expected, await DurableMixed.RunAsync(300, key, options));
        Assert.Equal(5, Ledger.RanIn(key).Count);
    }

    [Fact]
    public async Task A_group_of_stages_whose_return_values_are_stored_does_not_run_again()
    {
        string expected = await DurableText.RunAsync(5000, NewKey());
        await using var store = new InMemoryRunStore();
        string key = NewKey();
        var options = new KilnOptions { Store = store, RunId = key };
        Ledger.FailAt(key, "Summary");
        await Assert.ThrowsAsync<PipelineException>(() => DurableText.RunAsync(5000, key, options));
        Ledger.FailAt(key, null);

        Assert.Equal(expected, await DurableText.RunAsync(5000, key, options));
        Assert.Equal(new[] { "Text", "Upper", "Summary", "Summary" }, Ledger.RanIn(key));
    }

    private sealed class SynchronousProgress(ConcurrentQueue<PipelineProgress> reports) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => reports.Enqueue(value);
    }

    /// <summary>An in-memory store whose n-th write fails, as a full disk would.</summary>
    private sealed class FailingStore(int failOnWrite) : IRunStore
    {
        private readonly InMemoryRunStore _inner = new();
        private int _writes;

        public ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default) =>
            _inner.OpenAsync(pipelineName, runId, header, cancellationToken);

        public ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _writes) >= failOnWrite
                ? ValueTask.FromException(new IOException("disk full"))
                : _inner.WriteAsync(pipelineName, runId, values, cancellationToken);

        public ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default) =>
            _inner.DeleteAsync(pipelineName, runId, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
