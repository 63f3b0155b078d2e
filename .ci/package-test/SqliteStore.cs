using Kiln;

// A new user's program on Kiln.Sqlite alone: write two values, open the run again as a resumed run would, read them back.
await using IRunStore store = new SqliteRunStore(args[0]);
string runId = "ci-" + Guid.NewGuid().ToString("N");
var header = new RunHeader("v1", new byte[] { 1, 2, 3 });
await store.OpenAsync("Consumer.Pipeline", runId, header);
await store.WriteAsync("Consumer.Pipeline", runId, new[]
{
    new StoredValue(0, StoredValue.WholeNode, "\"hello\""u8.ToArray()),
    new StoredValue(1, 0, "42"u8.ToArray()),
});
StoredRun resumed = await store.OpenAsync("Consumer.Pipeline", runId, header);
resumed.EnsureMatches("Consumer.Pipeline", runId, header);
Console.WriteLine($"store: restored {resumed.Values.Count} values, created={resumed.Created}, fingerprint={resumed.Header.Fingerprint}");
await store.DeleteAsync("Consumer.Pipeline", runId);

// The same store under a durable pipeline: a second run with the run id restores every node (DurableOrders.cs).
Console.WriteLine(await DurableOrders.RunTwiceAsync(store));
