using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Orleans.TestSilo;
using Orleans.TestingHost;
using Xunit;

namespace Kiln.Orleans.Tests
{
    /// <summary>Silos lost while a distributed map runs: each test has a cluster of its own.</summary>
    public sealed class SiloLossTests
    {
        private const int Count = 90;
        private const int Seed = 77;
        private const string Salt = "loss";

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task AMapSurvivesASiloStoppedOrKilledMidRun(bool kill)
        {
            TestCluster cluster = await Clusters.StartAsync(3);
            try
            {
                using var recorder = new SiloRecorder(nameof(Spread));
                var options = new KilnOptions { Cluster = new OrleansCluster(cluster.Client) };
                Task<Spread.Result> run = Spread.RunAsync(Count, Seed, Salt, delayMs: 150, options);

                // Once every silo has finished items, take one away (never the primary, which holds the test membership).
                SiloHandle victim = cluster.SecondarySilos[^1];
                var waited = Stopwatch.StartNew();
                while (recorder.Attempts.Count(a => a.Succeeded && a.Silo == victim.Name) < 3 && waited.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(10);
                }

                Assert.False(run.IsCompleted, "the run ended before the silo could be lost");
                if (kill)
                {
                    await cluster.KillSiloAsync(victim);
                }
                else
                {
                    await cluster.StopSiloAsync(victim);
                }

                int before = recorder.Attempts.Count; // what finished from here on ran once the silo was gone

                Spread.Result result = await run.WaitAsync(TimeSpan.FromSeconds(60));

                Spread.Result local = await Spread.RunAsync(Count, Seed, Salt, 0);
                Assert.Equal(local.Items.Select(s => (s.Index, s.Value)), result.Items.Select(s => (s.Index, s.Value))); // every item once, correct
                Assert.Equal(local.Total, result.Total);
                var after = recorder.Attempts.Skip(before).Where(a => a.Succeeded).Select(a => a.Silo).Distinct().ToArray();
                Assert.DoesNotContain(victim.Name, after.Where(_ => kill)); // a killed silo finishes nothing more
                Assert.True(after.Length >= 2, $"items ran on {string.Join(", ", after)} after the loss");
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }

        [Fact]
        public async Task WithNoSiloReachableTheRunFailsNamingTheCluster()
        {
            TestCluster cluster = await Clusters.StartAsync(1);
            var kiln = new OrleansCluster(cluster.Client, "kiln-test-cluster");
            try
            {
                await cluster.StopAllSilosAsync();
                var options = new KilnOptions { Cluster = kiln, ClusterAttempts = 2 };
                var watch = Stopwatch.StartNew();
                PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => Large.RunAsync("abc", options)).WaitAsync(TimeSpan.FromSeconds(60));
                ClusterUnavailableException unavailable = Assert.IsType<ClusterUnavailableException>(failure.InnerException);
                Assert.Equal("kiln-test-cluster", unavailable.Cluster);
                Assert.Contains("'kiln-test-cluster'", unavailable.Message, StringComparison.Ordinal);
                Assert.Contains("Reverse", unavailable.Message, StringComparison.Ordinal);
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }
    }
}
