using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Generators.Tests.RandomDags;

/// <summary>
/// Differential test: hundreds of random DAG pipelines compiled by the generator in one compilation, each run at
/// several degrees of parallelism and compared with a sequential reference computed from the description alone.
/// </summary>
public class RandomDagTests
{
    private const int Seed = 20250611;
    private const int DagCount = 300;

    private readonly ITestOutputHelper _output;

    public RandomDagTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Random_DAGs_run_every_node_once_after_its_dependencies_and_match_a_sequential_reference()
    {
        _output.WriteLine($"seed {Seed}, {DagCount} pipelines");
        var random = new Random(Seed);
        RandomDag[] dags = Enumerable.Range(0, DagCount).Select(i => RandomDag.Create("Dag" + i, random)).ToArray();
        var source = new StringBuilder("using System;\nusing System.Threading.Tasks;\nusing Kiln;\n\nnamespace RandomDags;\n\n");
        source.Append(Mixing.Source).Append("\n\n");
        foreach (RandomDag dag in dags)
        {
            source.Append(dag.ToSource());
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        GeneratedResult generated = KilnCompilation.Generate(source.ToString());
        _output.WriteLine($"generated in {clock.Elapsed}");
        Assembly assembly = KilnCompilation.LoadClean(generated);
        _output.WriteLine($"emitted and loaded in {clock.Elapsed}");

        foreach (RandomDag dag in dags)
        {
            Type type = assembly.GetType("RandomDags." + dag.ClassName, throwOnError: true)!;
            MethodInfo runAsync = type.GetMethod("RunAsync")!;
            foreach (int? parallelism in new int?[] { null, 1, 4 })
            {
                long salt = random.NextInt64();
                await RunAndCheck(dag, runAsync, salt, parallelism);
            }
        }

        _output.WriteLine($"ran in {clock.Elapsed}");
    }

    private static async Task RunAndCheck(RandomDag dag, MethodInfo runAsync, long salt, int? parallelism)
    {
        string context = $"{dag.ClassName} (MaxDegreeOfParallelism {parallelism?.ToString() ?? "default"})";
        var events = new ConcurrentQueue<(int Node, bool IsStart, long Sequence)>();
        long sequence = 0;
        Action<int, bool> log = (node, isStart) => events.Enqueue((node, isStart, Interlocked.Increment(ref sequence)));
        KilnOptions? options = parallelism is int p ? new KilnOptions { MaxDegreeOfParallelism = p } : null;

        object?[] arguments = runAsync.GetParameters().Select(parameter => parameter.Name switch
        {
            "log" => log,
            "salt" => salt,
            "options" => options,
            "cancellationToken" => (object)CancellationToken.None,
            _ => throw new InvalidOperationException($"{context}: unexpected RunAsync parameter '{parameter.Name}'"),
        }).ToArray();

        var run = (Task)runAsync.Invoke(null, arguments)!;
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        // Every node exactly once.
        foreach (DagNode node in dag.Nodes)
        {
            Assert.True(events.Count(e => e.Node == node.Index && e.IsStart) == 1, $"{context}: {node.Name} did not start exactly once");
            Assert.True(events.Count(e => e.Node == node.Index && !e.IsStart) == 1, $"{context}: {node.Name} did not end exactly once");
        }

        // After all its producers and [After] predecessors.
        Dictionary<int, long> starts = events.Where(e => e.IsStart).ToDictionary(e => e.Node, e => e.Sequence);
        Dictionary<int, long> ends = events.Where(e => !e.IsStart).ToDictionary(e => e.Node, e => e.Sequence);
        foreach (DagNode node in dag.Nodes)
        {
            foreach (int before in node.Producers.Concat(node.After))
            {
                Assert.True(ends[before] < starts[node.Index], $"{context}: {node.Name} started before N{before} finished");
            }
        }

        // The sinks' values equal the sequential reference.
        IReadOnlyDictionary<int, long> expected = dag.Reference(salt);
        IReadOnlyList<int> sinks = dag.Sinks;
        object? result = run.GetType().IsGenericType ? run.GetType().GetProperty("Result")!.GetValue(run) : null;
        switch (sinks.Count)
        {
            case 0:
                Assert.False(runAsync.ReturnType.IsGenericType, $"{context}: no sink, yet RunAsync returns {runAsync.ReturnType}");
                break;
            case 1:
                Assert.Equal(typeof(Task<long>), runAsync.ReturnType);
                Assert.True(expected[sinks[0]] == (long)result!, $"{context}: N{sinks[0]} differs from the reference");
                break;
            default:
                Type resultType = runAsync.ReturnType.GetGenericArguments()[0];
                Assert.Equal("Result", resultType.Name);
                Assert.Equal(sinks.Select(s => "N" + s).OrderBy(n => n), resultType.GetProperties().Where(p => p.Name != "EqualityContract").Select(p => p.Name).OrderBy(n => n));
                foreach (int sink in sinks)
                {
                    Assert.True(expected[sink] == (long)resultType.GetProperty("N" + sink)!.GetValue(result)!, $"{context}: N{sink} differs from the reference");
                }

                break;
        }
    }
}
