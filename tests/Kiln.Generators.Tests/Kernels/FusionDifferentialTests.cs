using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Generators.Tests.Kernels;

/// <summary>
/// Differential test for fusion: random DAGs of kernels and reductions over float and int (element-wise edges,
/// gathers, uniforms from inputs and from reductions, [Index], random [Output]) compiled by the generator in one
/// compilation, run fused and unfused, and compared with a per-element reference computed from the description.
/// </summary>
public class FusionDifferentialTests
{
    private const int Seed = 20250612;
    private const int DagCount = 120;

    // Every DeviceStride-th DAG also runs on each device this machine has (PoCL in CI): a device program build costs
    // about half a second on PoCL, so all 120 would add minutes for little more coverage.
    private const int DeviceStride = 5;

    // ILGPU's CPU accelerator (CUDA without a GPU) runs each group's 256 threads as CPU threads, far slower than PoCL:
    // it takes every third device DAG, and only the lengths up to DeviceRequirements.CudaOnCpuMaxLength.
    private const int CudaOnCpuStride = 3 * DeviceStride;

    private static System.Collections.Generic.IEnumerable<KilnOptions> DevicesFor(int dag, KilnOptions[] devices) =>
        dag % DeviceStride != 0
            ? Array.Empty<KilnOptions>()
            : devices.Where(o => o.Device != DeviceKind.Cuda || !DeviceRequirements.CudaOnCpuAccelerator || dag % CudaOnCpuStride == 0);

    private readonly ITestOutputHelper _output;

