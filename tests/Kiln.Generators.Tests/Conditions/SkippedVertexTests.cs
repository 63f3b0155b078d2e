using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Conditions;

/// <summary>
/// Kernels and stages cannot carry <c>[When]</c> (KILN015), but they can read a task a condition skips: then their fusion
/// group or group of stages, one vertex of the executor, is skipped as a whole.
/// </summary>
public class SkippedVertexTests
{
    private const string Source = """
        using System;
        using System.IO.Pipelines;
        using System.Threading.Tasks;
        using Kiln;

        namespace Skips;

        [Pipeline]
        public static partial class Fused
        {
            [Task] public static bool Flag(bool on) => on;
            [Task, When(nameof(Flag))] public static float[] Samples(int count) => new float[count];
            [Kernel] public static float Scaled(float samples, [Index] int i) => samples + i * 2f;
            [Reduce(Identity = 0)] public static float Total(float acc, float scaled) => acc + scaled;
            [Task] public static string Report(Optional<float> total) => total.HasValue ? "total " + total.Value : "none";
        }

        [Pipeline]
        public static partial class Streamed
        {
            [Task] public static bool Flag(bool on) => on;
            [Task, When(nameof(Flag), false)] public static byte[] Text(int size) => new byte[size];
            [Stage] public static async Task<long> Count(PipeReader text)
            {
                long length = 0;
                while (true)
                {
                    ReadResult read = await text.ReadAsync();
                    length += read.Buffer.Length;
                    text.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted) return length;
                }
            }
            [Task] public static string Report(Optional<long> count) => count.HasValue ? "bytes " + count.Value : "none";
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        GeneratedResult result = KilnCompilation.Generate(Source);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Empty(KilnCompilation.Analyze(result.Input).Where(d => d.Severity >= DiagnosticSeverity.Warning));
        return KilnCompilation.Load(result.Output);
    });

    private static Task<string> Run(string pipeline, params object?[] inputs)
    {
        MethodInfo runAsync = Compiled.Value.GetType("Skips." + pipeline, throwOnError: true)!.GetMethod("RunAsync")!;
        return (Task<string>)runAsync.Invoke(null, inputs.Concat(new object?[] { null, default(System.Threading.CancellationToken) }).ToArray())!;
    }

    [Theory]
    [InlineData(true, "total 6")]
    [InlineData(false, "none")]
    public async Task A_fusion_group_reading_a_skipped_task_is_skipped_and_Optional_gets_None(bool on, string expected)
    {
        // Samples are zeros, so the total is 0 * 2 + 1 * 2 + 2 * 2 for three elements.
        Assert.Equal(expected, await Run("Fused", on, 3));
    }

    [Theory]
    [InlineData(false, "bytes 5")]
    [InlineData(true, "none")]
    public async Task A_stage_reading_a_skipped_task_is_skipped_and_Optional_gets_None(bool on, string expected)
    {
        Assert.Equal(expected, await Run("Streamed", on, 5));
    }
}
