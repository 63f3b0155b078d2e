using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Kiln.Generators.Tests.RandomDags;

/// <summary>How a random node returns.</summary>
public enum NodeShape
{
    Sync,
    TaskOfLong,
    ValueTaskOfLong,
    Void,
    Task,
}

/// <summary>One node of a random DAG: its producers come before it, so index order is a topological order.</summary>
public sealed record DagNode(
    int Index,
    NodeShape Shape,
    long Constant,
    int Cost,
    bool IsOutput,
    bool TakesSalt,
    IReadOnlyList<int> Producers,
    IReadOnlyList<bool> ProducerByFrom,
    IReadOnlyList<int> After)
{
    public bool HasOutput => Shape is NodeShape.Sync or NodeShape.TaskOfLong or NodeShape.ValueTaskOfLong;

    public string Name => "N" + Index;
}

/// <summary>A random pipeline description, and the plain sequential reference of what its run must return.</summary>
public sealed record RandomDag(string ClassName, IReadOnlyList<DagNode> Nodes)
{
    public static RandomDag Create(string className, Random random)
    {
        int count = random.Next(1, 41);
        var nodes = new List<DagNode>(count);
        for (int i = 0; i < count; i++)
        {
            NodeShape shape = random.Next(10) switch
            {
                < 5 => NodeShape.Sync,
                5 or 6 => NodeShape.TaskOfLong,
                7 => NodeShape.ValueTaskOfLong,
                8 => NodeShape.Void,
                _ => NodeShape.Task,
            };
            int[] withOutput = nodes.Where(n => n.HasOutput).Select(n => n.Index).ToArray();
            int fanIn = withOutput.Length == 0 ? 0 : random.Next(0, Math.Min(withOutput.Length, 5) + 1);
            int[] producers = withOutput.OrderBy(_ => random.Next()).Take(fanIn).ToArray();
            bool[] byFrom = producers.Select(_ => random.Next(3) == 0).ToArray();
            int[] after = nodes.Select(n => n.Index).Where(n => !producers.Contains(n) && random.Next(8) == 0).Take(3).ToArray();
            nodes.Add(new DagNode(
                i,
                shape,
                random.NextInt64(),
                random.Next(4) == 0 ? random.Next(1, 20) : 1,
                random.Next(10) == 0,
                random.Next(4) == 0,
                producers,
                byFrom,
                after));
        }

        return new RandomDag(className, nodes);
    }

    /// <summary>The sinks SPEC section 2 implies: nodes with output that no node consumes, plus [Output] nodes.</summary>
    public IReadOnlyList<int> Sinks
    {
        get
        {
            var consumed = new HashSet<int>(Nodes.SelectMany(n => n.Producers));
            return Nodes.Where(n => n.HasOutput && (!consumed.Contains(n.Index) || n.IsOutput)).Select(n => n.Index).ToList();
        }
    }

    /// <summary>Every node's value computed one after the other, without any generated code.</summary>
    public IReadOnlyDictionary<int, long> Reference(long salt)
    {
        var values = new Dictionary<int, long>();
        foreach (DagNode node in Nodes)
        {
            if (node.HasOutput)
            {
                values[node.Index] = Mixing.Mix(node.Constant, node.TakesSalt ? salt : 0, node.Producers.Select(p => values[p]).ToArray());
            }
        }

        return values;
    }

