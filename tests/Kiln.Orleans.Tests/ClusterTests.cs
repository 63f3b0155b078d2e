using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Orleans.TestSilo;
using Orleans.TestingHost;
using Xunit;

namespace Kiln.Orleans.Tests
{
    /// <summary>One 3-silo in-process cluster for the tests that leave it as they found it.</summary>
    public sealed class SharedCluster : IAsyncLifetime
    {
        public TestCluster Cluster { get; private set; } = null!;

        public OrleansCluster Kiln { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await Clusters.StartAsync(3);
            Kiln = new OrleansCluster(Cluster.Client);
        }

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    public sealed class ClusterTests : IClassFixture<SharedCluster>
    {
        private readonly SharedCluster _shared;

        public ClusterTests(SharedCluster shared) => _shared = shared;

        private KilnOptions OnCluster() => new() { Cluster = _shared.Kiln };

        private static void AssertCorrect(int count, int seed, string salt, Scored[] items, long total)
        {
            var random = new Random(seed);
            int[] numbers = Enumerable.Range(0, count).Select(_ => random.Next(-1000, 1000)).ToArray();
            Assert.Equal(count, items.Length);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(i, items[i].Index);
                Assert.Equal((long)numbers[i] * numbers[i] + i * 7L + salt.Length, items[i].Value);
            }

            Assert.Equal(items.Sum(s => s.Value), total);
        }

        [Fact]
        public async Task MapItemsSpreadOverAllThreeSilos()
        {
            using var recorder = new SiloRecorder(nameof(Spread));
            Spread.Result result = await Spread.RunAsync(count: 60, seed: 1, salt: "abc", delayMs: 20, options: OnCluster());
            AssertCorrect(60, 1, "abc", result.Items, result.Total);

            var silos = recorder.Attempts.Where(a => a.Succeeded).GroupBy(a => a.Silo).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(60, recorder.Attempts.Count(a => a.Succeeded));
            Assert.Equal(_shared.Cluster.Silos.Select(s => s.Name).OrderBy(n => n), silos.Keys.OrderBy(n => n));
            Assert.All(silos.Values, count => Assert.InRange(count, 10, 30)); // taken in turn: about a third each
        }

        [Theory]
        [InlineData(0, 0)]
        [InlineData(1, 5)]
        [InlineData(37, 11)]
        [InlineData(200, 12345)]
        public async Task ResultsEqualALocalRun(int count, int seed)
        {
            Spread.Result local = await Spread.RunAsync(count, seed, "salt", 0);
            Spread.Result remote = await Spread.RunAsync(count, seed, "salt", 0, OnCluster());
            Assert.Equal(local.Total, remote.Total);
            Assert.Equal(local.Items.Select(s => (s.Index, s.Value)), remote.Items.Select(s => (s.Index, s.Value)));
        }

        [Theory]
        [InlineData("the cat and the hat", 3)]
        [InlineData("the cat and the hat!", 1)]
        [InlineData("a", 5)]
        [InlineData("", 0)]
        public async Task MixedPipelineEqualsALocalRun(string text, int minLength)
        {
            string local = await Mixed.RunAsync(text, minLength);
            string remote = await Mixed.RunAsync(text, minLength, new KilnOptions { Cluster = _shared.Kiln });
            var loopback = new LoopbackCluster();
            string throughRegistry = await Mixed.RunAsync(text, minLength, new KilnOptions { Cluster = loopback });
            Assert.Equal(local, remote);
            Assert.Equal(local, throughRegistry);
            int words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.Equal(1 + 2 * words, loopback.Calls); // Counts once, Decorate and Touch once per word
        }

