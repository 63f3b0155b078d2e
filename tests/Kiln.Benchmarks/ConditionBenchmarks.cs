using BenchmarkDotNet.Attributes;
using Kiln.Benchmarks.Shapes;

namespace Kiln.Benchmarks;

/// <summary>
/// What a <c>[When]</c> costs per node: the same 256-node graphs with every node ordered after a bool node by
/// <c>[After]</c> (no conditions) and gated by <c>[When]</c> on it, the condition met (every node runs) or not (every
/// node is skipped). Results are per node (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class ConditionBenchmarks
{
    private const int Nodes = 256;

    public enum GraphShape
    {
        FanOut,
        Chain,
    }

    [Params(GraphShape.FanOut, GraphShape.Chain)]
    public GraphShape Shape { get; set; }

    [Benchmark(Baseline = true, OperationsPerInvoke = Nodes)]
    public void Unconditional()
    {
        if (Shape == GraphShape.FanOut)
        {
            OrderedFanOut.RunAsync(true).GetAwaiter().GetResult();
        }
        else
        {
            Work.Keep(OrderedChain.RunAsync(true).GetAwaiter().GetResult());
        }
    }

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void ConditionMet() => RunGated(true);

    [Benchmark(OperationsPerInvoke = Nodes)]
    public void ConditionSkipsAll() => RunGated(false);

    private void RunGated(bool run)
    {
        if (Shape == GraphShape.FanOut)
        {
            GatedFanOut.RunAsync(run).GetAwaiter().GetResult();
        }
        else
        {
            Work.Keep(GatedChain.RunAsync(run).GetAwaiter().GetResult().GetValueOrDefault(-1));
        }
    }
}
