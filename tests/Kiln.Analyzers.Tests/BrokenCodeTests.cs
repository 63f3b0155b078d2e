using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>Code as it is while being typed: the generator and analyzers must never crash on it.</summary>
public class BrokenCodeTests
{
    public static IEnumerable<object[]> BrokenPipelines() => new[]
    {
        Case("half-typed method", "[Task] public static int Parse(string text"),
        Case("half-typed attribute", "[Task, After(] public static void Log() { }"),
        Case("method without body or return type", "[Task] public static Parse(string text)"),
        Case("missing parameter type", "[Task] public static int Parse(string text) => 1;\n[Task] public static int Count(Missing parse) => 1;"),
        Case("missing return type", "[Task] public static Missing Parse(string text) => null!;\n[Task] public static int Count(int parse) => parse;"),
        Case("missing input type", "[Task] public static int Parse(Missing text) => 1;"),
        Case("From without arguments", "[Task] public static int Parse() => 1;\n[Task] public static int Count([From] int values) => values;"),
        Case("From with a number", "[Task] public static int Parse() => 1;\n[Task] public static int Count([From(42)] int values) => values;"),
        Case("From with two arguments", "[Task] public static int Parse() => 1;\n[Task] public static int Count([From(\"Parse\", \"x\")] int values) => values;"),
        Case("From with nameof of nothing", "[Task] public static int Parse() => 1;\n[Task] public static int Count([From(nameof(Parce))] int values) => values;"),
        Case("After with nameof of nothing", "[Task] public static void Fetch() { }\n[Task, After(nameof(Fetc))] public static void Log() { }"),
        Case("After with a number", "[Task] public static void Fetch() { }\n[Task, After(1, 2)] public static void Log() { }"),
        Case("Task with a wrong Cost", "[Task(Cost = \"high\")] public static int Parse() => 1;"),
        Case("Task on a constructor", "[{|CS0592:Task|}] static Broken() { }"),
        Case("Task on a property", "[Task] public static int Parse => 1;"),
        // By-reference task parameters compile and get KILN003 instead: see DeclarationTests.
        Case("a duplicate attribute", "[Task, Task] public static int Parse() => 1;"),
    };

    [Theory]
    [MemberData(nameof(BrokenPipelines))]
    public void Broken_pipeline_code_reports_compiler_errors_without_crashing(string what, string members)
    {
        ImmutableDiagnostics diagnostics = GenerateAndAnalyzeWithoutCrash(Sources.Usings + $$"""
            [Pipeline]
            public static partial class Broken
            {
                {{members.Replace("{|CS0592:", string.Empty, System.StringComparison.Ordinal).Replace("|}", string.Empty, System.StringComparison.Ordinal)}}
            }
            """);

        Assert.True(diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", System.StringComparison.Ordinal)), what);
    }

    public static IEnumerable<object[]> BrokenTypes() => new[]
    {
        new object[] { "[Pipeline] public partial interface Broken { [Task] static int Parse() => 1; }" },
        new object[] { "[Pipeline] public enum Broken { A }" },
        new object[] { "[Pipeline] public delegate int Broken(int x);" },
        new object[] { "[Pipeline] public static partial class Broken<T> { [Task] public static T Parse(T seed) => seed; }" },
        new object[] { "[Pipeline(\"x\")] public static partial class Broken { [Task] public static int Parse() => 1; }" },
        new object[] { "[Pipeline] public static partial class Broken : Base { }\npublic class Base { }" },
        new object[] { "[Pipeline] public static partial class" },
    };

    [Theory]
    [MemberData(nameof(BrokenTypes))]
    public void Pipeline_on_the_wrong_kind_of_type_does_not_crash(string source)
    {
        ImmutableDiagnostics diagnostics = GenerateAndAnalyzeWithoutCrash(Sources.Usings + source);

        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public async Task A_From_argument_the_compiler_cannot_bind_is_left_to_the_compiler_error_alone()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Broken
            {
                [Task] public static int Parse() => 1;
                [Task] public static int Count([{|CS7036:From|}] int b, [From({|CS1503:42|})] int c) => b + c;
            }
            """);
    }

    [Fact]
    public async Task A_missing_type_on_either_side_of_a_binding_is_left_to_the_compiler_error_alone()
    {
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Broken
            {
                [Task] public static {|CS0246:Missing|} Parse(string text) => null!;
                [Task] public static int Count(int parse) => parse;
                [Task] public static string Render(List<{|CS0246:Absent|}> count) => "";
            }

            public static class Caller
            {
                public static Task<string> Go() => Broken.RunAsync("text");
            }
            """);
    }

    [Fact]
    public async Task Nameof_of_a_missing_node_gets_KILN006_with_the_suggestion_beside_the_compiler_error()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Broken
            {
                [Task] public static int Fetch() => 1;
                [Task] public static int Parse(int fetch) => fetch;
                [Task, After(nameof(Fetch), {|KILN006:nameof({|CS0103:Fetc|})|})] public static void Log() { }
                [Task] public static int Count([From({|KILN006:nameof({|CS0103:Parce|})|})] int a) => a;
            }
            """);

        Assert.Equal(new[] { "Fetch", "Parse" }, diagnostics.Select(d => d.Properties["Suggestion"]));
    }

    private static object[] Case(string what, string members) => new object[] { what, members };

    /// <summary>
    /// For code too broken to mark up (syntax errors, missing types), where Microsoft.CodeAnalysis.Testing would need
    /// every compiler error listed: runs the generator and the analyzers, requires that neither crashed, and returns
    /// every diagnostic, compiler ones included.
    /// </summary>
    private static ImmutableDiagnostics GenerateAndAnalyzeWithoutCrash(string source)
    {
        GeneratedResult generated = KilnCompilation.Generate(source);
        ImmutableDiagnostics all = generated.GeneratorDiagnostics.AddRange(KilnCompilation.Analyze(generated.Output));
        Assert.DoesNotContain(all, d => d.Id is "AD0001" or "CS8784" or "CS8785");
        return all;
    }
}