        [Fact]
        public async Task ANodesOwnExceptionFailsTheRunAfterItsRetries()
        {
            Failing.Reset();
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(
                () => Failing.RunAsync(7, new KilnOptions { Cluster = _shared.Kiln, RetryDelay = TimeSpan.FromMilliseconds(1) }));
            Assert.Equal(nameof(Failing.Explode), failure.NodeName);
            Assert.Equal(3, failure.Attempts);
            Assert.Equal(3, Failing.Attempts); // retried as a node failure, never as a lost silo
            RemoteNodeException remote = Assert.IsType<RemoteNodeException>(failure.InnerException);
            Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteType);
            Assert.Equal("boom 7", remote.RemoteMessage);
            Assert.Contains(remote.Worker, _shared.Cluster.Silos.Select(s => s.Name));
        }

        [Fact]
        public async Task AFailingItemNamesItsIndex()
        {
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => FailingItem.RunAsync(20, 13, OnCluster()));
            Assert.Equal(nameof(FailingItem.Check), failure.NodeName);
            Assert.Equal(13, failure.ItemIndex);
            RemoteNodeException remote = Assert.IsType<RemoteNodeException>(failure.InnerException);
            Assert.Equal(typeof(ArgumentException).FullName, remote.RemoteType);
            Assert.Equal("item 13 is bad", remote.RemoteMessage);
        }

        [Fact]
        public async Task CancellationReachesTheItemsOnTheSilos()
        {
            Endless.Reset();
            using var cancel = new CancellationTokenSource();
            Task<int[]> run = Endless.RunAsync(12, OnCluster(), cancel.Token);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (Endless.Started < 6 && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(20);
            }

            Assert.Equal(6, Endless.Started); // MaxConcurrency items run on the silos
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).WaitAsync(TimeSpan.FromSeconds(20));
            while (Endless.Cancelled < 6 && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            Assert.Equal(6, Endless.Cancelled); // each item saw its token cancelled on its silo
            Assert.Equal(6, Endless.Started);
        }

        [Fact]
        public async Task AMegabyteArgumentAndResultTravel()
        {
            var random = new Random(42);
            string blob = new string(Enumerable.Range(0, 1 << 20).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
            string reversed = await Large.RunAsync(blob, OnCluster());
            Assert.Equal(new string(blob.Reverse().ToArray()), reversed);
        }

        [Fact]
        public async Task AnArgumentThatDoesNotReadBackFailsTheNode()
        {
            Assert.Equal(-5, await Unreadable.RunAsync(5)); // here nothing is serialized
            PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => Unreadable.RunAsync(5, OnCluster()));
            Assert.Equal(nameof(Unreadable.Use), failure.NodeName);
            RemoteNodeException remote = Assert.IsType<RemoteNodeException>(failure.InnerException);
            Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, remote.RemoteType);
        }

        [Fact]
        public async Task TraceEventsNameTheSilo()
        {
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kiln-cluster-trace-{Guid.NewGuid():n}.json");
            try
            {
                await Spread.RunAsync(9, 3, "x", 0, new KilnOptions { Cluster = _shared.Kiln, TracePath = path });
                using var trace = System.Text.Json.JsonDocument.Parse(await System.IO.File.ReadAllTextAsync(path));
                string[] silos = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                    .Where(e => e.TryGetProperty("cat", out var cat) && cat.GetString() == "attempt")
                    .Select(e => e.GetProperty("args").GetProperty("silo").GetString()!)
                    .ToArray();
                Assert.Equal(9, silos.Length);
                Assert.All(silos, s => Assert.Contains(s, _shared.Cluster.Silos.Select(x => x.Name)));
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public async Task ProgressReportsDistributedNodesLikeLocalOnes()
        {
            var reports = new System.Collections.Concurrent.ConcurrentQueue<PipelineProgress>();
            var progress = new SyncProgress(reports.Enqueue);
            await Spread.RunAsync(5, 1, "p", 0, new KilnOptions { Cluster = _shared.Kiln, Progress = progress });
            Assert.Equal(new[] { "Items", "Numbers", "Score", "Total" }, reports.Select(r => r.Node).OrderBy(n => n));
            Assert.Equal(4, reports.Max(r => r.Completed));
        }

        private sealed class SyncProgress(Action<PipelineProgress> report) : IProgress<PipelineProgress>
        {
            public void Report(PipelineProgress value) => report(value);
        }
    }
}
