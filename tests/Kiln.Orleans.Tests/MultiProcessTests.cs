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
using Orleans.Hosting;
using Xunit;

namespace Kiln.Orleans.Tests
{
    /// <summary>
    /// Three silo processes on loopback ports (tests/Kiln.Orleans.TestSilo), a client here, and one silo killed with
    /// SIGKILL while a distributed map runs.
    /// </summary>
    public sealed class MultiProcessTests
    {
        private const int Count = 150;

        [Fact]
        public async Task AMapSurvivesASiloProcessKilledWithSigkill()
        {
            int[] ports = FreePorts(6);
            int primary = ports[0];
            var silos = new List<Process>();
            IHost? client = null;
            try
            {
                silos.Add(await StartSilo("silo-0", ports[0], ports[1], primary));
                Process[] rest = await Task.WhenAll(StartSilo("silo-1", ports[2], ports[3], primary), StartSilo("silo-2", ports[4], ports[5], primary));
                silos.AddRange(rest);

                client = new HostBuilder()
                    .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
                    .UseOrleansClient(c => c.UseLocalhostClustering(new[] { ports[1], ports[3], ports[5] }))
                    .Build();
                await client.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
                var cluster = new OrleansCluster(client.Services.GetRequiredService<IClusterClient>());

                // Wait until the client sees all three silos: a map then spreads over them.
                await WaitForSilos(client.Services.GetRequiredService<IClusterClient>(), 3);

                using var recorder = new SiloRecorder(nameof(Spread));
                Task<Spread.Result> run = Spread.RunAsync(Count, 2026, "procs", delayMs: 250, new KilnOptions { Cluster = cluster });
                var waited = Stopwatch.StartNew();
                while (recorder.Attempts.Count(a => a.Succeeded && a.Silo == "silo-2") < 5 && waited.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(10);
                }

                Assert.False(run.IsCompleted, "the run ended before the silo could be killed");
                silos[2].Kill(); // SIGKILL
                await silos[2].WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                long killed = DateTime.UtcNow.Ticks; // silo-2 finishes nothing after this
                Spread.Result result = await run.WaitAsync(TimeSpan.FromSeconds(90));

                Spread.Result local = await Spread.RunAsync(Count, 2026, "procs", 0);
                Assert.Equal(local.Items.Select(s => (s.Index, s.Value)), result.Items.Select(s => (s.Index, s.Value)));
                Assert.Equal(local.Total, result.Total);
                Assert.All(result.Items, s => Assert.StartsWith("silo-", s.Process, StringComparison.Ordinal));
                string[] after = result.Items.Where(s => s.FinishedTicks > killed).Select(s => s.Process).Distinct().OrderBy(p => p).ToArray();
                Assert.Equal(new[] { "silo-0", "silo-1" }, after); // both survivors worked after the kill, the dead one never again
                Assert.Contains(result.Items, s => s.Process == "silo-2"); // it had done its share before
            }
            finally
            {
                if (client is not null)
                {
                    try
                    {
                        await client.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    }
                    catch (TimeoutException)
                    {
                        // The silos are killed below either way.
                    }

                    client.Dispose();
                }

                foreach (Process silo in silos)
                {
                    if (!silo.HasExited)
                    {
                        silo.Kill();
                    }

                    await silo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    silo.Dispose();
                }
            }
        }

        private static async Task WaitForSilos(IClusterClient client, int count)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                KilnSilo[] active = await client.GetGrain<IKilnMembershipGrain>(0).ActiveSilos();
                if (active.Length == count)
                {
                    return;
                }

                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"only {active.Length} silos became active");
                await Task.Delay(100);
            }
        }

        private static async Task<Process> StartSilo(string name, int siloPort, int gatewayPort, int primaryPort)
        {
            string program = Path.Combine(AppContext.BaseDirectory, "Kiln.Orleans.TestSilo.dll");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { program, "silo", name, siloPort.ToString(), gatewayPort.ToString(), primaryPort.ToString() })
            {
                start.ArgumentList.Add(argument);
            }

            Process process = Process.Start(start) ?? throw new InvalidOperationException("the silo did not start");
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var errors = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == "ready")
                {
                    ready.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            };
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"silo {name} exited: {errors}"));
            process.EnableRaisingEvents = true;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
                throw;
            }

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
}
