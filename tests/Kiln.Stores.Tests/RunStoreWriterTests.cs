using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Execution;
using Xunit;

namespace Kiln.Stores.Tests;

public sealed class RunStoreWriterTests
{
    private static readonly RunHeader Header = new("fp", new byte[] { 1 });

    [Fact]
    public async Task Every_queued_value_is_in_the_store_once_the_writer_completes()
    {
        await using var store = new InMemoryRunStore();
        await store.OpenAsync("P", "r", Header);
        var writer = new RunStoreWriter(store, "P", "r");
        var random = new Random(7);
        var expected = new Dictionary<(int, int), byte[]>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                var data = BitConverter.GetBytes(thread * 1000 + i);
                writer.Enqueue(new StoredValue(thread, i, data));
                lock (expected)
                {
                    expected[(thread, i)] = data;
                }
            }
        })));
        await writer.CompleteAsync();

        StoredRun run = await store.OpenAsync("P", "r", Header);
        Assert.Equal(expected.Count, run.Values.Count);
        Assert.All(run.Values, v => Assert.Equal(expected[(v.Slot, v.Item)], v.Data.ToArray()));
    }

    [Fact]
    public async Task Values_that_queue_while_a_write_is_slow_go_out_together()
    {
        var store = new SlowStore(TimeSpan.FromMilliseconds(50));
        var writer = new RunStoreWriter(store, "P", "r");
        for (int i = 0; i < 1000; i++)
        {
            writer.Enqueue(new StoredValue(i, StoredValue.WholeNode, new byte[] { 1 }));
        }

        await writer.CompleteAsync();
        Assert.Equal(1000, store.Values);
        Assert.True(writer.Batches <= 10, $"1000 values took {writer.Batches} writes; queued values should share a write");
    }

    [Fact]
    public async Task A_failed_write_calls_back_once_and_completing_throws_the_stores_exception()
    {
        var failure = new System.IO.IOException("disk full");
        var store = new FailingStore(failure);
        int faults = 0;
        var writer = new RunStoreWriter(store, "P", "r", _ => Interlocked.Increment(ref faults));
        writer.Enqueue(new StoredValue(0, StoredValue.WholeNode, new byte[] { 1 }));
        SpinWait.SpinUntil(() => writer.Fault is not null, TimeSpan.FromSeconds(10));
        writer.Enqueue(new StoredValue(1, StoredValue.WholeNode, new byte[] { 1 }));
        var thrown = await Assert.ThrowsAsync<System.IO.IOException>(writer.CompleteAsync);
        Assert.Same(failure, thrown);
        Assert.Equal(1, faults);
    }

    [Fact]
    public async Task A_value_after_completion_is_refused_naming_the_run()
    {
        await using var store = new InMemoryRunStore();
        await store.OpenAsync("P", "run-9", Header);
        var writer = new RunStoreWriter(store, "P", "run-9");
        await writer.CompleteAsync();
        var e = Assert.Throws<InvalidOperationException>(() => writer.Enqueue(new StoredValue(0, StoredValue.WholeNode, default)));
        Assert.Contains("'run-9'", e.Message);
    }

    private sealed class SlowStore(TimeSpan delay) : IRunStore
    {
        private int _values;

        public int Values => _values;

        public ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken);
            Interlocked.Add(ref _values, values.Count);
        }

        public ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync() => default;
    }

    private sealed class FailingStore(Exception failure) : IRunStore
    {
        public ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(failure);

        public ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync() => default;
    }
}
