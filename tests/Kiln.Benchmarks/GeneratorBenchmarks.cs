using System.Text;
using BenchmarkDotNet.Attributes;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kiln.Benchmarks;

/// <summary>
/// The generator's cost on one pipeline of N tasks (a random DAG, each node reading up to three earlier ones), from a
/// fresh driver: discovery, binding, graph analysis and emission, as a clean build pays it.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;

    [Params(250, 500, 1000, 2000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new System.Random(Nodes);
        var source = new StringBuilder("using Kiln;\n[Pipeline]\npublic static partial class Big\n{\n");
        source.Append("    [Task] public static int N0(int seed) => seed;\n");
        for (int i = 1; i < Nodes; i++)
        {
            int inputs = System.Math.Min(i, random.Next(1, 4));
            var parameters = new StringBuilder();
            var sum = new StringBuilder("0");
            for (int k = 0; k < inputs; k++)
            {
                int from = random.Next(System.Math.Max(0, i - 50), i);
                parameters.Append(k == 0 ? string.Empty : ", ").Append($"[From(nameof(N{from}))] int a{k}");
                sum.Append($" + a{k}");
            }

            source.Append($"    [Task] public static int N{i}({parameters}) => {sum};\n");
        }

        source.Append("}\n");
        _compilation = KilnCompilation.Create(source.ToString());
    }

    /// <summary>The generator's own work: the compilation's symbols are already bound from earlier iterations.</summary>
    [Benchmark]
    public GeneratorDriverRunResult Generate() =>
        KilnCompilation.CreateDriver().RunGenerators(_compilation).GetRunResult();

    /// <summary>As a clean build pays it: a fresh compilation, so binding the pipeline's symbols is included.</summary>
    [Benchmark]
    public GeneratorDriverRunResult GenerateCold() =>
        KilnCompilation.CreateDriver().RunGenerators(_compilation.Clone()).GetRunResult();
}