    public FusionDifferentialTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Random_kernel_DAGs_fused_and_unfused_match_a_per_element_reference()
    {
        _output.WriteLine($"seed {Seed}, {DagCount} pipelines");
        var random = new Random(Seed);
        KernelDag[] dags = Enumerable.Range(0, DagCount).Select(i => KernelDag.Create("KernelDag" + i, random)).ToArray();
        var source = new StringBuilder("using System;\nusing Kiln;\n\nnamespace KernelDags;\n\n");
        foreach (KernelDag dag in dags)
        {
            source.Append(dag.ToSource());
        }

        GeneratedResult generated = KilnCompilation.Generate(source.ToString());
        Assert.Empty(generated.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        using var image = new MemoryStream();
        EmitResult emitted = generated.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        image.Position = 0;
        Assembly assembly = new AssemblyLoadContext(generated.Output.AssemblyName, isCollectible: true).LoadFromStream(image);

        int fusedGroups = 0;
        KilnOptions[] cpu = { new KilnOptions { Fusion = true, MaxDegreeOfParallelism = 4 }, new KilnOptions { Fusion = false, MaxDegreeOfParallelism = 2 } };
        KilnOptions[] devices = DeviceRequirements.DeviceOptions(0);
        _output.WriteLine($"every {DeviceStride}th pipeline also on: {string.Join(", ", devices.Select(o => $"{o.Device} (Fusion={o.Fusion})"))}");
        for (int d = 0; d < dags.Length; d++)
        {
            KernelDag dag = dags[d];
            Type type = assembly.GetType("KernelDags." + dag.ClassName, throwOnError: true)!;
            fusedGroups += CheckGroups(dag, type);
            MethodInfo runAsync = type.GetMethod("RunAsync")!;
            foreach (int length in new[] { 0, 1, random.Next(2, 100), (2 * 16384) + random.Next(1, 100) })
            {
                int runSeed = random.Next();
                foreach (KilnOptions options in cpu.Concat(DevicesFor(d, DeviceRequirements.DeviceOptions(length))))
                {
                    try
                    {
                        await RunAndCheck(dag, runAsync, length, runSeed, options);
                    }
                    catch (Exception failure) when (failure is not PipelineSourceException)
                    {
                        // Rethrown with the pipeline's source, which is what one needs to reproduce the failure.
                        var groups = ((PipelineGraph)type.GetProperty("Graph")!.GetValue(null)!).FusionGroups.Select(g => g.Name);
                        throw new PipelineSourceException($"{failure.Message}\nfusion groups: {string.Join(" | ", groups)}\n{dag.ToSource()}", failure);
                    }
                }
            }
        }

        // The DAGs must exercise fusion at all: many groups with more than one member.
        _output.WriteLine($"{fusedGroups} groups with several members");
        Assert.True(fusedGroups >= DagCount / 2, $"only {fusedGroups} multi-member groups in {DagCount} DAGs");
    }

    // Every kernel and reduction is in exactly one group, and nothing in a group reads another member whole.
    private static int CheckGroups(KernelDag dag, Type type)
    {
        var graph = (PipelineGraph)type.GetProperty("Graph")!.GetValue(null)!;
        var groupOf = new Dictionary<string, int>();
        for (int g = 0; g < graph.FusionGroups.Count; g++)
        {
            foreach (string node in graph.FusionGroups[g].Nodes)
            {
                Assert.True(groupOf.TryAdd(node, g), $"{dag.ClassName}: {node} is in two fusion groups");
            }
        }

        foreach (KernelNode node in dag.Nodes)
        {
            Assert.True(groupOf.ContainsKey(node.Name), $"{dag.ClassName}: {node.Name} is in no fusion group");
            foreach (Term term in node.Terms.Where(t => t.Kind is TermKind.Gather or TermKind.Uniform && t.Source >= KernelDag.FirstNode))
            {
                string whole = dag.Nodes[term.Source - KernelDag.FirstNode].Name;
                Assert.True(groupOf[whole] != groupOf[node.Name], $"{dag.ClassName}: {node.Name} reads {whole} whole but shares its fusion group");
            }
        }

        return graph.FusionGroups.Count(g => g.Nodes.Count > 1);
    }

    private static async Task RunAndCheck(KernelDag dag, MethodInfo runAsync, int length, int runSeed, KilnOptions options)
    {
        string context = $"{dag.ClassName} (seed {Seed}, run seed {runSeed}, length {length}, Device={options.Device}, Fusion={options.Fusion})";
        var random = new Random(runSeed);
        var inputs = new Inputs(
            Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 200) - 100)).ToArray(),
            Enumerable.Range(0, length).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray(),
            (float)((random.NextDouble() * 4) - 2),
            random.Next(-50, 50));

        object?[] arguments = runAsync.GetParameters().Select(parameter => parameter.Name switch
        {
            "inF" => inputs.F,
            "inI" => inputs.I,
            "uf" => inputs.Uf,
            "ui" => inputs.Ui,
            "options" => options,
            "cancellationToken" => (object)CancellationToken.None,
            _ => throw new InvalidOperationException($"{context}: unexpected RunAsync parameter '{parameter.Name}'"),
        }).ToArray();

        var run = (Task)runAsync.Invoke(null, arguments)!;
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        object result = run.GetType().GetProperty("Result")!.GetValue(run)!;

        Dictionary<string, object> expected = dag.Reference(inputs);
        IReadOnlyList<string> sinks = dag.Sinks;
        if (sinks.Count == 1)
        {
            AssertSame(expected[sinks[0]], result, $"{context}: {sinks[0]}");
            return;
        }

        Type resultType = result.GetType();
        Assert.Equal(sinks.OrderBy(s => s, StringComparer.Ordinal), resultType.GetProperties().Where(p => p.Name != "EqualityContract").Select(p => p.Name).OrderBy(s => s, StringComparer.Ordinal));
        foreach (string sink in sinks)
        {
            AssertSame(expected[sink], resultType.GetProperty(sink)!.GetValue(result)!, $"{context}: {sink}");
        }
    }

    private static void AssertSame(object expected, object actual, string context)
    {
        if (expected is IList expectedList)
        {
            var actualList = (IList)actual;
            Assert.True(expectedList.Count == actualList.Count, $"{context}: expected {expectedList.Count} elements, got {actualList.Count}");
            for (int i = 0; i < expectedList.Count; i++)
            {
                Assert.True(Same(expectedList[i]!, actualList[i]!), $"{context}: element {i}: expected {Show(expectedList[i]!)}, got {Show(actualList[i]!)}");
            }

            return;
        }

        Assert.True(Same(expected, actual), $"{context}: expected {Show(expected)}, got {Show(actual)}");
    }

    // Bitwise for floats (so -0 and +0 differ), any NaN equal to any NaN.
    private static bool Same(object expected, object actual) => (expected, actual) switch
    {
        (float e, float a) => BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a) || (float.IsNaN(e) && float.IsNaN(a)),
        _ => expected.Equals(actual),
    };

    private static string Show(object value) => value is float f ? $"{f:R} (0x{BitConverter.SingleToInt32Bits(f):X8})" : value.ToString()!;
}

/// <summary>A failure of one random pipeline, carrying its source.</summary>
public sealed class PipelineSourceException(string message, Exception inner) : Exception(message, inner);

