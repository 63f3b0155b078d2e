using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Kiln.Benchmarks.Shapes;
using StackExchange.Redis;

namespace Kiln.Benchmarks;

// A map over N items that complete at once, durable: what is measured is what storing an item costs.
[Pipeline(Durable = true)]
public static partial class DurableMap
{
    [Task] public static int[] Items(int count) => DurableWork.Items(count);

    [Map(MaxConcurrency = 16)]
    public static ValueTask<int> Step(int items) => MapWork.Completed(items);
}

public static class DurableWork
{
    /// <summary>About 50 µs of work: long enough that a node's write overlaps the next node.</summary>
    public static int Spin(int value)
    {
        long until = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 20_000;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
        }

        return value + 1;
    }

    private static int[]? s_items;

    public static int[] Items(int count)
    {
        int[]? items = s_items;
        if (items is null || items.Length != count)
        {
            items = new int[count];
            for (int i = 0; i < count; i++)
            {
                items[i] = i;
            }

            s_items = items;
        }

        return items;
    }
}

/// <summary>
/// What a run store costs (SPEC section 11): a 1,024-task chain and a 10,000-item map, each a new run (a new run id)
/// per invocation, without a store, on SQLite (a file in the temp folder) and on Redis (a redis-server this benchmark
/// starts on a loopback port). Per node or item (OperationsPerInvoke); the time includes the final flush, so the chain's
/// difference from "no store" is what the store adds to the run: serialization on the nodes' path plus the last write.
/// <c>dotnet bin/Release/net10.0/Kiln.Benchmarks.dll --filter '*DurableBenchmarks*' --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class DurableBenchmarks
{
    private const int MapItems = 10_000;

    private string _directory = string.Empty;
    private IRunStore? _store;
    private Process? _redis;
    private ConnectionMultiplexer? _connection;
    private int _run;

    [Params("none", "sqlite", "redis")]
    public string Store { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("kiln-durable-bench-").FullName;
        switch (Store)
        {
            case "sqlite":
                _store = new SqliteRunStore(Path.Combine(_directory, "runs.db"));
                break;
            case "redis":
                int port = FreePort();
                _redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --dir {_directory}")
                {
                    RedirectStandardOutput = true,
                }) ?? throw new InvalidOperationException("redis-server did not start");
                _connection = ConnectWithRetry("127.0.0.1:" + port);
                _store = new RedisRunStore(_connection);
                break;
        }

        // One run of each before measuring, so the first write's setup is not in the numbers.
        DurableChain.RunAsync(Options()).GetAwaiter().GetResult();
        DurableMap.RunAsync(MapItems, Options()).GetAwaiter().GetResult();
        DurableSlowChain.RunAsync(Options()).GetAwaiter().GetResult();
        _store?.OpenAsync("Kiln.Benchmarks.OneWrite", "one", new RunHeader("one", Array.Empty<byte>())).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _connection?.Dispose();
        if (_redis is not null)
        {
            _redis.Kill();
            _redis.WaitForExit();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "1,024-task chain, per node", OperationsPerInvoke = DurableChain.NodeCount)]
    public Task<int> Chain() => DurableChain.RunAsync(Options());

    [Benchmark(Description = "10,000-item map, per item", OperationsPerInvoke = MapItems)]
    public Task<int[]> Map() => DurableMap.RunAsync(MapItems, Options());

    // The critical path: 64 nodes of 50 µs each. Each write overlaps the next node, so the store should add little more
    // than the last write (compare with "one write").
    [Benchmark(Description = "64 x 50 µs chain, whole run")]
    public Task<int> SlowChain() => DurableSlowChain.RunAsync(Options());

    [Benchmark(Description = "one write of one value")]
    public async Task OneWrite()
    {
        if (_store is not null)
        {
            await _store.WriteAsync("Kiln.Benchmarks.OneWrite", "one", new[] { new StoredValue(Interlocked.Increment(ref _run) & 1023, StoredValue.WholeNode, s_eightBytes) });
        }
    }

    private static readonly byte[] s_eightBytes = new byte[8];

    private KilnOptions? Options() =>
        _store is null ? null : new KilnOptions { Store = _store, RunId = "run-" + Interlocked.Increment(ref _run) };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ConnectionMultiplexer ConnectWithRetry(string endpoint)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return ConnectionMultiplexer.Connect(endpoint);
            }
            catch (RedisConnectionException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }
}
