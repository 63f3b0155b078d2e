using System;
using BenchmarkDotNet.Attributes;
using Kiln.Benchmarks.Shapes;

namespace Kiln.Benchmarks;

/// <summary>
/// Taskflow's shapes with 1,024 nodes each. Every result is per task (OperationsPerInvoke), so it reads directly as
/// the scheduling cost of one node; Direct is the floor (the same methods called in topological order).
/// </summary>
[MemoryDiagnoser]
public class SchedulingBenchmarks
{
    private const int Nodes = 1024;
    private readonly KilnOptions _observed = new() { Progress = new IgnoredProgress() };

    public enum GraphShape
    {
        LinearChain,
        FanOut,
        BinaryTree,
        RandomDag,
    }

    [Params(GraphShape.LinearChain, GraphShape.FanOut, GraphShape.BinaryTree, GraphShape.RandomDag)]
    public GraphShape Shape { get; set; }

    [Benchmark(Baseline = true, OperationsPerInvoke = Nodes)]
    public void Direct()
    {
        switch (Shape)
        {
            case GraphShape.LinearChain: LinearChain.RunDirect(); break;
            case GraphShape.FanOut: FanOut.RunDirect(); break;
            case GraphShape.BinaryTree: BinaryTree.RunDirect(); break;
            default: RandomDag.RunDirect(); break;
        }
    }

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void Kiln()
    {
        switch (Shape)
        {
            case GraphShape.LinearChain: Work.Keep(LinearChain.RunAsync().GetAwaiter().GetResult()); break;
            case GraphShape.FanOut: FanOut.RunAsync().GetAwaiter().GetResult(); break;
            case GraphShape.BinaryTree: BinaryTree.RunAsync().GetAwaiter().GetResult(); break;
            default: RandomDag.RunAsync().GetAwaiter().GetResult(); break;
        }
    }

    /// <summary>The same runs with a progress observer: what observing costs, against Kiln (observer off).</summary>
    [Benchmark(OperationsPerInvoke = Nodes)]
    public void KilnObserved()
    {
        switch (Shape)
        {
            case GraphShape.LinearChain: Work.Keep(LinearChain.RunAsync(_observed).GetAwaiter().GetResult()); break;
            case GraphShape.FanOut: FanOut.RunAsync(_observed).GetAwaiter().GetResult(); break;
            case GraphShape.BinaryTree: BinaryTree.RunAsync(_observed).GetAwaiter().GetResult(); break;
            default: RandomDag.RunAsync(_observed).GetAwaiter().GetResult(); break;
        }
    }

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void Tasks() => Baselines.RunWithTasks(Predecessors, Actions).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void Dataflow() => Baselines.RunWithDataflow(Predecessors, Actions).GetAwaiter().GetResult();

    private sealed class IgnoredProgress : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
        }
    }

    private int[][] Predecessors => Shape switch
    {
        GraphShape.LinearChain => LinearChain.Predecessors,
        GraphShape.FanOut => FanOut.Predecessors,
        GraphShape.BinaryTree => BinaryTree.Predecessors,
        _ => RandomDag.Predecessors,
    };

    private Action[] Actions => Shape switch
    {
        GraphShape.LinearChain => LinearChain.Actions,
        GraphShape.FanOut => FanOut.Actions,
        GraphShape.BinaryTree => BinaryTree.Actions,
        _ => RandomDag.Actions,
    };
}
