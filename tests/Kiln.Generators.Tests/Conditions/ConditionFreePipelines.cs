using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generators.Tests.RandomDags;

namespace Kiln.Generators.Tests.Conditions;

/// <summary>
/// Pipelines without <c>[When]</c> covering every kind of unit the emitter writes (synchronous and asynchronous tasks,
/// several sinks, <c>[After]</c>, tokens, fusion groups, stages) plus random DAGs. Their generated code was recorded
/// in Baseline/ by the generator as it was before conditions existed (commit f3f1a5a), so a test can prove that
/// pipelines without conditions pay nothing: not one character of their code changed.
/// </summary>
public static class ConditionFreePipelines
{
    private const string Usings = "using System;\nusing System.IO.Pipelines;\nusing System.Linq;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Kiln;\n\nnamespace Baseline;\n\n";

    public static IReadOnlyList<(string Name, string Source)> All { get; } = Create();

    private static IReadOnlyList<(string Name, string Source)> Create()
    {
        var all = new List<(string, string)>
        {
            ("Report", Usings + """
                [Pipeline]
                public static partial class Report
                {
                    [Task] public static async Task<string> Fetch(string source, CancellationToken ct) { await Task.Delay(1, ct); return source; }
                    [Task] public static int[] Parse(string fetch) => fetch.Select(c => (int)c).ToArray();
                    [Task(Cost = 5)] public static int Summarize(int[] parse) => parse.Sum();
                    [Task] public static ValueTask<int[]> Histogram(int[] parse, int bins) => new(parse.Take(bins).ToArray());
                    [Task, Output] public static string Render(int summarize, int[] histogram) => summarize + ":" + histogram.Length;
                    [Task, After(nameof(Render))] public static void Log(int summarize) { }
                    [Task, After(nameof(Log))] public static async Task Flush(CancellationToken ct) => await Task.Yield();
                    [Task] public static long Count(string render) => render.Length;
                }
                """),
            ("Kernels", Usings + """
                [Pipeline]
                public static partial class Kernels
                {
                    [Task] public static float[] Samples(float[] s) => s;
                    [Task] public static float Gain(float level) => level * 2f;
                    [Kernel] public static float Scaled(float samples, float gain) => samples * gain;
                    [Kernel] public static float Smooth([Index] int i, Gather<float> scaled) => (scaled[i - 1] + scaled[i] + scaled[i + 1]) / 3f;
                    [Reduce(Identity = double.NegativeInfinity)] public static float Peak(float acc, float smooth) => MathF.Max(acc, smooth);
                    [Task] public static string Describe(float peak, float[] smooth) => peak + "/" + smooth.Length;
                }
                """),
            ("Stages", Usings + """
                [Pipeline]
                public static partial class Stages
                {
                    [Stage] public static async Task Copy(PipeReader input, PipeWriter output, CancellationToken ct) => await input.CopyToAsync(output, ct);
                    [Stage] public static async Task<long> Length(PipeReader copy)
                    {
                        long length = 0;
                        while (true)
                        {
                            ReadResult result = await copy.ReadAsync();
                            length += result.Buffer.Length;
                            copy.AdvanceTo(result.Buffer.End);
                            if (result.IsCompleted) return length;
                        }
                    }
                    [Task] public static string Describe(long length) => length.ToString();
                }
                """),
        };

        var random = new Random(20261128);
        for (int i = 0; i < 6; i++)
        {
            RandomDag dag = RandomDag.Create("Random" + i, random);
            all.Add(("Random" + i, Usings + Mixing.Source.Replace("class Mixing", "class Mixing" + i) + "\n\n" + dag.ToSource().Replace("Mixing.", "Mixing" + i + ".")));
        }

        return all;
    }
}
