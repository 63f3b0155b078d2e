using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>
/// Pipelines that are valid but odd: each must build with no error or warning from generated code, report no KILN
/// error, and run to the result plain C# gives. (Keyword node names, enclosing records and structs and namespaces
/// that shadow System are in <see cref="GeneratedCodeTests"/>.)
/// </summary>
public class OddValidPipelineTests
{
    private const string Usings = Mistakes.Usings;

    /// <param name="Name">What is odd.</param>
    /// <param name="Sources">The source files.</param>
    /// <param name="Type">The pipeline class's metadata name; generic ones are closed over int.</param>
    /// <param name="Inputs">RunAsync's inputs, in order.</param>
    /// <param name="Expected">The run's result as text (<c>ToString()</c>), or null for a pipeline without sinks.</param>
    public sealed record OddPipeline(string Name, string[] Sources, string Type, object?[] Inputs, string? Expected);

    public static IReadOnlyList<OddPipeline> Corpus { get; } = new OddPipeline[]
    {
        new("tuples", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static (int X, string Y) Pair(int seed) => (seed, \"y\"); [Task] public static string Show((int X, string Y) pair) => pair.Y + pair.X; }" }, "P", new object?[] { 3 }, "y3"),
        new("nullable outputs", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static string? Maybe(int seed) => seed > 0 ? null : \"x\"; [Task] public static int? Length(string? maybe) => maybe?.Length; [Task] public static string Show(int? length) => length?.ToString() ?? \"none\"; }" }, "P", new object?[] { 1 }, "none"),
        new("split partial declarations in two files", new[]
        {
            Usings + "namespace Shop; [Pipeline] public static partial class P { [Task] public static int A(int seed) => seed + 1; }",
            Usings + "namespace Shop; public static partial class P { [Task] public static int B(int a) => a * 10; }",
        }, "Shop.P", new object?[] { 4 }, "50"),
        new("an empty pipeline", new[] { Usings + "[Pipeline] public static partial class P { }" }, "P", Array.Empty<object?>(), null),
        new("inputs named options and cancellationToken", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static int A(int options, string cancellationToken, int kilnOptions) => options + cancellationToken.Length + kilnOptions; }" }, "P", new object?[] { 1, "ab", 10 }, "13"),
        new("inputs named like generated fields", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static int A(int s_plan, int __KilnRun, int Token, int s_firstNodes) => s_plan + __KilnRun + Token + s_firstNodes; }" }, "P", new object?[] { 1, 2, 3, 4 }, "10"),
        new("internal sink type on an internal pipeline", new[] { Usings + "internal sealed record Summary(int N); [Pipeline] internal static partial class P { [Task] public static Summary S(int seed) => new(seed); }" }, "P", new object?[] { 7 }, "Summary { N = 7 }"),
        new("internal sink type on a public pipeline", new[] { Usings + "internal sealed record Summary(int N); [Pipeline] public static partial class P { [Task] internal static Summary S(int seed) => new(seed); }" }, "P", new object?[] { 8 }, "Summary { N = 8 }"),
        new("internal input type and two sinks on a public pipeline", new[] { Usings + "internal enum Mode { Fast, Slow } [Pipeline] public static partial class P { [Task] internal static int A(Mode mode) => (int)mode; [Task] public static string B(int seed) => seed.ToString(); }" }, "P", new object?[] { 1, 5 }, "Result { A = 1, B = 5 }"),
        new("a private type of the enclosing class on a private pipeline", new[] { Usings + "public static partial class Outer { private sealed record Secret(int N); [Pipeline] private static partial class P { [Task] public static Secret S(int seed) => new(seed); } }" }, "Outer+P", new object?[] { 2 }, "Secret { N = 2 }"),
        new("nested in a generic outer class", new[] { Usings + "namespace Shop; public static partial class Outer<TItem> { [Pipeline] public static partial class P { [Task] public static TItem[] Wrap(TItem item) => new[] { item }; [Task] public static int Count(TItem[] wrap) => wrap.Length; } }" }, "Shop.Outer`1+P", new object?[] { 9 }, "1"),
        new("keyword class and namespace names", new[] { Usings + "namespace @class.@event { [Pipeline] public static partial class @struct { [Task] public static int @int(int @for) => @for + 1; } }" }, "class.event.struct", new object?[] { 1 }, "2"),
        new("keyword sinks in the Result record", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static int @class(int seed) => seed; [Task] public static int @event(int seed) => -seed; }" }, "P", new object?[] { 3 }, "Result { class = 3, event = -3 }"),
        new("user types named Task and CancellationToken in the pipeline's namespace", new[]
        {
            "using Kiln;\nnamespace Shop { public sealed class Task { } public struct CancellationToken { } public sealed class KilnOptions { }\n"
                + "[Pipeline] public static partial class P { [Kiln.Task] public static async System.Threading.Tasks.Task<int> A(int seed, System.Threading.CancellationToken ct) { await System.Threading.Tasks.Task.Yield(); return seed * 2; } [Kiln.Task] public static Task Wrap(int a) => new Task(); } }",
        }, "Shop.P", new object?[] { 5 }, "Shop.Task"),
        new("a node named like a Kiln type", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static int PipelineGraph(int seed) => seed; [Task] public static int KilnOptions(int pipelineGraph) => pipelineGraph + 1; }" }, "P", new object?[] { 1 }, "2"),
        new("a map over a list of nullable strings", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static System.Collections.Generic.List<string?> Words(string text) => new(text.Split(' ')); [Map] public static int Length(string? words) => words?.Length ?? -1; [Task] public static string Show(int[] length) => string.Join(\",\", length); }" }, "P", new object?[] { "a bb" }, "1,2"),
        new("maps and parameters named like the attempt method's", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static string[] item(int seed) => new[] { \"x\", \"yy\" }; [Map(Retries = 1, TimeoutMs = 1000)] public static async Task<int> @index(string item, [Index] int token, int run, CancellationToken index) { await Task.Yield(); return item.Length + token + run; } [Task] public static int Sum(int[] @index) => @index[0] + @index[1]; }" }, "P", new object?[] { 0, 100 }, "204"),
        new("a void map and a retried void task", new[] { Usings + "[Pipeline] public static partial class P { [Task] public static int[] Items(int count) => new int[count]; [Map(MaxConcurrency = 1)] public static ValueTask Touch(int items) => default; [Task(Retries = 1)] public static void Nothing() { } [Task(TimeoutMs = 100)] public static int Last(int count) => count; }" }, "P", new object?[] { 3 }, "3"),
    };

    public static IEnumerable<object[]> Names() => Corpus.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task An_odd_but_valid_pipeline_builds_cleanly_and_runs(string name)
    {
        OddPipeline pipeline = Corpus.Single(c => c.Name == name);
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(pipeline.Sources);

        Assert.True(check.GeneratedProblems.Count == 0, check.Describe());
        Assert.True(check.Result.Errors.IsEmpty, string.Join("\n", check.Result.Errors));
        Assert.DoesNotContain(check.KilnIds, id => id != "KILN200");

        Type type = KilnCompilation.Load(check.Result.Output).GetType(pipeline.Type, throwOnError: true)!;
        if (type.ContainsGenericParameters)
        {
            type = type.MakeGenericType(type.GetGenericArguments().Select(_ => typeof(int)).ToArray());
        }

        MethodInfo runAsync = type.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        var task = (Task)runAsync.Invoke(null, pipeline.Inputs.Append(null).Append(CancellationToken.None).ToArray())!;
        await task;
        object? result = task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
        Assert.Equal(pipeline.Expected, result?.ToString());
    }

    /// <summary>
    /// The same pipelines marked durable: generated code still builds without an error or warning. Where every type can be
    /// stored (no KILN016), a run with a store returns the plain result, and a second run with the same run id returns it
    /// again from the store.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public async Task An_odd_but_valid_pipeline_marked_durable_builds_cleanly_and_resumes_from_its_store(string name)
    {
        OddPipeline pipeline = Corpus.Single(c => c.Name == name);
        string[] sources = pipeline.Sources.Select(s => s.Replace("[Pipeline]", "[Pipeline(Durable = true)]")).ToArray();
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(sources);

        Assert.True(check.GeneratedProblems.Count == 0, check.Describe());
        Assert.DoesNotContain(check.KilnIds, id => id is not ("KILN200" or "KILN016"));
        if (check.KilnIds.Contains("KILN016"))
        {
            return;
        }

        Assert.True(check.Result.Errors.IsEmpty, string.Join("\n", check.Result.Errors));
        Type type = KilnCompilation.Load(check.Result.Output).GetType(pipeline.Type, throwOnError: true)!;
        if (type.ContainsGenericParameters)
        {
            type = type.MakeGenericType(type.GetGenericArguments().Select(_ => typeof(int)).ToArray());
        }

        MethodInfo runAsync = type.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        await using var store = new InMemoryRunStore();
        var options = new KilnOptions { Store = store, RunId = "odd" };
        for (int run = 0; run < 2; run++)
        {
            var task = (Task)runAsync.Invoke(null, pipeline.Inputs.Append(options).Append(CancellationToken.None).ToArray())!;
            await task;
            object? result = task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
            Assert.Equal(pipeline.Expected, result?.ToString());
        }
    }

    [Fact]
    public void RunAsync_renames_its_own_parameters_around_inputs_that_take_their_names()
    {
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(Corpus.Single(c => c.Name == "inputs named options and cancellationToken").Sources);
        MethodInfo runAsync = KilnCompilation.Load(check.Result.Output).GetType("P", throwOnError: true)!.GetMethod("RunAsync")!;

        Assert.Equal(
            new[] { "options", "cancellationToken", "kilnOptions", "kilnOptions_", "kilnCancellationToken" },
            runAsync.GetParameters().Select(p => p.Name));
    }

    [Theory]
    [InlineData("internal sink type on a public pipeline")]
    [InlineData("internal input type and two sinks on a public pipeline")]
    public void RunAsync_over_internal_types_is_internal(string name)
    {
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(Corpus.Single(c => c.Name == name).Sources);
        MethodInfo runAsync = KilnCompilation.Load(check.Result.Output).GetType("P", throwOnError: true)!.GetMethod("RunAsync", BindingFlags.NonPublic | BindingFlags.Static)!;

        Assert.True(runAsync.IsAssembly);
    }

    [Fact]
    public void RunAsync_over_public_types_stays_public()
    {
        GeneratedCodeCheck check = GeneratedCodeCheck.Of(Corpus.Single(c => c.Name == "tuples").Sources);

        Assert.True(KilnCompilation.Load(check.Result.Output).GetType("P", throwOnError: true)!.GetMethod("RunAsync")!.IsPublic);
    }
}
