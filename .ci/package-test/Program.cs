using System.Globalization;
using Kiln;

// A small pipeline, as a user of the package writes it: an async source, a fan-out, several sinks ([Output] too).
var graph = Orders.Graph;
Console.WriteLine($"graph: {graph.Name} nodes={graph.Nodes.Count} edges={graph.Edges.Count} waves={graph.Waves.Count}");
Console.WriteLine($"critical path: {string.Join(" -> ", graph.CriticalPath)}");
Console.WriteLine($"inputs: {string.Join(", ", graph.Inputs.Select(i => i.Name + ":" + i.Type))}");

Orders.Result result = await Orders.RunAsync(size: 100, discount: 0.1m);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result: count={result.Count} total={result.Total:F2} discounted={result.Discounted:F2}"));

try
{
    await Orders.RunAsync(size: -1, discount: 0m);
    Console.WriteLine("failure: none");
}
catch (PipelineException exception)
{
    Console.WriteLine($"failure: node={exception.NodeName} inner={exception.InnerException?.GetType().Name}");
}

[Pipeline]
public static partial class Orders
{
    [Task]
    public static async Task<int[]> Load(int size, CancellationToken ct)
    {
        await Task.Delay(20, ct);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return Enumerable.Range(1, size).ToArray();
    }

    [Task] public static int Count(int[] load) => load.Length;

    [Task, Output] public static decimal Total(int[] load) => load.Sum(x => (decimal)x);

    [Task] public static decimal Discounted(decimal total, decimal discount) => total * (1 - discount);
}
