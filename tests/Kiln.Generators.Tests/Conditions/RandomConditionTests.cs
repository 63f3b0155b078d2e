using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Generators.Tests.RandomDags;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Generators.Tests.Conditions;

/// <summary>
/// Differential test of SPEC section 10's skips: hundreds of random DAGs with random bool conditions, <c>[When]</c> of
/// both polarities, <c>Optional&lt;T&gt;</c> parameters and <c>[After]</c> edges, compiled by the generator in one
/// compilation and run at several degrees of parallelism, against <see cref="RandomConditionalDag.Reference"/>: which
/// nodes run, which are skipped (also as progress reports), the order, and the result.
/// </summary>
public class RandomConditionTests
{
    private const int Seed = 20261128;
    private const int DagCount = 300;

    private readonly ITestOutputHelper _output;

    public RandomConditionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Random_conditional_DAGs_run_and_skip_the_nodes_a_sequential_reference_does_and_return_its_result()
    {
        var random = new Random(Seed);
        RandomConditionalDag[] dags = Enumerable.Range(0, DagCount).Select(i => RandomConditionalDag.Create("Cond" + i, random)).ToArray();
        var source = new StringBuilder("using System;\nusing System.Threading.Tasks;\nusing Kiln;\n\nnamespace RandomConditions;\n\n");
        source.Append(Mixing.Source).Append("\n\n");
        foreach (RandomConditionalDag dag in dags)
        {
            source.Append(dag.ToSource());
        }

        GeneratedResult generated = KilnCompilation.Generate(source.ToString());
        Assembly assembly = KilnCompilation.LoadClean(generated);

        int runs = 0, skips = 0;
        foreach (RandomConditionalDag dag in dags)
        {
            MethodInfo runAsync = assembly.GetType("RandomConditions." + dag.ClassName, throwOnError: true)!.GetMethod("RunAsync")!;
            foreach (int? parallelism in new int?[] { null, 1, 4 })
            {
                long salt = random.NextInt64();
                ConditionalOutcome expected = dag.Reference(salt);
                await RunAndCheck(dag, runAsync, salt, expected, parallelism);
                runs++;
                skips += expected.Skipped.Count(s => s);
            }
        }

        // The test is only worth something if the random pipelines do skip, and not everything.
        int nodes = dags.Sum(d => d.Nodes.Count) * 3;
        _output.WriteLine($"seed {Seed}: {DagCount} pipelines, {runs} runs, {skips} of {nodes} node runs skipped");
        Assert.InRange(skips, nodes / 10, nodes * 9 / 10);
    }

    private static async Task RunAndCheck(RandomConditionalDag dag, MethodInfo runAsync, long salt, ConditionalOutcome expected, int? parallelism)
    {
        string context = $"{dag.ClassName} (MaxDegreeOfParallelism {parallelism?.ToString() ?? "default"})";
        var events = new ConcurrentQueue<(int Node, bool IsStart, long Sequence)>();
        long sequence = 0;
        Action<int, bool> log = (node, isStart) => events.Enqueue((node, isStart, Interlocked.Increment(ref sequence)));
        var progress = new SkipProgress();
        var options = new KilnOptions { Progress = progress };
        if (parallelism is int p)
        {
            options.MaxDegreeOfParallelism = p;
        }

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

        // A node that runs starts and ends once; a skipped one never starts, and progress reports it as skipped.
        foreach (ConditionalNode node in dag.Nodes)
        {
            int expectedCount = expected.Skipped[node.Index] ? 0 : 1;
            Assert.True(events.Count(e => e.Node == node.Index && e.IsStart) == expectedCount, $"{context}: {node.Name} started {events.Count(e => e.Node == node.Index && e.IsStart)} times, expected {expectedCount}");
            Assert.True(events.Count(e => e.Node == node.Index && !e.IsStart) == expectedCount, $"{context}: {node.Name} ended the wrong number of times");
        }

        PipelineProgress[] reports = progress.Reports.ToArray();
        Assert.True(reports.Length == dag.Nodes.Count, $"{context}: {reports.Length} progress reports for {dag.Nodes.Count} nodes");
        Assert.Equal(
            dag.Nodes.Where(n => expected.Skipped[n.Index]).Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal),
            reports.Where(r => r.Skipped).Select(r => r.Node).OrderBy(n => n, StringComparer.Ordinal));

