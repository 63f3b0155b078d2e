using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Kiln.Orleans.TestSilo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Xunit;

namespace Kiln.Orleans.Tests
{
    /// <summary>
    /// Two silos and a client sharing their membership through Redis (<c>Microsoft.Orleans.Clustering.Redis</c>), the
    /// set-up docs/design.md recommends for deployments: a distributed map spreads over both. Skips where redis-server is
    /// not installed, unless <c>KILN_REQUIRE_REDIS=1</c> (as CI sets it).
    /// </summary>
    public sealed class RedisClusteringTests
    {
        [SkippableFact]
        public async Task A_map_runs_on_silos_that_share_membership_through_redis()
        {
            string? redis = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
            Skip.If(redis is null && Environment.GetEnvironmentVariable("KILN_REQUIRE_REDIS") != "1",
                "redis-server is not installed (Debian: apt-get install redis-server; CI sets KILN_REQUIRE_REDIS=1 so this fails there).");
            Assert.NotNull(redis);

            int[] ports = FreePorts(5);
            string directory = Directory.CreateTempSubdirectory("kiln-orleans-redis-").FullName;
            var start = new ProcessStartInfo(redis!)
            {
                ArgumentList = { "--port", ports[0].ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process server = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            var hosts = new List<IHost>();
            try
            {
                await WaitForPort(ports[0]);
                string connection = "127.0.0.1:" + ports[0];
                for (int i = 0; i < 2; i++)
                {
                    int silo = i;
                    IHost host = new HostBuilder()
                        .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                        .UseOrleans(b => b
                            .UseRedisClustering(connection)
                            .Configure<ClusterOptions>(o => { o.ClusterId = "kiln-redis"; o.ServiceId = "kiln"; })
                            .Configure<SiloOptions>(o => o.SiloName = "redis-silo-" + silo)
                            .ConfigureEndpoints(IPAddress.Loopback, ports[1 + 2 * silo], ports[2 + 2 * silo])
                            .AddKiln(typeof(Spread).Assembly))
                        .Build();
                    await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
                    hosts.Add(host);
                }

                IHost client = new HostBuilder()
                    .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                    .UseOrleansClient(c => c
                        .UseRedisClustering(connection)
                        .Configure<ClusterOptions>(o => { o.ClusterId = "kiln-redis"; o.ServiceId = "kiln"; }))
                    .Build();
                await client.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
                hosts.Insert(0, client);
                IClusterClient orleans = client.Services.GetRequiredService<IClusterClient>();
                var waited = Stopwatch.StartNew();
                while ((await orleans.GetGrain<IKilnMembershipGrain>(0).ActiveSilos()).Length < 2)
                {
                    Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the silos did not both become active");
                    await Task.Delay(100);
                }

                var cluster = new OrleansCluster(orleans);
                Assert.Equal("kiln-redis", cluster.Name);
                using var recorder = new SiloRecorder(nameof(Spread));
                Spread.Result remote = await Spread.RunAsync(40, 9, "redis", 0, new KilnOptions { Cluster = cluster });
                Spread.Result local = await Spread.RunAsync(40, 9, "redis", 0);
                Assert.Equal(local.Items.Select(s => (s.Index, s.Value)), remote.Items.Select(s => (s.Index, s.Value)));
                Assert.Equal(new[] { "redis-silo-0", "redis-silo-1" }, recorder.Attempts.Select(a => a.Silo).Distinct().OrderBy(s => s));
            }
            finally
            {
                foreach (IHost host in hosts)
                {
                    try
                    {
                        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
                    }
                    catch (TimeoutException)
                    {
                        // Disposed below either way.
                    }

                    host.Dispose();
                }

                if (!server.HasExited)
                {
                    server.Kill();
                }

                await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                Directory.Delete(directory, recursive: true);
            }
        }

        private static async Task WaitForPort(int port)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(20))
                {
                    await Task.Delay(50);
                }
            }
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
}
