using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Durability;

/// <summary>
/// SPEC section 11: a run stored by one version of a durable pipeline resumes under a build of the same source, and is
/// refused, never mixed, under a build whose graph or types changed.
/// </summary>
public class FingerprintTests
{
    private const string Usings = "using System;\nusing System.Threading.Tasks;\nusing Kiln;\n\n";

    private const string Original = Usings + """
        namespace Shop;
        [Pipeline(Durable = true)]
        public static partial class Orders
        {
            public static int Calls;
            [Task] public static int Count(int size) { Calls++; return size * 2; }
            [Task] public static string Show(int count) => "n=" + count;
        }
        """;

    public static TheoryData<string, string> Changes() => new()
    {
        { "an output type", Original.Replace("public static int Count(int size) { Calls++; return size * 2; }", "public static long Count(int size) { Calls++; return size * 2; }").Replace("Show(int count)", "Show(long count)") },
        { "a node added", Original.Replace("[Task] public static string Show", "[Task] public static int Extra(int size) => size; [Task] public static string Show") },
        { "a node renamed", Original.Replace("Show(int count)", "Display(int count)") },
        { "an edge added", Original.Replace("Show(int count)", "Show(int count, int size)") },
        { "a parameter's type", Original.Replace("Count(int size) { Calls++; return size * 2; }", "Count(long size) { Calls++; return (int)size * 2; }") },
    };

    [Fact]
    public async Task A_build_of_the_same_source_resumes_the_stored_run()
    {
        await using var store = new InMemoryRunStore();
        Assert.Equal("n=6", await Run(Original, store, 3));
        Type rebuilt = PipelineOf(Original);
        Assert.Equal("n=6", await Run(rebuilt, store, 3));
        Assert.Equal(0, (int)rebuilt.GetField("Calls")!.GetValue(null)!);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_build_with_a_changed_graph_or_type_refuses_the_stored_run(string change, string source)
    {
        await using var store = new InMemoryRunStore();
        Assert.Equal("n=6", await Run(Original, store, 3));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Run(PipelineOf(source), store, 3));
        Assert.True(refused.Message.Contains("another version of the pipeline", StringComparison.Ordinal), $"{change}: {refused.Message}");
        Assert.Contains("'run-1'", refused.Message);
    }

    private static Type PipelineOf(string source)
    {
        GeneratedResult generated = KilnCompilation.Generate(source);
        return KilnCompilation.LoadClean(generated).GetType("Shop.Orders", throwOnError: true)!;
    }

    private static Task<string> Run(string source, IRunStore store, int size) => Run(PipelineOf(source), store, size);

    private static async Task<string> Run(Type pipeline, IRunStore store, int size)
    {
        MethodInfo runAsync = pipeline.GetMethod("RunAsync")!;
        object?[] arguments = runAsync.GetParameters().Length == 4
            ? new object?[] { size, size, new KilnOptions { Store = store, RunId = "run-1" }, CancellationToken.None }
            : new object?[] { size, new KilnOptions { Store = store, RunId = "run-1" }, CancellationToken.None };
        var task = (Task)runAsync.Invoke(null, arguments)!;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task)!.ToString()!;
    }
}