        // A node that runs starts after every producer, [After] predecessor and condition that ran has ended.
        Dictionary<int, long> starts = events.Where(e => e.IsStart).ToDictionary(e => e.Node, e => e.Sequence);
        Dictionary<int, long> ends = events.Where(e => !e.IsStart).ToDictionary(e => e.Node, e => e.Sequence);
        foreach (ConditionalNode node in dag.Nodes.Where(n => !expected.Skipped[n.Index]))
        {
            IEnumerable<int> before = node.Inputs.Select(i => i.Producer).Concat(node.After).Concat(node.When >= 0 ? new[] { node.When } : Array.Empty<int>());
            foreach (int predecessor in before.Where(b => !expected.Skipped[b]))
            {
                Assert.True(ends[predecessor] < starts[node.Index], $"{context}: {node.Name} started before N{predecessor} ended");
            }
        }

        // The result: each sink's value, as Optional<T> when the sink may be skipped.
        bool[] maySkip = dag.MaySkip();
        IReadOnlyList<int> sinks = dag.Sinks;
        object? result = run.GetType().IsGenericType ? run.GetType().GetProperty("Result")!.GetValue(run) : null;
        switch (sinks.Count)
        {
            case 0:
                Assert.False(runAsync.ReturnType.IsGenericType, $"{context}: no sink, yet RunAsync returns {runAsync.ReturnType}");
                break;
            case 1:
                Assert.Equal(typeof(Task<>).MakeGenericType(SinkType(dag, maySkip, sinks[0])), runAsync.ReturnType);
                Assert.True(Equals(SinkValue(dag, maySkip, expected, sinks[0]), result), $"{context}: N{sinks[0]} is {result}, expected {SinkValue(dag, maySkip, expected, sinks[0])}");
                break;
            default:
                Type resultType = runAsync.ReturnType.GetGenericArguments()[0];
                Assert.Equal("Result", resultType.Name);
                foreach (int sink in sinks)
                {
                    PropertyInfo property = resultType.GetProperty("N" + sink)!;
                    Assert.Equal(SinkType(dag, maySkip, sink), property.PropertyType);
                    object? actual = property.GetValue(result);
                    Assert.True(Equals(SinkValue(dag, maySkip, expected, sink), actual), $"{context}: N{sink} is {actual}, expected {SinkValue(dag, maySkip, expected, sink)}");
                }

                break;
        }
    }

    private static Type SinkType(RandomConditionalDag dag, bool[] maySkip, int sink)
    {
        Type value = dag.Nodes[sink].IsCondition ? typeof(bool) : typeof(long);
        return maySkip[sink] ? typeof(Optional<>).MakeGenericType(value) : value;
    }

    private static object SinkValue(RandomConditionalDag dag, bool[] maySkip, ConditionalOutcome expected, int sink)
    {
        if (!maySkip[sink])
        {
            return expected.Values[sink];
        }

        bool skipped = expected.Skipped[sink];
        return dag.Nodes[sink].IsCondition
            ? skipped ? Optional<bool>.None : new Optional<bool>((bool)expected.Values[sink])
            : skipped ? Optional<long>.None : new Optional<long>((long)expected.Values[sink]);
    }

    /// <summary>Collects progress reports on the reporting thread.</summary>
    private sealed class SkipProgress : IProgress<PipelineProgress>
    {
        public ConcurrentQueue<PipelineProgress> Reports { get; } = new();

        public void Report(PipelineProgress value) => Reports.Enqueue(value);
    }
}
