using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Cluster;
using Kiln.Orleans.TestSilo;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

namespace Kiln.Orleans.Tests
{
    /// <summary>In-process silos of a <see cref="TestCluster"/>, each with <c>AddKiln()</c> and fast failure detection.</summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .Configure<ClusterMembershipOptions>(ClusterTuning.Fast)
            .AddKiln(typeof(Spread).Assembly);
    }

    public static class Clusters
    {
        /// <summary>Starts a cluster of <paramref name="silos"/> in-process silos.</summary>
        public static async Task<TestCluster> StartAsync(int silos)
        {
            var builder = new TestClusterBuilder((short)silos);
            builder.AddSiloBuilderConfigurator<SiloConfigurator>();
            TestCluster cluster = builder.Build();
            await cluster.DeployAsync();
            return cluster;
        }
    }

    /// <summary>A cluster without a transport: runs each call through the registry of this process's generated tables.</summary>
    public sealed class LoopbackCluster : IKilnCluster
    {
        private readonly DistributedNodeRegistry _registry = DistributedNodeRegistry.FromAssemblies(new[] { typeof(Spread).Assembly });
        private int _calls;

        public string Name => "loopback";

        public int Calls => Volatile.Read(ref _calls);

        public async ValueTask<ClusterResult> InvokeAsync(ClusterCall call, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            DistributedOutcome outcome = await _registry.RunAsync(
                call.Pipeline, call.Node, call.Fingerprint, call.Arguments, call.Item ?? ReadOnlyMemory<byte>.Empty, call.ItemIndex, cancellationToken);
            return outcome.Succeeded
                ? new ClusterResult(outcome.Value!, "loopback")
                : throw new RemoteNodeException(outcome.ErrorType!, outcome.ErrorMessage!, "loopback", outcome.ErrorStackTrace);
        }
    }

    /// <summary>Collects, per map item, the silos named by the attempt activities of one pipeline's distributed node.</summary>
    public sealed class SiloRecorder : IDisposable
    {
        private readonly ActivityListener _listener;

        public SiloRecorder(string pipeline)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == global::Kiln.Execution.KilnActivity.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.GetTagItem("kiln.pipeline") as string == pipeline && activity.GetTagItem("kiln.silo") is string silo)
                    {
                        int item = activity.GetTagItem("kiln.item") is int i ? i : -1;
                        Attempts.Enqueue((item, silo, activity.Status != ActivityStatusCode.Error));
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<(int Item, string Silo, bool Succeeded)> Attempts { get; } = new();

        public void Dispose() => _listener.Dispose();
    }
}
