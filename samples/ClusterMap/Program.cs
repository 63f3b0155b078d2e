using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ClusterMap;
using Kiln;
using Kiln.Execution;
using Kiln.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;

// dotnet run -- silo <n>            a silo on 127.0.0.1 (silo port 11111+n, gateway 30000+n); silo 0 is the primary
// dotnet run -- client [items] [ms] run the map on the silos 0..2 (default: 300 items of 1000 ms each)
// dotnet run -- local [items] [ms]  the same run, here, without a cluster
const int SiloPort = 11111, GatewayPort = 30000, Silos = 3;
string mode = args.Length > 0 ? args[0] : "client";
if (mode == "silo")
{
    int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
    Summaries.Worker = $"silo-{n}";
    HostApplicationBuilder builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering(SiloPort + n, GatewayPort + n, new IPEndPoint(IPAddress.Loopback, SiloPort))
        .Configure<SiloOptions>(o => o.SiloName = $"silo-{n}")
        // Notice a dead silo within seconds (the defaults take about half a minute).
        .Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
        })
        .AddKiln(typeof(Summaries).Assembly));
    using IHost host = builder.Build();
    await host.StartAsync();
    Console.WriteLine($"silo-{n} up (silo port {SiloPort + n}, gateway {GatewayPort + n}); Ctrl+C to stop");
    await host.WaitForShutdownAsync();
    return 0;
}

int items = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300;
int workMs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var options = new KilnOptions();
IHost? client = null;
if (mode == "client")
{
    client = new HostBuilder()
        .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
        .UseOrleansClient(c => c.UseLocalhostClustering(Enumerable.Range(GatewayPort, Silos).ToArray()))
        .Build();
    await client.StartAsync();
    options.Cluster = new OrleansCluster(client.Services.GetRequiredService<IClusterClient>());
}

// Each item's attempt is an Activity naming the silo that ran it: print them as they finish.
using var listener = new ActivityListener
{
    ShouldListenTo = s => s.Name == KilnActivity.SourceName,
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    ActivityStopped = a =>
    {
        if (a.GetTagItem("kiln.item") is int item)
        {
            string where = a.GetTagItem("kiln.silo") as string ?? "here";
            string status = a.Status == ActivityStatusCode.Error ? $"FAILED ({a.StatusDescription})" : "done";
            Console.WriteLine($"item {item,4} {status} on {where} in {a.Duration.TotalMilliseconds:F0} ms");
        }
    },
};
ActivitySource.AddActivityListener(listener);

var watch = Stopwatch.StartNew();
string report = await Summaries.RunAsync(items, workMs, options);
Console.WriteLine($"{report}  ({watch.Elapsed.TotalSeconds:F1} s, {(options.Cluster is null ? "local" : "cluster " + options.Cluster.Name)})");
if (client is not null)
{
    await client.StopAsync();
    client.Dispose();
}

return 0;
