using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests;

/// <summary>For valid pipelines, the generated code compiles without errors or warnings wherever the class lives.</summary>
public class GeneratedCodeTests
{
    private const string Usings = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Kiln;\n";

    private const string Members = """
            [Task] public static async Task<string> Fetch(string url, CancellationToken ct) { await Task.Yield(); return url; }
            [Task] public static int Count(string fetch) => fetch.Length;
            [Task] public static string? Maybe(int count) => count > 0 ? "yes" : null;
            [Task] public static string Render(int count, string? maybe) => $"{count}:{maybe}";
        """;

    private static async Task AssertCleanAndRuns(string source, string typeName, string expectedRender)
    {
        GeneratedResult result = KilnCompilation.Generate(source);

        Assert.Single(result.Sources);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        Type type = KilnCompilation.Load(result.Output).GetType(typeName, throwOnError: true)!;
        var run = (Task<string>)type.GetMethod("RunAsync")!.Invoke(null, new object?[] { "abc", null, default(System.Threading.CancellationToken) })!;
        Assert.Equal(expectedRender, await run);
    }

    [Fact]
    public async Task A_pipeline_in_a_file_scoped_namespace_compiles_cleanly()
    {
        await AssertCleanAndRuns(Usings + "namespace Shop.Orders;\n[Pipeline] public static partial class P\n{\n" + Members + "\n}", "Shop.Orders.P", "3:yes");
    }

    [Fact]
    public async Task A_pipeline_in_a_block_namespace_compiles_cleanly()
    {
        await AssertCleanAndRuns(Usings + "namespace Shop { namespace Orders {\n[Pipeline] public static partial class P\n{\n" + Members + "\n} } }", "Shop.Orders.P", "3:yes");
    }

    [Fact]
    public async Task A_pipeline_in_the_global_namespace_compiles_cleanly()
    {
        await AssertCleanAndRuns(Usings + "[Pipeline] public static partial class P\n{\n" + Members + "\n}", "P", "3:yes");
    }

    [Fact]
    public async Task A_pipeline_nested_in_partial_classes_compiles_cleanly()
    {
        await AssertCleanAndRuns(
            Usings + "namespace Shop;\npublic static partial class Outer { internal partial class Middle {\n[Pipeline] internal static partial class P\n{\n" + Members + "\n} } }",
            "Shop.Outer+Middle+P",
            "3:yes");
    }

    [Fact]
    public async Task A_pipeline_nested_in_a_partial_record_and_struct_compiles_cleanly()
    {
        await AssertCleanAndRuns(
            Usings + "namespace Shop;\npublic partial record Outer { public partial struct Inner {\n[Pipeline] public static partial class P\n{\n" + Members + "\n} } }",
            "Shop.Outer+Inner+P",
            "3:yes");
    }

    [Fact]
    public async Task A_pipeline_whose_namespace_shadows_System_and_Kiln_compiles_cleanly()
    {
        await AssertCleanAndRuns(
            Usings + "namespace Shop.System.Kiln.Threading;\npublic sealed class Task { }\npublic sealed class PipelineGraph { }\n[Pipeline] public static partial class P\n{\n"
                + Members.Replace("Task<string>", "global::System.Threading.Tasks.Task<string>").Replace("Task.Yield", "global::System.Threading.Tasks.Task.Yield").Replace("[Task]", "[global::Kiln.Task]")
                + "\n}",
            "Shop.System.Kiln.Threading.P",
            "3:yes");
    }

    [Fact]
    public async Task Keyword_names_compile_cleanly()
    {
        string source = Usings + """
            namespace Shop;
            [Pipeline]
            public static partial class P
            {
                [Task] public static int @class(string @event) => @event.Length;
                [Task] public static int @int(int @class) => @class * 2;
                [Task] public static string @string(int @int, int @class) => $"{@class}/{@int}";
            }
            """;
        GeneratedResult result = KilnCompilation.Generate(source);

        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        MethodInfo runAsync = KilnCompilation.Load(result.Output).GetType("Shop.P", throwOnError: true)!.GetMethod("RunAsync")!;
        Assert.Equal("event", runAsync.GetParameters()[0].Name);
        Assert.Equal("3/6", await (Task<string>)runAsync.Invoke(null, new object?[] { "abc", null, default(System.Threading.CancellationToken) })!);
    }

    [Fact]
    public void Pipelines_without_sinks_or_inputs_and_with_several_sinks_compile_cleanly()
    {
        string source = Usings + """
            namespace Shop;
            [Pipeline] public static partial class Empty { }
            [Pipeline] public static partial class Effects { [Task] public static void A() { } [Task, After(nameof(A))] public static ValueTask B() => default; }
            [Pipeline] public static partial class Many { [Task] public static int A() => 1; [Task] public static long B() => 2; [Task] public static ValueTask<string> C() => new("c"); }
            """;
        GeneratedResult result = KilnCompilation.Generate(source);

        Assert.Equal(3, result.Sources.Count);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Two_pipelines_with_one_name_in_different_namespaces_get_distinct_generated_files()
    {
        string source = Usings + """
            namespace A { [Pipeline] public static partial class P { [Task] public static int X() => 1; } }
            namespace B { [Pipeline] public static partial class P { [Task] public static int X() => 2; } }
            """;
        GeneratedResult result = KilnCompilation.Generate(source);

        Assert.Equal(2, result.Sources.Count);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}