/// <summary>The pipeline inputs: the two source streams and the two uniforms.</summary>
public sealed record Inputs(float[] F, int[] I, float Uf, int Ui);

public enum TermKind
{
    /// <summary>A stream read element-wise (a source task or a kernel).</summary>
    Stream,
    /// <summary><c>g[i + Offset]</c> over a source task or a kernel.</summary>
    Gather,
    /// <summary>A reduction's result, or an input (<see cref="KernelDag.InputF"/>, <see cref="KernelDag.InputI"/>).</summary>
    Uniform,
    /// <summary>The element index.</summary>
    Index,
}

/// <summary>One operand of a kernel body: <c>acc = Op(acc, operand)</c>.</summary>
/// <param name="Source">0/1: the float/int source task; 2/3: the float/int uniform input; FirstNode + k: node k.</param>
public sealed record Term(TermKind Kind, int Source, int Offset, int Op);

/// <summary>A kernel (a fold of its terms into a constant) or a reduction (<see cref="Terms"/> holds its one stream).</summary>
public sealed record KernelNode(int Index, bool IsReduce, bool IsFloat, bool IsOutput, float Constant, IReadOnlyList<Term> Terms)
{
    public string Name => "N" + Index;

    public string Type => IsFloat ? "float" : "int";
}

/// <summary>A random kernel pipeline, its C# source, and the reference result computed from the description alone.</summary>
public sealed record KernelDag(string ClassName, IReadOnlyList<KernelNode> Nodes)
{
    public const int SourceF = 0;
    public const int SourceI = 1;
    public const int InputF = 2;
    public const int InputI = 3;
    public const int FirstNode = 4;

    public static KernelDag Create(string className, Random random)
    {
        int count = random.Next(2, 13);
        var nodes = new List<KernelNode>();
        for (int n = 0; n < count; n++)
        {
            bool isFloat = random.Next(2) == 0;
            var streams = new List<int> { SourceF, SourceI };
            streams.AddRange(nodes.Where(p => !p.IsReduce).Select(p => FirstNode + p.Index));
            int[] reductions = nodes.Where(p => p.IsReduce).Select(p => FirstNode + p.Index).ToArray();
            bool isOutput = random.Next(5) == 0;

            if (n > 0 && random.Next(4) == 0)
            {
                // A reduction over a stream of its own type, preferring kernels so that map-reduce fuses.
                int[] sameType = streams.Where(s => IsFloatSource(nodes, s) == isFloat).ToArray();
                int[] kernels = sameType.Where(s => s >= FirstNode).ToArray();
                int stream = kernels.Length > 0 && random.Next(4) != 0 ? kernels[random.Next(kernels.Length)] : sameType[random.Next(sameType.Length)];
                nodes.Add(new KernelNode(n, true, isFloat, isOutput, 0, new[] { new Term(TermKind.Stream, stream, 0, random.Next(isFloat ? 2 : 4)) }));
                continue;
            }

            // Element-wise streams first (at least one, the latest kernel most likely so that chains form), then extras.
            var terms = new List<Term>();
            var used = new HashSet<int>();
            int streamCount = random.Next(1, 4);
            for (int s = 0; s < streamCount; s++)
            {
                int stream = s == 0 && streams.Count > 2 && random.Next(3) != 0 ? streams[^1] : streams[random.Next(streams.Count)];
                if (used.Add(stream))
                {
                    terms.Add(new Term(TermKind.Stream, stream, 0, random.Next(4)));
                }
            }

            var gathered = new HashSet<int>();
            for (int g = random.Next(3) == 0 ? random.Next(1, 3) : 0; g > 0; g--)
            {
                int stream = streams[random.Next(streams.Count)];
                if (gathered.Add(stream))
                {
                    terms.Add(new Term(TermKind.Gather, stream, random.Next(-3, 4), random.Next(4)));
                }
            }

            if (random.Next(3) == 0)
            {
                terms.Add(new Term(TermKind.Uniform, random.Next(2) == 0 ? InputF : InputI, 0, random.Next(4)));
            }

            if (reductions.Length > 0 && random.Next(2) == 0)
            {
                terms.Add(new Term(TermKind.Uniform, reductions[random.Next(reductions.Length)], 0, random.Next(4)));
            }

            if (random.Next(3) == 0)
            {
                terms.Add(new Term(TermKind.Index, -1, 0, random.Next(4)));
            }

            nodes.Add(new KernelNode(n, false, isFloat, isOutput, random.Next(-8, 9) * 0.25f, terms));
        }

        return new KernelDag(className, nodes);
    }

