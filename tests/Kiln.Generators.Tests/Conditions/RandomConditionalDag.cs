using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kiln.Generators.Tests.RandomDags;

namespace Kiln.Generators.Tests.Conditions;

/// <summary>One parameter of a random node: the producer it binds to, and how.</summary>
public sealed record ConditionalInput(int Producer, bool ByFrom, bool IsOptional);

/// <summary>
/// One node of a random DAG with conditions. A condition node returns <c>bool</c>, a value from its inputs and the
/// salt; any node may carry <c>[When]</c> on an earlier condition node with either polarity.
/// </summary>
public sealed record ConditionalNode(
    int Index,
    bool IsCondition,
    NodeShape Shape,
    long Constant,
    bool IsOutput,
    bool TakesSalt,
    IReadOnlyList<ConditionalInput> Inputs,
    IReadOnlyList<int> After,
    int When,
    bool RunsWhen)
{
    public bool HasOutput => IsCondition || Shape is NodeShape.Sync or NodeShape.TaskOfLong or NodeShape.ValueTaskOfLong;

    public string Name => "N" + Index;

    public string ValueType => IsCondition ? "bool" : "long";
}

/// <summary>What one run of a random conditional DAG must do, computed by a plain interpreter of SPEC section 10.</summary>
/// <param name="Skipped">Per node, whether the run skips it.</param>
/// <param name="Values">Per node that runs and has an output, its value (a bool for conditions).</param>
public sealed record ConditionalOutcome(bool[] Skipped, Dictionary<int, object> Values);

public sealed record RandomConditionalDag(string ClassName, IReadOnlyList<ConditionalNode> Nodes)
{
    /// <summary>An <c>Optional</c> input's stand-in in the mix when its producer was skipped.</summary>
    public const long NoneMarker = -7;

    public static RandomConditionalDag Create(string className, Random random)
    {
        int count = random.Next(1, 31);
        var nodes = new List<ConditionalNode>(count);
        for (int i = 0; i < count; i++)
        {
            bool isCondition = random.Next(3) == 0;
            NodeShape shape = isCondition
                ? random.Next(3) switch { 0 => NodeShape.Sync, 1 => NodeShape.TaskOfLong, _ => NodeShape.ValueTaskOfLong }
                : random.Next(10) switch
                {
                    < 5 => NodeShape.Sync,
                    5 or 6 => NodeShape.TaskOfLong,
                    7 => NodeShape.ValueTaskOfLong,
                    8 => NodeShape.Void,
                    _ => NodeShape.Task,
                };
            int[] withOutput = nodes.Where(n => n.HasOutput).Select(n => n.Index).ToArray();
            int fanIn = withOutput.Length == 0 ? 0 : random.Next(0, Math.Min(withOutput.Length, 4) + 1);
            ConditionalInput[] inputs = withOutput.OrderBy(_ => random.Next()).Take(fanIn)
                .Select(p => new ConditionalInput(p, random.Next(4) == 0, random.Next(3) == 0))
                .ToArray();
            int[] after = nodes.Select(n => n.Index).Where(n => inputs.All(input => input.Producer != n) && random.Next(8) == 0).Take(3).ToArray();
            int[] conditions = nodes.Where(n => n.IsCondition).Select(n => n.Index).ToArray();
            int when = conditions.Length > 0 && random.Next(isCondition ? 4 : 5) < 2 ? conditions[random.Next(conditions.Length)] : -1;
            nodes.Add(new ConditionalNode(
                i, isCondition, shape, random.NextInt64(), random.Next(10) == 0, random.Next(3) == 0, inputs, after, when, random.Next(2) == 0));
        }

        return new RandomConditionalDag(className, nodes);
    }

    /// <summary>Nodes with an output that nothing consumes (by a parameter or as a condition), plus [Output] nodes.</summary>
    public IReadOnlyList<int> Sinks
    {
        get
        {
            var consumed = new HashSet<int>(Nodes.SelectMany(n => n.Inputs.Select(i => i.Producer)).Concat(Nodes.Select(n => n.When)));
            return Nodes.Where(n => n.HasOutput && (!consumed.Contains(n.Index) || n.IsOutput)).Select(n => n.Index).ToList();
        }
    }

    /// <summary>Whether a run may skip each node: it has a condition, or reads a node that may be skipped without Optional.</summary>
    public bool[] MaySkip()
    {
        var maySkip = new bool[Nodes.Count];
        foreach (ConditionalNode node in Nodes)
        {
            maySkip[node.Index] = node.When >= 0 || node.Inputs.Any(i => !i.IsOptional && maySkip[i.Producer]);
        }

        return maySkip;
    }

