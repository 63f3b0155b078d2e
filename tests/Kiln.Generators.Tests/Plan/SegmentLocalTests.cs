using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Plan;

/// <summary>
/// Within a unit's segment, a value that only later plain synchronous tasks of that segment read is a local of the
/// segment's method, and the run has no field for it; every other value keeps its field (docs/design.md, "Cold start").
/// </summary>
public class SegmentLocalTests
{
    private const string Usings = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Kiln;\n";

    private static (string Code, Type Type) Generate(string members)
    {
        // LoadClean fails on any generator diagnostic and on any error or warning in the generated code.
        GeneratedResult result = KilnCompilation.Generate(Usings + "[Pipeline] public static partial class P\n{\n" + members + "\n}");
        return (string.Join("\n", result.Sources.Values), KilnCompilation.LoadClean(result).GetType("P", throwOnError: true)!);
    }

    private static Task<T> Run<T>(Type type, params object?[] inputs) =>
        (Task<T>)type.GetMethod("RunAsync")!.Invoke(null, inputs.Concat(new object?[] { null, default(CancellationToken) }).ToArray())!;

    [Fact]
    public async Task A_chain_passes_its_values_in_locals_and_keeps_a_field_only_for_its_result()
    {
        (string code, Type type) = Generate("""
                [Task] public static int First(int seed) => seed + 1;
                [Task] public static int Second(int first) => first * 3;
                [Task] public static int Third(int second) => second - 2;
                [Task] public static long Fourth(int third) => (long)third * 1000;
            """);

        Assert.Contains("int __l0 = global::P.First(__in_seed);", code, StringComparison.Ordinal);
        Assert.Contains("int __l1 = global::P.Second(__l0);", code, StringComparison.Ordinal);
        Assert.Contains("int __l2 = global::P.Third(__l1);", code, StringComparison.Ordinal);
        Assert.Contains("__v3 = global::P.Fourth(__l2);", code, StringComparison.Ordinal);
        Assert.DoesNotContain("__v0", code, StringComparison.Ordinal);
        Assert.DoesNotContain("__v1", code, StringComparison.Ordinal);
        Assert.DoesNotContain("__v2", code, StringComparison.Ordinal);
        Assert.Equal(13_000L, await Run<long>(type, 4));
    }

    [Fact]
    public async Task A_value_read_by_another_unit_keeps_its_field()
    {
        // Source feeds two tasks that run side by side: they are in different units, so Source's value is shared.
        (string code, Type type) = Generate("""
                [Task] public static int Source(int seed) => seed * 2;
                [Task] public static int Left(int source) => source + 1;
                [Task] public static int Right(int source) => source + 2;
                [Task] public static int Join(int left, int right) => left * right;
            """);

        Assert.Contains("__v0 = global::P.Source(__in_seed);", code, StringComparison.Ordinal);
        Assert.DoesNotContain("__l0", code, StringComparison.Ordinal);
        Assert.Equal(9 * 10, await Run<int>(type, 4));
    }

    [Fact]
    public async Task A_segment_with_an_awaited_task_keeps_every_value_in_fields_for_its_resume_method()
    {
        // Slow may not finish synchronously: the rest of the segment then runs in a resume method, which reads fields.
        (string code, Type type) = Generate("""
                [Task] public static int First(int seed) => seed + 1;
                [Task] public static int Second(int first) => first * 3;
                [Task] public static async Task<int> Slow(int second) { await Task.Delay(1); return second * 2; }
                [Task] public static int Last(int slow) => slow + 1;
            """);

        Assert.Contains("__v0 = global::P.First(__in_seed);", code, StringComparison.Ordinal);
        Assert.Contains("__v1 = global::P.Second(__v0);", code, StringComparison.Ordinal);
        Assert.DoesNotContain("__l", code, StringComparison.Ordinal);
        Assert.Equal(31, await Run<int>(type, 4));
    }

    [Fact]
    public async Task A_condition_and_a_skippable_value_keep_their_fields()
    {
        (string code, Type type) = Generate("""
                [Task] public static bool Large(int seed) => seed > 10;
                [Task, When(nameof(Large))] public static int Doubled(int seed) => seed * 2;
                [Task] public static int Total(int seed, Optional<int> doubled) => doubled.HasValue ? doubled.Value : seed;
            """);

        Assert.DoesNotContain("__l", code, StringComparison.Ordinal);
        Assert.Equal(40, await Run<int>(type, 20));
        Assert.Equal(4, await Run<int>(type, 4));
    }

    [Fact]
    public async Task A_node_that_throws_in_a_chain_of_locals_fails_the_run_naming_that_node_and_no_later_node_runs()
    {
        (string code, Type type) = Generate("""
                public static int LastRuns;
                [Task] public static int First(int seed) => seed + 1;
                [Task] public static int Second(int first) => first == 5 ? throw new InvalidOperationException("five") : first;
                [Task] public static int Third(int second) { LastRuns++; return second; }
            """);

        Assert.Contains("__l1", code, StringComparison.Ordinal);
        var failure = await Assert.ThrowsAsync<PipelineException>(() => Run<int>(type, 4));
        Assert.Contains("'Second'", failure.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(failure.InnerException);
        Assert.Equal(0, (int)type.GetField("LastRuns")!.GetValue(null)!);
        Assert.Equal(6, await Run<int>(type, 5));
        Assert.Equal(1, (int)type.GetField("LastRuns")!.GetValue(null)!);
    }
}
