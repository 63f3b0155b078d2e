using Kiln;
using Kiln.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

// A new user's program on Kiln.Orleans alone: one silo on loopback ports, the pipeline's distributed map run on it
// through OrleansCluster, and the same run here.
int siloPort = int.Parse(args[0]), gatewayPort = int.Parse(args[1]);
HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(siloPort, gatewayPort)
    .Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = "consumer-silo")
    .AddKiln(typeof(Squares).Assembly));
using IHost host = builder.Build();
await host.StartAsync();
var options = new KilnOptions { Cluster = new OrleansCluster(host.Services.GetRequiredService<IGrainFactory>(), "consumer") };
long onCluster = await Squares.RunAsync(10, options);
long here = await Squares.RunAsync(10);
Console.WriteLine($"cluster: sum={onCluster} local={here} cluster={options.Cluster.Name}");
await host.StopAsync();

[Pipeline]
public static partial class Squares
{
    [Task] public static int[] Numbers(int count) => Enumerable.Range(1, count).ToArray();
    [Map(Distributed = true)] public static long Square(int numbers) => (long)numbers * numbers;
    [Task] public static long Sum(long[] square) => square.Sum();
}
