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
/// Differential test of durable runs (SPEC section 11): random DAG pipelines marked durable fail at a random node, then
/// resume from their store. The resumed result must equal the sequential reference, no node that completed runs again,
/// and every node that ends a path and had not completed runs.
/// </summary>
public class DurableRandomDagTests
{
    private const int Seed = 20261128;
    private const int DagCount = 60;

    private readonly ITestOutputHelper _output;

    public DurableRandomDagTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Random_durable_DAGs_resume_after_a_failure_to_the_reference_result_without_running_completed_nodes_again()
    {
        _output.WriteLine($"seed {Seed}, {DagCount} pipelines");
        var random = new Random(Seed);
        RandomDag[] dags = Enumerable.Range(0, DagCount).Select(i => RandomDag.Create("DurableDag" + i, random)).ToArray();
        var source = new StringBuilder("using System;\nusing System.Threading.Tasks;\nusing Kiln;\n\nnamespace RandomDags;\n\n");
        source.Append(Mixing.Source).Append("\n\n").Append(Mixing.DurableLedgerSource).Append("\n\n");
        foreach (RandomDag dag in dags)
        {
            source.Append(dag.ToSource(durable: true));
        }

        GeneratedResult generated = KilnCompilation.Generate(source.ToString());
        Assembly assembly = KilnCompilation.LoadClean(generated);

        // The hook records (node, start) per run key and throws where the test injects a failure.
        var events = new ConcurrentDictionary<string, ConcurrentQueue<(int Node, bool IsStart)>>();
        var failAt = new ConcurrentDictionary<string, int>();
        Action<string, int, bool> hook = (key, node, isStart) =>
        {
            events.GetOrAdd(key, _ => new ConcurrentQueue<(int, bool)>()).Enqueue((node, isStart));
            if (isStart && failAt.TryGetValue(key, out int fail) && fail == node)
            {
                throw new InvalidOperationException($"injected failure at N{node}");
            }
        };
        assembly.GetType("RandomDags.DurableLedger", throwOnError: true)!.GetField("Hook")!.SetValue(null, hook);

        foreach (RandomDag dag in dags)
        {
            MethodInfo runAsync = assembly.GetType("RandomDags." + dag.ClassName, throwOnError: true)!.GetMethod("RunAsync")!;
            long salt = random.NextInt64();
            int failing = random.Next(dag.Nodes.Count);
            string key = dag.ClassName;
            await using var store = new InMemoryRunStore();
            var options = new KilnOptions { Store = store, RunId = "run", MaxDegreeOfParallelism = random.Next(1, 5) };
            string context = $"{dag.ClassName} failing at N{failing}";

            failAt[key] = failing;
            var first = (Task)runAsync.Invoke(null, Arguments(runAsync, key, salt, options))!;
            var failure = await Assert.ThrowsAsync<PipelineException>(() => first.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.True(failure.NodeName == "N" + failing, $"{context}: failed at {failure.NodeName}");
            var firstEvents = events[key].ToList();
            HashSet<int> completed = firstEvents.Where(e => !e.IsStart).Select(e => e.Node).ToHashSet();

            failAt.TryRemove(key, out _);
            events[key] = new ConcurrentQueue<(int, bool)>();
            var second = (Task)runAsync.Invoke(null, Arguments(runAsync, key, salt, options))!;
            await second.WaitAsync(TimeSpan.FromSeconds(60));
            var secondEvents = events[key].ToList();

            foreach (int node in secondEvents.Where(e => e.IsStart).Select(e => e.Node))
            {
                Assert.False(completed.Contains(node), $"{context}: N{node} completed in the first run and ran again");
            }

            Assert.True(secondEvents.Where(e => e.IsStart).Select(e => e.Node).Distinct().Count() == secondEvents.Count(e => e.IsStart), $"{context}: a node ran twice");

            // A node nothing depends on (a sink, or a node run for its effect) has completed in one of the two runs.
            var depended = new HashSet<int>(dag.Nodes.SelectMany(n => n.Producers.Concat(n.After)));
            foreach (DagNode node in dag.Nodes.Where(n => !depended.Contains(n.Index)))
            {
                Assert.True(completed.Contains(node.Index) || secondEvents.Contains((node.Index, false)), $"{context}: N{node.Index} never completed");
            }

            IReadOnlyDictionary<int, long> expected = dag.Reference(salt);
            object? result = second.GetType().IsGenericType ? second.GetType().GetProperty("Result")!.GetValue(second) : null;
            foreach (int sink in dag.Sinks)
            {
                long actual = dag.Sinks.Count == 1 ? (long)result! : (long)result!.GetType().GetProperty("N" + sink)!.GetValue(result)!;
                Assert.True(expected[sink] == actual, $"{context}: N{sink} differs from the reference");
            }
        }
    }

    private static object?[] Arguments(MethodInfo runAsync, string key, long salt, KilnOptions options) =>
        runAsync.GetParameters().Select(parameter => parameter.Name switch
        {
            "log" => key,
            "salt" => salt,
            "options" => options,
            "cancellationToken" => (object)CancellationToken.None,
            _ => throw new InvalidOperationException($"unexpected RunAsync parameter '{parameter.Name}'"),
        }).ToArray();
}