    private static bool IsFloatSource(IReadOnlyList<KernelNode> nodes, int source) =>
        source is SourceF or InputF || (source >= FirstNode && nodes[source - FirstNode].IsFloat);

    private bool IsFloatSource(int source) => IsFloatSource(Nodes, source);

    /// <summary>SPEC section 2: the nodes with an output nothing consumes, plus [Output] nodes; the source tasks count too.</summary>
    public IReadOnlyList<string> Sinks
    {
        get
        {
            var consumed = new HashSet<int>(Nodes.SelectMany(n => n.Terms).Where(t => t.Kind != TermKind.Index).Select(t => t.Source));
            var sinks = new List<string>();
            if (!consumed.Contains(SourceF))
            {
                sinks.Add("SourceF");
            }

            if (!consumed.Contains(SourceI))
            {
                sinks.Add("SourceI");
            }

            sinks.AddRange(Nodes.Where(n => n.IsOutput || !consumed.Contains(FirstNode + n.Index)).Select(n => n.Name));
            return sinks;
        }
    }

    public string ToSource()
    {
        var text = new StringBuilder();
        text.Append("[Pipeline]\npublic static partial class ").Append(ClassName).Append("\n{\n");
        text.Append("    [Task] public static float[] SourceF(float[] inF) => inF;\n");
        text.Append("    [Task] public static int[] SourceI(int[] inI) => inI;\n");
        foreach (KernelNode node in Nodes)
        {
            string output = node.IsOutput ? ", Output" : "";
            if (node.IsReduce)
            {
                Term stream = node.Terms[0];
                (string identity, string body) = ReduceCode(node.IsFloat, stream.Op);
                text.Append(CultureInfo.InvariantCulture, $"    [Reduce(Identity = {identity}){output}] public static {node.Type} {node.Name}({node.Type} acc, {node.Type} {ParameterName(stream)}) => {body.Replace("@", ParameterName(stream), StringComparison.Ordinal)};\n");
                continue;
            }

            var parameters = node.Terms.Select(t => t.Kind switch
            {
                TermKind.Stream => $"{SourceType(t.Source)} {ParameterName(t)}",
                TermKind.Gather => $"[From(\"{SourceName(t.Source)}\")] Gather<{SourceType(t.Source)}> {ParameterName(t)}",
                TermKind.Uniform => $"{SourceType(t.Source)} {ParameterName(t)}",
                _ => "[Index] int i",
            }).ToList();
            if (node.Terms.Any(t => t.Kind == TermKind.Gather) && node.Terms.All(t => t.Kind != TermKind.Index))
            {
                parameters.Add("[Index] int i");
            }

            text.Append(CultureInfo.InvariantCulture, $"    [Kernel{output}] public static {node.Type} {node.Name}({string.Join(", ", parameters)})\n    {{\n");
            text.Append(CultureInfo.InvariantCulture, $"        {node.Type} acc = {(node.IsFloat ? FloatLiteral(node.Constant) : ((int)node.Constant).ToString(CultureInfo.InvariantCulture))};\n");
            foreach (Term term in node.Terms)
            {
                string operand = term.Kind switch
                {
                    TermKind.Gather => $"{ParameterName(term)}[i + ({term.Offset})]",
                    TermKind.Index => "i",
                    _ => ParameterName(term),
                };
                bool operandIsFloat = term.Kind != TermKind.Index && IsFloatSource(term.Source);
                if (operandIsFloat != node.IsFloat)
                {
                    operand = $"({node.Type}){operand}";
                }

                text.Append("        acc = ").Append(KernelStep(node.IsFloat, term.Op).Replace("@", operand, StringComparison.Ordinal)).Append(";\n");
            }

            text.Append("        return acc;\n    }\n");
        }

        text.Append("}\n\n");
        return text.ToString();
    }

    private static string ParameterName(Term term) => term.Kind switch
    {
        TermKind.Gather => "g" + SourceName(term.Source).ToLowerInvariant(),
        _ => SourceName(term.Source).ToLowerInvariant(),
    };

    private static string SourceName(int source) => source switch
    {
        SourceF => "SourceF",
        SourceI => "SourceI",
        InputF => "uf",
        InputI => "ui",
        _ => "N" + (source - FirstNode),
    };

    private string SourceType(int source) => IsFloatSource(source) ? "float" : "int";

