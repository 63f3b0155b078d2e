using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Stores.Tests;

/// <summary>What every <see cref="IRunStore"/> must do; one subclass per store runs it against a real instance.</summary>
public abstract class RunStoreContract
{
    private const string Pipeline = "Tests.Ingest";

    /// <summary>A new, empty store (for Redis: a key prefix of its own on the shared server).</summary>
    protected abstract IRunStore CreateStore();

    private static RunHeader Header(string fingerprint = "fp-1", params byte[] inputs) =>
        new(fingerprint, inputs.Length == 0 ? new byte[] { 42, 0, 7 } : inputs);

    [SkippableFact]
    public async Task Opening_a_new_run_creates_it_with_no_values()
    {
        await using IRunStore store = CreateStore();
        StoredRun run = await store.OpenAsync(Pipeline, "r1", Header());
        Assert.True(run.Created);
        Assert.Empty(run.Values);
        Assert.Equal("fp-1", run.Header.Fingerprint);
    }

    [SkippableFact]
    public async Task Reopening_a_run_returns_the_stored_header_not_the_new_one()
    {
        await using IRunStore store = CreateStore();
        await store.OpenAsync(Pipeline, "r1", Header("fp-1", 1, 2, 3));
        StoredRun again = await store.OpenAsync(Pipeline, "r1", Header("fp-2", 9));
        Assert.False(again.Created);
        Assert.Equal("fp-1", again.Header.Fingerprint);
        Assert.Equal(new byte[] { 1, 2, 3 }, again.Header.Inputs.ToArray());
    }

    [SkippableFact]
    public async Task Written_values_come_back_byte_for_byte()
    {
        await using IRunStore store = CreateStore();
        var random = new Random(1234);
        var expected = new Dictionary<(int, int), byte[]>();
        await store.OpenAsync(Pipeline, "r1", Header());
        for (int batch = 0; batch < 20; batch++)
        {
            var values = new List<StoredValue>();
            for (int i = random.Next(1, 12); i > 0; i--)
            {
                int slot = random.Next(0, 40);
                int item = random.Next(-1, 5);
                byte[] data = new byte[random.Next(0, 3) == 0 ? 0 : random.Next(1, 5000)];
                random.NextBytes(data);
                values.Add(new StoredValue(slot, item, data));
                expected[(slot, item)] = data;
            }

            await store.WriteAsync(Pipeline, "r1", values);
        }

        StoredRun run = await store.OpenAsync(Pipeline, "r1", Header());
        Assert.Equal(expected.Count, run.Values.Count);
        foreach (StoredValue value in run.Values)
        {
            Assert.Equal(expected[(value.Slot, value.Item)], value.Data.ToArray());
        }
    }

    [SkippableFact]
    public async Task A_value_written_again_replaces_the_stored_one()
    {
        await using IRunStore store = CreateStore();
        await store.OpenAsync(Pipeline, "r1", Header());
        await store.WriteAsync(Pipeline, "r1", new[] { new StoredValue(3, StoredValue.WholeNode, new byte[] { 1 }) });
        await store.WriteAsync(Pipeline, "r1", new[] { new StoredValue(3, StoredValue.WholeNode, new byte[] { 2, 2 }) });
        StoredRun run = await store.OpenAsync(Pipeline, "r1", Header());
        StoredValue value = Assert.Single(run.Values);
        Assert.Equal(new byte[] { 2, 2 }, value.Data.ToArray());
    }

    [SkippableFact]
    public async Task A_megabyte_value_is_stored_whole()
    {
        await using IRunStore store = CreateStore();
        byte[] data = new byte[1 << 20];
        new Random(5).NextBytes(data);
        await store.OpenAsync(Pipeline, "big", Header());
        await store.WriteAsync(Pipeline, "big", new[] { new StoredValue(0, 7, data) });
        StoredRun run = await store.OpenAsync(Pipeline, "big", Header());
        Assert.Equal(data, Assert.Single(run.Values).Data.ToArray());
    }

    [SkippableFact]
    public async Task Deleting_a_run_forgets_it_and_says_whether_it_was_there()
    {
        await using IRunStore store = CreateStore();
        await store.OpenAsync(Pipeline, "r1", Header());
        await store.WriteAsync(Pipeline, "r1", new[] { new StoredValue(0, StoredValue.WholeNode, new byte[] { 1 }) });
        Assert.True(await store.DeleteAsync(Pipeline, "r1"));
        Assert.False(await store.DeleteAsync(Pipeline, "r1"));
        StoredRun again = await store.OpenAsync(Pipeline, "r1", Header("fp-new"));
        Assert.True(again.Created);
        Assert.Empty(again.Values);
        Assert.Equal("fp-new", again.Header.Fingerprint);
    }

    [SkippableFact]
    public async Task Runs_with_other_ids_or_pipelines_do_not_see_each_others_values()
    {
        await using IRunStore store = CreateStore();
        string[] runs = Enumerable.Range(0, 8).Select(i => "run-" + i).ToArray();
        await Task.WhenAll(runs.Select(async runId =>
        {
            string pipeline = runId.EndsWith('1') ? "Tests.Other" : Pipeline;
            await store.OpenAsync(pipeline, runId, Header());
            for (int slot = 0; slot < 40; slot++)
            {
                await store.WriteAsync(pipeline, runId, new[] { new StoredValue(slot, StoredValue.WholeNode, System.Text.Encoding.UTF8.GetBytes(runId + "/" + slot)) });
            }
        }));

        foreach (string runId in runs)
        {
            string pipeline = runId.EndsWith('1') ? "Tests.Other" : Pipeline;
            StoredRun run = await store.OpenAsync(pipeline, runId, Header());
            Assert.Equal(40, run.Values.Count);
            Assert.All(run.Values, v => Assert.Equal(runId + "/" + v.Slot, System.Text.Encoding.UTF8.GetString(v.Data.Span)));
        }

        Assert.True((await store.OpenAsync("Tests.Other", "run-0", Header())).Created);
    }

    [SkippableFact]
    public async Task Of_many_callers_racing_to_open_one_run_exactly_one_creates_it()
    {
        await using IRunStore store = CreateStore();
        StoredRun[] opened = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(async () => await store.OpenAsync(Pipeline, "race", Header("fp-" + i)))));
        Assert.Single(opened, r => r.Created);
        string winner = opened.Single(r => r.Created).Header.Fingerprint;
        Assert.All(opened, r => Assert.Equal(winner, r.Header.Fingerprint));
    }

    [SkippableFact]
    public async Task An_empty_batch_writes_nothing()
    {
        await using IRunStore store = CreateStore();
        await store.OpenAsync(Pipeline, "r1", Header());
        await store.WriteAsync(Pipeline, "r1", Array.Empty<StoredValue>());
        Assert.Empty((await store.OpenAsync(Pipeline, "r1", Header())).Values);
    }

    [SkippableFact]
    public async Task An_empty_pipeline_name_or_run_id_is_refused_naming_the_parameter()
    {
        await using IRunStore store = CreateStore();
        ArgumentException e = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.OpenAsync("", "r1", Header()));
        Assert.Equal("pipelineName", e.ParamName);
        e = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.WriteAsync(Pipeline, "", Array.Empty<StoredValue>()));
        Assert.Equal("runId", e.ParamName);
    }
}
