using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Kiln.Orleans;
using Kiln.Orleans.TestSilo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace Kiln.Orleans.Benchmarks;

/// <summary>
/// A cluster of silo processes on loopback ports (tests/Kiln.Orleans.TestSilo, the program the multi-process test
/// kills) and a client in this process. The pipeline is <see cref="Spread"/>: a distributed map, 12 items at a time,
/// each waiting <c>delayMs</c> (an I/O-bound item) and scoring its number.
/// </summary>
public sealed class SiloProcesses : IDisposable
{
    private readonly List<Process> _silos = new();
    private Microsoft.Extensions.Hosting.IHost? _client;

    public KilnOptions Options { get; private set; } = null!;

    public IReadOnlyList<Process> Silos => _silos;

    public static SiloProcesses Start(int count)
    {
        var cluster = new SiloProcesses();
        try
        {
            cluster.StartAsync(count).GetAwaiter().GetResult();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private async Task StartAsync(int count)
    {
        int[] ports = FreePorts(2 * count);
        _silos.Add(await StartSilo("silo-0", ports[0], ports[1], ports[0]));
        for (int i = 1; i < count; i++)
        {
            _silos.Add(await StartSilo("silo-" + i, ports[2 * i], ports[2 * i + 1], ports[0]));
        }

        _client = new HostBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Error))
            .UseOrleansClient(c => c.UseLocalhostClustering(Enumerable.Range(0, count).Select(i => ports[2 * i + 1]).ToArray()))
            .Build();
        await _client.StartAsync();
        IClusterClient client = _client.Services.GetRequiredService<IClusterClient>();
        var waited = Stopwatch.StartNew();
        while ((await client.GetGrain<IKilnMembershipGrain>(0).ActiveSilos()).Length < count)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("the silos did not all become active");
            }

            await Task.Delay(100);
        }

        Options = new KilnOptions { Cluster = new OrleansCluster(client) };
        await Spread.RunAsync(count * 24, 1, "warm", 0, Options); // every silo has its activations
    }

    public void Dispose()
    {
        if (_client is not null)
        {
            _client.StopAsync().Wait(TimeSpan.FromSeconds(10));
            _client.Dispose();
        }

        foreach (Process silo in _silos)
        {
            if (!silo.HasExited)
            {
                silo.Kill();
            }

            silo.WaitForExit(10_000);
            silo.Dispose();
        }
    }

    private static async Task<Process> StartSilo(string name, int siloPort, int gatewayPort, int primaryPort)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "Kiln.Orleans.TestSilo.dll"), "silo", name, siloPort.ToString(), gatewayPort.ToString(), primaryPort.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("no silo process");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => { if (e.Data == "ready") { ready.TrySetResult(); } };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return process;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        int[] ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}

/// <summary>
/// What an item costs to send to a silo and back, against the same map run here: items that do not wait, so the
/// difference is Kiln's serialization plus an Orleans call over loopback TCP to another process. Per item.
/// </summary>
[MemoryDiagnoser]
public class ClusterOverheadBenchmarks
{
    private const int Items = 600;
    private SiloProcesses _cluster = null!;

    [GlobalSetup]
    public void Setup() => _cluster = SiloProcesses.Start(1);

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public Task<Spread.Result> LocalMap() => Spread.RunAsync(Items, 1, "overhead", 0);

    [Benchmark(OperationsPerInvoke = Items)]
    public Task<Spread.Result> DistributedMapOneSilo() => Spread.RunAsync(Items, 1, "overhead", 0, _cluster.Options);
}

/// <summary>
/// A distributed map on 1, 2 and 3 silo processes, items waiting 20 ms each, 12 at a time: a simulation, every
/// process on the same 2 cores. Per item.
/// </summary>
public class ClusterThroughputBenchmarks
{
    private const int Items = 240;
    private SiloProcesses _cluster = null!;

    [Params(1, 2, 3)]
    public int Silos { get; set; }

    [GlobalSetup]
    public void Setup() => _cluster = SiloProcesses.Start(Silos);

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    [Benchmark(OperationsPerInvoke = Items)]
    public Task<Spread.Result> DistributedMap() => Spread.RunAsync(Items, 1, "throughput", 20, _cluster.Options);
}

/// <summary>
/// The time from a silo's death to its items running elsewhere: 3 silo processes, 36 items of 1,000 ms, 12 at a time
/// (4 per silo); 300 ms in, silo-2 gets SIGKILL. Without the kill the run takes 3 rounds of 1 s; with it, the 4 items
/// that silo-2 held run again once the loss is noticed (and the items queued behind them wait), so the difference of
/// the two rows is the time to notice the loss and re-send its items, plus the 300 ms they had already run.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3, invocationCount: 1)]
public class ClusterFailoverBenchmarks
{
    private SiloProcesses _cluster = null!;

    [IterationSetup]
    public void Setup() => _cluster = SiloProcesses.Start(3);

    [IterationCleanup]
    public void Cleanup() => _cluster.Dispose();

    [Benchmark(Baseline = true)]
    public Task<Spread.Result> NoSiloLost() => Spread.RunAsync(36, 1, "failover", 1000, _cluster.Options);

    [Benchmark]
    public async Task<Spread.Result> SiloKilledAfter300Ms()
    {
        Task<Spread.Result> run = Spread.RunAsync(36, 1, "failover", 1000, _cluster.Options);
        await Task.Delay(300);
        long killed = DateTime.UtcNow.Ticks;
        _cluster.Silos[2].Kill();
        Spread.Result result = await run;
        if (result.Items.Length != 36)
        {
            throw new InvalidOperationException("items lost");
        }

        // The first round's items that silo-2 held ran again elsewhere: each started 1,000 ms before it finished. The
        // time from the kill to those starts is the failover time (printed into BenchmarkDotNet's log).
        double[] restarts = result.Items.Take(12)
            .Select(s => TimeSpan.FromTicks(s.FinishedTicks - killed).TotalMilliseconds - 1000)
            .Where(ms => ms > 0)
            .ToArray();
        Console.WriteLine($"// failover: {restarts.Length} items restarted {string.Join(", ", restarts.Select(ms => ms.ToString("F0")))} ms after the kill");
        return result;
    }
}