    private static string FloatLiteral(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    // One step of a kernel body; "@" is the operand. Bounded float steps keep most values finite.
    private static string KernelStep(bool isFloat, int op) => (isFloat, op) switch
    {
        (true, 0) => "acc + @",
        (true, 1) => "acc * 0.5f - @",
        (true, 2) => "MathF.Max(acc, @) * 0.75f",
        (true, _) => "MathF.Min(acc, @) + 1f",
        (false, 0) => "acc + @",
        (false, 1) => "acc * 31 - @",
        (false, 2) => "acc ^ (@ << 3)",
        (false, _) => "(acc >> 2) + @ * 7",
    };

    private static float FloatStep(int op, float acc, float x) => op switch
    {
        0 => acc + x,
        1 => (acc * 0.5f) - x,
        2 => MathF.Max(acc, x) * 0.75f,
        _ => MathF.Min(acc, x) + 1f,
    };

    private static int IntStep(int op, int acc, int x) => unchecked(op switch
    {
        0 => acc + x,
        1 => (acc * 31) - x,
        2 => acc ^ (x << 3),
        _ => (acc >> 2) + (x * 7),
    });

    // Reductions whose result does not depend on the fold order, so a sequential fold is an exact reference.
    private static (string Identity, string Body) ReduceCode(bool isFloat, int op) => (isFloat, op) switch
    {
        (true, 0) => ("double.NegativeInfinity", "MathF.Max(acc, @)"),
        (true, _) => ("double.PositiveInfinity", "MathF.Min(acc, @)"),
        (false, 0) => ("0", "acc + @"),
        (false, 1) => ("0", "acc ^ @"),
        (false, 2) => ("int.MinValue", "Math.Max(acc, @)"),
        (false, _) => ("1", "acc * @"),
    };

    private static float FloatFold(int op, float[] stream) =>
        op == 0 ? stream.Aggregate(float.NegativeInfinity, MathF.Max) : stream.Aggregate(float.PositiveInfinity, MathF.Min);

    private static int IntFold(int op, int[] stream) => op switch
    {
        0 => stream.Aggregate(0, (a, x) => unchecked(a + x)),
        1 => stream.Aggregate(0, (a, x) => a ^ x),
        2 => stream.Aggregate(int.MinValue, Math.Max),
        _ => stream.Aggregate(1, (a, x) => unchecked(a * x)),
    };

    /// <summary>Every node's value (float[]/int[] for kernels, float/int for reductions), element by element, in plain C#.</summary>
    public Dictionary<string, object> Reference(Inputs inputs)
    {
        int length = inputs.F.Length;
        var values = new Dictionary<int, object> { [SourceF] = inputs.F, [SourceI] = inputs.I, [InputF] = inputs.Uf, [InputI] = inputs.Ui };
        foreach (KernelNode node in Nodes)
        {
            if (node.IsReduce)
            {
                Term stream = node.Terms[0];
                values[FirstNode + node.Index] = node.IsFloat ? (object)FloatFold(stream.Op, (float[])values[stream.Source]) : IntFold(stream.Op, (int[])values[stream.Source]);
                continue;
            }

            var floats = new float[length];
            var ints = new int[length];
            for (int i = 0; i < length; i++)
            {
                float accF = node.Constant;
                int accI = (int)node.Constant;
                foreach (Term term in node.Terms)
                {
                    object operand = term.Kind switch
                    {
                        TermKind.Stream => Element(values[term.Source], i),
                        TermKind.Gather => Element(values[term.Source], Math.Clamp(i + term.Offset, 0, length - 1)),
                        TermKind.Uniform => values[term.Source],
                        _ => i,
                    };
                    if (node.IsFloat)
                    {
                        accF = FloatStep(term.Op, accF, operand is float f ? f : (int)operand);
                    }
                    else
                    {
                        accI = IntStep(term.Op, accI, operand is int n ? n : (int)(float)operand);
                    }
                }

                floats[i] = accF;
                ints[i] = accI;
            }

            values[FirstNode + node.Index] = node.IsFloat ? floats : ints;
        }

        var named = new Dictionary<string, object> { ["SourceF"] = inputs.F, ["SourceI"] = inputs.I };
        foreach (KernelNode node in Nodes)
        {
            named[node.Name] = values[FirstNode + node.Index];
        }

        return named;
    }

    private static object Element(object stream, int i) => stream is float[] f ? (object)f[i] : ((int[])stream)[i];
}
