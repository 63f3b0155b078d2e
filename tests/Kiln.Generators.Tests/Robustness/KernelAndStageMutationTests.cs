using System;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>
/// The kernel front end, the fusion planner, the device emitters and stage planning also survive code as it is
/// typed: a valid pipeline with all of them, truncated anywhere and with random spans deleted.
/// </summary>
public class KernelAndStageMutationTests
{
    private const int Seed = 2611;

    private const string Valid = """
        using System;
        using System.IO.Pipelines;
        using System.Threading;
        using System.Threading.Tasks;
        using Kiln;

        [Pipeline]
        public static partial class Mixed
        {
            [Task] public static float[] Load(int size) => new float[size];
            [Kernel] public static float Exposure(float load, float ev) => load * MathF.Pow(2f, ev);
            [Kernel] public static float Curve(float exposure) => Shape(exposure) > 0.5f ? 1f - exposure : exposure;
            [Reduce(Identity = 0)] public static float Total(float acc, float curve) => acc + curve;
            [Kernel] public static float Blur([Index] int i, Gather<float> curve)
            {
                float sum = 0f;
                for (int k = -1; k <= 1; k++)
                {
                    sum += curve[i + k];
                }

                return sum / 3f;
            }

            [Stage] public static async Task Copy(PipeReader input, PipeWriter output, CancellationToken ct)
            {
                await input.CopyToAsync(output, ct);
            }

            [Stage] public static async Task<long> Count(PipeReader copy)
            {
                long bytes = 0;
                while (true)
                {
                    ReadResult read = await copy.ReadAsync();
                    bytes += read.Buffer.Length;
                    copy.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted) return bytes;
                }
            }

            [Task] public static string Report(float total, float[] blur, long count) => $"{total} {blur.Length} {count}";

            private static float Shape(float x) => x * x;
        }
        """;

    [Fact]
    public void The_mixed_pipeline_of_the_mutations_is_really_valid()
    {
        GeneratedResult result = KilnCompilation.Generate(Valid);

        Assert.Empty(result.Errors);
        // Two files: the pipeline, and its fusion groups' ILGPU kernels (CUDA).
        Assert.Equal(2, result.Sources.Count);
        Assert.Contains("Group0OpenCl", Assert.Single(result.Sources, s => !s.Key.EndsWith(".Kiln.Cuda.g.cs", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        Assert.Contains("__KilnCuda", Assert.Single(result.Sources, s => s.Key.EndsWith(".Kiln.Cuda.g.cs", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernels_and_stages_survive_being_truncated_anywhere()
    {
        int step = Math.Max(1, Valid.Length / 100);
        for (int length = 0; length < Valid.Length; length += step)
        {
            RobustnessTests.AssertSurvives($"truncated at {length}", Valid.Substring(0, length));
        }
    }

    [Fact]
    public void Kernels_and_stages_survive_random_spans_deleted()
    {
        var random = new Random(Seed);
        for (int i = 0; i < 100; i++)
        {
            int start = random.Next(Valid.Length);
            int length = random.Next(1, Math.Min(30, Valid.Length - start) + 1);
            RobustnessTests.AssertSurvives($"seed {Seed}, mutation {i}: deleted [{start}, {start + length})", Valid.Remove(start, length));
        }
    }
}
