using System;
using System.Net;
using System.Threading.Tasks;
using Kiln.Orleans.TestSilo;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

// A silo for the multi-process cluster test: `silo <name> <siloPort> <gatewayPort> <primarySiloPort>`, localhost clustering.
// It prints "ready" once started and runs until killed.
if (args.Length != 5 || args[0] != "silo")
{
    Console.Error.WriteLine("usage: silo <name> <siloPort> <gatewayPort> <primarySiloPort>");
    return 2;
}

string name = args[1];
int siloPort = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int gatewayPort = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
int primaryPort = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
Environment.SetEnvironmentVariable("KILN_TEST_SILO", name);

HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, primaryPort))
    .Configure<SiloOptions>(o => o.SiloName = name)
    .Configure<ClusterMembershipOptions>(ClusterTuning.Fast)
    .AddKiln(typeof(Spread).Assembly));
using IHost host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
return 0;

namespace Kiln.Orleans.TestSilo
{
    /// <summary>Failure detection tuned for tests: a silo that stops answering is declared dead within a few seconds.</summary>
    public static class ClusterTuning
    {
        public static void Fast(ClusterMembershipOptions options)
        {
            options.ProbeTimeout = TimeSpan.FromMilliseconds(500);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
            options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
        }
    }
}