    /// <summary>The run, one node after the other in declaration order (a topological order).</summary>
    public ConditionalOutcome Reference(long salt)
    {
        var skipped = new bool[Nodes.Count];
        var values = new Dictionary<int, object>();
        foreach (ConditionalNode node in Nodes)
        {
            bool conditionFails = node.When >= 0 && (skipped[node.When] || (bool)values[node.When] != node.RunsWhen);
            if (conditionFails || node.Inputs.Any(i => !i.IsOptional && skipped[i.Producer]))
            {
                skipped[node.Index] = true;
                continue;
            }

            if (node.HasOutput)
            {
                long[] mixed = node.Inputs.Select(i => skipped[i.Producer] ? NoneMarker : AsLong(values[i.Producer])).ToArray();
                long value = Mixing.Mix(node.Constant, node.TakesSalt ? salt : 0, mixed);
                values[node.Index] = node.IsCondition ? ConditionOf(value) : value;
            }
        }

        return new ConditionalOutcome(skipped, values);
    }

    private static long AsLong(object value) => value is bool flag ? (flag ? 1L : 0L) : (long)value;

    private static bool ConditionOf(long value) => ((value >> 7) & 1) == 0;

    public string ToSource()
    {
        var text = new StringBuilder();
        text.Append("[Pipeline]\npublic static partial class ").Append(ClassName).Append("\n{\n");
        foreach (ConditionalNode node in Nodes)
        {
            text.Append("    [Task");
            if (node.IsOutput)
            {
                text.Append(", Output");
            }

            if (node.When >= 0)
            {
                text.Append(", When(nameof(N").Append(node.When).Append(')').Append(node.RunsWhen ? string.Empty : ", false").Append(')');
            }

            text.Append(']');
            if (node.After.Count > 0)
            {
                text.Append(" [After(").Append(string.Join(", ", node.After.Select(a => $"nameof(N{a})"))).Append(")]");
            }

            string type = node.ValueType;
            string returns = node.Shape switch
            {
                NodeShape.Sync => type,
                NodeShape.TaskOfLong => $"async Task<{type}>",
                NodeShape.ValueTaskOfLong => $"async ValueTask<{type}>",
                NodeShape.Void => "void",
                _ => "async Task",
            };
            var parameters = new List<string> { "Action<int, bool> log" };
            var mixed = new List<string>();
            foreach (ConditionalInput input in node.Inputs)
            {
                string producerType = Nodes[input.Producer].ValueType;
                string parameterType = input.IsOptional ? $"Optional<{producerType}>" : producerType;
                string name = (input.ByFrom ? "from" : "n") + input.Producer;
                parameters.Add(input.ByFrom ? $"[From(nameof(N{input.Producer}))] {parameterType} {name}" : $"{parameterType} {name}");
                string value = input.IsOptional ? name + ".Value" : name;
                string asLong = producerType == "bool" ? $"({value} ? 1L : 0L)" : value;
                mixed.Add(input.IsOptional ? $"({name}.HasValue ? {asLong} : {NoneMarker}L)" : asLong);
            }

            if (node.TakesSalt)
            {
                parameters.Add("long salt");
            }

            text.Append(" public static ").Append(returns).Append(' ').Append(node.Name).Append('(').Append(string.Join(", ", parameters)).Append(")\n    {\n");
            text.Append("        log(").Append(node.Index).Append(", true);\n");
            if (node.Shape is NodeShape.TaskOfLong or NodeShape.Task)
            {
                text.Append("        await Task.Yield();\n");
            }
            else if (node.Shape is NodeShape.ValueTaskOfLong)
            {
                text.Append((node.Constant & 1) == 1 ? "        await Task.Yield();\n" : "        if (Mixing.Never) await Task.Yield();\n");
            }

            string mix = $"Mixing.Mix({node.Constant}L, {(node.TakesSalt ? "salt" : "0L")}{(mixed.Count > 0 ? ", " + string.Join(", ", mixed) : string.Empty)})";
            text.Append("        long value = ").Append(mix).Append(";\n");
            text.Append("        log(").Append(node.Index).Append(", false);\n");
            if (node.IsCondition)
            {
                text.Append("        return ((value >> 7) & 1) == 0;\n");
            }
            else if (node.HasOutput)
            {
                text.Append("        return value;\n");
            }
            else
            {
                text.Append("        GC.KeepAlive(value);\n");
            }

            text.Append("    }\n\n");
        }

        return text.Append("}\n\n").ToString();
    }
}
