using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Cluster;
using Kiln.Generators.Tests.Robustness;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Cluster;

/// <summary>
/// Distributed tasks and maps (SPEC section 12) in odd but valid shapes: each builds with no error or warning from
/// generated code, and gives the same result run here and through a cluster that sends every call through the
/// serialized path (the generated table of the compiled assembly, found by its assembly attribute).
/// </summary>
public class DistributedPipelineTests
{
    private const string Usings = Mistakes.Usings + "using System.Collections.Generic;\nusing System.Linq;\n";

    /// <param name="Name">What is odd.</param>
    /// <param name="Source">The source.</param>
    /// <param name="Type">The pipeline class's metadata name.</param>
    /// <param name="Inputs">RunAsync's inputs.</param>
    /// <param name="Expected">The result as text.</param>
    /// <param name="Calls">How many calls go to the cluster (-1: the pipeline cannot host distributed nodes, so none).</param>
    public sealed record Case(string Name, string Source, string Type, object?[] Inputs, string Expected, int Calls);

    public static IReadOnlyList<Case> Corpus { get; } = new Case[]
    {
        new("a task of every return shape", Usings + """
            [Pipeline] public static partial class P
            {
                [Task(Distributed = true)] public static int A(int seed) => seed + 1;
                [Task(Distributed = true)] public static Task<string> B(int a) => Task.FromResult("b" + a);
                [Task(Distributed = true)] public static ValueTask<long> C(string b) => new(b.Length);
                [Task(Distributed = true)] public static void D(long c) { }
                [Task(Distributed = true)] public static Task E(long c) => Task.CompletedTask;
                [Task(Distributed = true), After(nameof(D), nameof(E))] public static ValueTask F() => default;
                [Task, After(nameof(F))] public static string Show(string b, long c) => b + ":" + c;
            }
            """, "P", new object?[] { 4 }, "b5:2", 6),
        new("private nodes, keyword names, internal types", Usings + """
            internal sealed record Box(int N, string? Label);
            namespace @class { [Pipeline] internal static partial class @event
            {
                [Task] private static Box[] @int(int @for) => Enumerable.Range(0, @for).Select(i => new Box(i, i % 2 == 0 ? null : "x")).ToArray();
                [Map(Distributed = true, Retries = 1)] private static Box @string(Box @int, [Index] int @in) => @int with { N = @int.N * 10 + @in };
                [Task] private static string Show(Box[] @string) => string.Join(",", @string.Select(b => b.N + (b.Label ?? "-")));
            } }
            """, "class.event", new object?[] { 3 }, "0-,11x,22-", 3),
        new("an optional argument, a list item and inputs named like generated locals", Usings + """
            [Pipeline] public static partial class P
            {
                [Task] public static bool Skip(int json) => json < 0;
                [Task, When(nameof(Skip), false)] public static string Prefix(int json) => "p" + json;
                [Task] public static List<string?> Words(string reader) => reader.Split(' ').Select(w => w.Length == 0 ? null : w).ToList<string?>();
                [Map(Distributed = true, MaxConcurrency = 2)]
                public static async Task<string> Tag(string? words, Optional<string> prefix, int arguments, string value, [Index] int result, CancellationToken token)
                { await Task.Yield(); return prefix.GetValueOrDefault("none") + (words ?? "null") + arguments + value + result; }
                [Task] public static string Show(string[] tag) => string.Join("|", tag);
            }
            """, "P", new object?[] { 1, "a  b", 7, "v" }, "p1a7v0|p1null7v1|p1b7v2", 3),
        new("a skipped distributed task and an empty map", Usings + """
            [Pipeline] public static partial class P
            {
                [Task] public static bool No(int n) => false;
                [Task(Distributed = true), When(nameof(No))] public static int Never(int n) => throw new InvalidOperationException();
                [Task] public static int[] None(int n) => new int[0];
                [Map(Distributed = true)] public static int Each(int none) => throw new InvalidOperationException();
                [Task] public static string Show(Optional<int> never, int[] each) => never.HasValue + ":" + each.Length;
            }
            """, "P", new object?[] { 1 }, "False:0", 0),
        new("a durable pipeline with a distributed map", Usings + """
            public sealed record Page(string Url, int Words);
            [Pipeline(Durable = true)] public static partial class P
            {
                [Task] public static string[] Urls(int count) => Enumerable.Range(0, count).Select(i => "u" + i).ToArray();
                [Map(Distributed = true)] public static Page Fetch(string urls) => new(urls, urls.Length);
                [Task] public static int Total(Page[] fetch) => fetch.Sum(p => p.Words);
            }
            """, "P", new object?[] { 12 }, "26", 12),
        new("nodes named like the table's members", Usings + """
            [Pipeline] public static partial class P
            {
                [Task(Distributed = true)] public static int Nodes(int seed) => seed * 2;
                [Task(Distributed = true)] public static int Run0(int nodes) => nodes + 1;
                [Task(Distributed = true)] public static int Run1(int run0) => run0 + 1;
            }
            """, "P", new object?[] { 5 }, "12", 3),
        new("a generic outer class: runs here", Usings + """
            public static partial class Outer<TItem> { [Pipeline] public static partial class P
            {
                [Task(Distributed = true)] public static TItem[] Wrap(TItem item) => new[] { item };
                [Task] public static int Count(TItem[] wrap) => wrap.Length;
            } }
            """, "Outer`1+P", new object?[] { 9 }, "1", -1),
        new("a private nested pipeline: runs here", Usings + """
            public static partial class Outer
            {
                [Pipeline] private static partial class P { [Task(Distributed = true)] public static int A(int seed) => seed + 1; }
                public static Task<int> Go(int seed, KilnOptions? options) => P.RunAsync(seed, options);
            }
            """, "Outer+P", new object?[] { 2 }, "3", -1),
    };

