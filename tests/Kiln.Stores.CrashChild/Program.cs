using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Kiln;
using StackExchange.Redis;

// Writes values to a run store as fast as it can and prints "committed <slot>" once each batch's write has completed.
// The crash tests kill this process with SIGKILL at a random moment and then check that every committed value is there.
// Usage: Kiln.Stores.CrashChild sqlite <path> <run id> <seed>
//        Kiln.Stores.CrashChild redis <host:port> <run id> <seed>
// or runs the durable pipeline CrashIngest with a store, printing "ran <node>" per node and "result <report>" at the end:
//        Kiln.Stores.CrashChild pipeline sqlite|redis <path or host:port> <run id> <count> <seed>
if (args[0] == "pipeline")
{
    ConnectionMultiplexer? pipelineRedis = args[1] == "redis" ? await ConnectionMultiplexer.ConnectAsync(args[2]) : null;
    await using IRunStore pipelineStore = args[1] == "sqlite" ? new SqliteRunStore(args[2]) : new RedisRunStore(pipelineRedis!);
    Kiln.Stores.CrashChild.CrashLog.Enabled = true;
    Console.Out.WriteLine("started");
    string report = await Kiln.Stores.CrashChild.CrashIngest.RunAsync(
        int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture),
        new KilnOptions { Store = pipelineStore, RunId = args[3] });
    Console.Out.WriteLine("result " + report);
    return;
}

string kind = args[0];
string target = args[1];
string runId = args[2];
var random = new Random(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
ConnectionMultiplexer? redis = kind == "redis" ? await ConnectionMultiplexer.ConnectAsync(target) : null;
await using IRunStore store = kind == "sqlite" ? new SqliteRunStore(target) : new RedisRunStore(redis!);
StoredRun run = await store.OpenAsync(CrashPayload.Pipeline, runId, CrashPayload.Header);
int next = 0;
foreach (StoredValue value in run.Values)
{
    next = Math.Max(next, value.Slot + 1);
}

Console.Out.WriteLine("open " + next);
Console.Out.Flush();
while (true)
{
    int count = random.Next(1, 9);
    var batch = new List<StoredValue>(count);
    for (int i = 0; i < count; i++)
    {
        batch.Add(new StoredValue(next + i, StoredValue.WholeNode, CrashPayload.For(next + i)));
    }

    await store.WriteAsync(CrashPayload.Pipeline, runId, batch);
    next += count;
    Console.Out.WriteLine("committed " + (next - 1));
    Console.Out.Flush();
}

/// <summary>What the child writes, so that the parent can check every byte it finds.</summary>
public static class CrashPayload
{
    public const string Pipeline = "Kiln.Stores.CrashTest";

    public static RunHeader Header { get; } = new("crash-fingerprint-1", new byte[] { 1, 2, 3 });

    /// <summary>The value of a slot: its length and every byte depend on the slot, up to 64 KiB.</summary>
    public static byte[] For(int slot)
    {
        var data = new byte[(slot * 7919) % 65536];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(slot * 31 + i);
        }

        return data;
    }
}