    /// <summary>
    /// The pipeline's source. A durable one (<paramref name="durable"/>) takes the log as a <c>string</c> key, which
    /// <c>DurableLedger.Log</c> (<see cref="DurableLedgerSource"/>) resolves, since a delegate cannot be stored.
    /// </summary>
    public string ToSource(bool durable = false)
    {
        var text = new StringBuilder();
        text.Append(durable ? "[Pipeline(Durable = true)]" : "[Pipeline]").Append("\npublic static partial class ").Append(ClassName).Append("\n{\n");
        string log = durable ? "DurableLedger.Log(log, " : "log(";
        foreach (DagNode node in Nodes)
        {
            text.Append("    [Task");
            if (node.Cost != 1)
            {
                text.Append("(Cost = ").Append(node.Cost).Append(')');
            }

            if (node.IsOutput)
            {
                text.Append(", Output");
            }

            text.Append(']');

            if (node.After.Count > 0)
            {
                text.Append(" [After(").Append(string.Join(", ", node.After.Select(a => $"nameof(N{a})"))).Append(")]");
            }

            string returns = node.Shape switch
            {
                NodeShape.Sync => "long",
                NodeShape.TaskOfLong => "async Task<long>",
                NodeShape.ValueTaskOfLong => "async ValueTask<long>",
                NodeShape.Void => "void",
                _ => "async Task",
            };
            var parameters = new List<string> { durable ? "string log" : "Action<int, bool> log" };
            for (int p = 0; p < node.Producers.Count; p++)
            {
                int producer = node.Producers[p];
                parameters.Add(node.ProducerByFrom[p] ? $"[From(nameof(N{producer}))] long from{producer}" : $"long n{producer}");
            }

            if (node.TakesSalt)
            {
                parameters.Add("long salt");
            }

            string arguments = string.Join(", ", node.Producers.Select((producer, p) => node.ProducerByFrom[p] ? $"from{producer}" : $"n{producer}"));
            string mix = $"Mixing.Mix({node.Constant}L, {(node.TakesSalt ? "salt" : "0L")}{(arguments.Length > 0 ? ", " + arguments : string.Empty)})";
            text.Append(" public static ").Append(returns).Append(' ').Append(node.Name).Append('(').Append(string.Join(", ", parameters)).Append(")\n    {\n");
            text.Append("        ").Append(log).Append(node.Index).Append(", true);\n");
            if (node.Shape is NodeShape.TaskOfLong or NodeShape.Task)
            {
                text.Append("        await Task.Yield();\n");
            }
            else if (node.Shape is NodeShape.ValueTaskOfLong)
            {
                // Half of them complete synchronously: the executor's fast path for finished tasks.
                text.Append((node.Constant & 1) == 1 ? "        await Task.Yield();\n" : "        if (Mixing.Never) await Task.Yield();\n");
            }

            if (node.HasOutput)
            {
                text.Append("        long value = ").Append(mix).Append(";\n");
                text.Append("        ").Append(log).Append(node.Index).Append(", false);\n        return value;\n");
            }
            else
            {
                text.Append("        ").Append(log).Append(node.Index).Append(", false);\n");
            }

            text.Append("    }\n\n");
        }

        return text.Append("}\n\n").ToString();
    }
}

/// <summary>
/// A node's value: a mixing hash of its own constant, the salt input and its producers' values in parameter order.
/// Compiled into the test source too (<see cref="Source"/>), so the generated pipelines and the reference agree.
/// </summary>
public static class Mixing
{
    public static long Mix(long constant, long salt, params long[] inputs)
    {
        ulong hash = unchecked((ulong)constant ^ 0x9E3779B97F4A7C15UL ^ ((ulong)salt * 0xBF58476D1CE4E5B9UL));
        foreach (long input in inputs)
        {
            hash = unchecked((hash ^ (ulong)input) * 0x94D049BB133111EBUL);
            hash ^= hash >> 31;
        }

        return unchecked((long)hash);
    }

    /// <summary>The log of durable random pipelines: a hook the test sets, called with the run's key.</summary>
    public const string DurableLedgerSource = """
        public static class DurableLedger
        {
            public static Action<string, int, bool>? Hook;

            public static void Log(string key, int node, bool isStart) => Hook!(key, node, isStart);
        }
        """;

    public const string Source = """
        public static class Mixing
        {
            public static bool Never => false;

            public static long Mix(long constant, long salt, params long[] inputs)
            {
                ulong hash = unchecked((ulong)constant ^ 0x9E3779B97F4A7C15UL ^ ((ulong)salt * 0xBF58476D1CE4E5B9UL));
                foreach (long input in inputs)
                {
                    hash = unchecked((hash ^ (ulong)input) * 0x94D049BB133111EBUL);
                    hash ^= hash >> 31;
                }

                return unchecked((long)hash);
            }
        }
        """;
}