    public static IEnumerable<object[]> Names() => Corpus.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_distributed_pipeline_builds_cleanly_and_gives_the_same_result_through_the_cluster(string name)
    {
        Case pipeline = Corpus.Single(c => c.Name == name);
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(pipeline.Source);
        Assert.True(check.GeneratedProblems.Count == 0, check.Describe());
        Assert.True(check.Result.Errors.IsEmpty, string.Join("\n", check.Result.Errors));

        // A pipeline that cannot host the table runs its distributed nodes here, and the analyzer says so (KILN020).
        bool runsHere = pipeline.Calls < 0 && pipeline.Source.Contains("Distributed = true", StringComparison.Ordinal);
        Assert.Equal(runsHere ? new[] { "KILN020" } : Array.Empty<string>(), check.KilnIds.Where(id => id != "KILN200").Distinct().Order());

        Assembly assembly = KilnCompilation.Load(check.Result.Output);
        Type type = assembly.GetType(pipeline.Type, throwOnError: true)!;
        if (type.ContainsGenericParameters)
        {
            type = type.MakeGenericType(type.GetGenericArguments().Select(_ => typeof(int)).ToArray());
        }

        MethodInfo runAsync = type.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        var cluster = new RecordingCluster(DistributedNodeRegistry.FromAssemblies(new[] { assembly }));
        string local = await Run(runAsync, pipeline.Inputs, null);
        string remote = await Run(runAsync, pipeline.Inputs, new KilnOptions { Cluster = cluster });
        Assert.Equal(pipeline.Expected, local);
        Assert.Equal(local, remote);
        Assert.Equal(Math.Max(0, pipeline.Calls), cluster.Calls);
        Assert.Equal(pipeline.Calls >= 0 && pipeline.Source.Contains("Distributed = true", StringComparison.Ordinal), cluster.Registry.Nodes.Any());
    }

    [Fact]
    public async Task A_worker_refuses_a_call_with_another_fingerprint_or_an_unknown_node()
    {
        Case pipeline = Corpus[0];
        Assembly assembly = KilnCompilation.Load(GeneratedCodeCheck.Of(pipeline.Source).Result.Output);
        var registry = DistributedNodeRegistry.FromAssemblies(new[] { assembly });
        DistributedNode a = registry.Nodes.Single(n => n.Node == "A");
        byte[] arguments = "[41]"u8.ToArray();

        DistributedOutcome ok = await registry.RunAsync("P", "A", a.Fingerprint, arguments, ReadOnlyMemory<byte>.Empty, -1, CancellationToken.None);
        Assert.Equal("42", System.Text.Encoding.UTF8.GetString(ok.Value!));

        DistributedOutcome stale = await registry.RunAsync("P", "A", "0000000000000000", arguments, ReadOnlyMemory<byte>.Empty, -1, CancellationToken.None);
        Assert.Contains("another version of node 'A'", stale.ErrorMessage, StringComparison.Ordinal);

        DistributedOutcome unknown = await registry.RunAsync("P", "Show", a.Fingerprint, arguments, ReadOnlyMemory<byte>.Empty, -1, CancellationToken.None);
        Assert.Contains("no distributed node 'Show'", unknown.ErrorMessage, StringComparison.Ordinal); // a local node is not callable

        DistributedOutcome wrongType = await registry.RunAsync("P", "A", a.Fingerprint, "[\"41\"]"u8.ToArray(), ReadOnlyMemory<byte>.Empty, -1, CancellationToken.None);
        Assert.Equal(typeof(System.Text.Json.JsonException).FullName, wrongType.ErrorType); // read only into the declared int

        DistributedOutcome wrongCount = await registry.RunAsync("P", "A", a.Fingerprint, "[41, 1]"u8.ToArray(), ReadOnlyMemory<byte>.Empty, -1, CancellationToken.None);
        Assert.Equal(typeof(System.Text.Json.JsonException).FullName, wrongCount.ErrorType);
    }

    private static async Task<string> Run(MethodInfo runAsync, object?[] inputs, KilnOptions? options)
    {
        var task = (Task)runAsync.Invoke(null, inputs.Append(options).Append(CancellationToken.None).ToArray())!;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task)?.ToString() ?? "null";
    }

    /// <summary>Sends each call through the registry's serialized path and counts the calls.</summary>
    private sealed class RecordingCluster(DistributedNodeRegistry registry) : IKilnCluster
    {
        private int _calls;

        public DistributedNodeRegistry Registry => registry;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "recording";

        public async ValueTask<ClusterResult> InvokeAsync(ClusterCall call, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            DistributedOutcome outcome = await registry.RunAsync(
                call.Pipeline, call.Node, call.Fingerprint, call.Arguments, call.Item ?? ReadOnlyMemory<byte>.Empty, call.ItemIndex, cancellationToken);
            return outcome.Succeeded ? new ClusterResult(outcome.Value!, "w") : throw new RemoteNodeException(outcome.ErrorType!, outcome.ErrorMessage!, "w");
        }
    }
}
