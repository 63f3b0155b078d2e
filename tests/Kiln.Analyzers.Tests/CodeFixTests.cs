using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>
/// The KILN002 and KILN006 code fixes on Microsoft.CodeAnalysis.Testing: each fix is applied one by one and as Fix All
/// (document, project, solution), every result must equal the expected text, and the fixed code must build cleanly.
/// </summary>
public class CodeFixTests
{
    [Fact]
    public Task A_plain_class_becomes_static_partial_after_its_accessibility() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);

    [Fact]
    public Task A_class_without_modifiers_keeps_its_indentation_and_comments() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            namespace Reports
            {
                [Pipeline]
                /* the report */ class {|KILN002:Report|}
                {
                    [Task] public static int Parse(string text) => text.Length;
                }
            }
            """,
            Sources.Usings + """
            namespace Reports
            {
                [Pipeline]
                /* the report */ static partial class Report
                {
                    [Task] public static int Parse(string text) => text.Length;
                }
            }
            """);

    [Fact]
    public Task Sealed_is_dropped_and_existing_modifiers_kept() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            internal sealed partial class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            internal static partial class Report
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);

    [Fact]
    public Task Abstract_is_dropped() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            abstract public class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);

    [Fact]
    public Task A_static_class_only_gains_partial() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public static class {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);

    [Fact]
    public Task Enclosing_types_that_are_not_partial_become_partial() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            public static class Outer
            {
                internal struct Middle
                {
                    [Pipeline]
                    private static class {|KILN002:Report|}
                    {
                        [Task] public static int Parse(string text) => text.Length;
                    }
                }
            }
            """,
            Sources.Usings + """
            public static partial class Outer
            {
                internal partial struct Middle
                {
                    [Pipeline]
                    private static partial class Report
                    {
                        [Task] public static int Parse(string text) => text.Length;
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_all_makes_every_pipeline_in_the_document_static_partial() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public sealed class {|KILN002:First|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }

            [Pipeline]
            internal partial class {|KILN002:Second|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class First
            {
                [Task] public static int Parse(string text) => text.Length;
            }

            [Pipeline]
            internal static partial class Second
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);

    [Fact]
    public Task A_struct_is_offered_no_fix() =>
        KilnVerifier.NoFixAsync(Sources.Usings + """
            [{|CS0592:Pipeline|}]
            public partial struct {|KILN002:Report|}
            {
                [Task] public static int Parse(string text) => text.Length;
            }
            """);

    [Fact]
    public Task An_unknown_From_name_becomes_nameof_the_closest_node() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From({|KILN006:"parce"|})] int[] values) => values.Length;
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From(nameof(Parse))] int[] values) => values.Length;
            }
            """);

    [Fact]
    public Task An_unknown_After_name_becomes_nameof_the_closest_node() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static void Fetch() { }
                [Task] public static void Parse() { }
                [Task, After(nameof(Fetch), {|KILN006:"Prase"|})] public static void Log() { }
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static void Fetch() { }
                [Task] public static void Parse() { }
                [Task, After(nameof(Fetch), nameof(Parse))] public static void Log() { }
            }
            """);

    [Fact]
    public Task Nameof_of_a_missing_name_is_fixed_too() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static void Fetch() { }
                [Task, After({|KILN006:nameof({|CS0103:Fetc|})|})] public static void Log() { }
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static void Fetch() { }
                [Task, After(nameof(Fetch))] public static void Log() { }
            }
            """);

    [Fact]
    public Task Fix_all_replaces_each_unknown_name_with_its_own_closest_node() =>
        KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From({|KILN006:"Prse"|})] int[] values) => values.Length;
                [Task, After({|KILN006:"Cont"|})] public static void Log() { }
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From(nameof(Parse))] int[] values) => values.Length;
                [Task, After(nameof(Count))] public static void Log() { }
            }
            """);

    [Fact]
    public Task A_name_without_a_close_node_is_offered_no_fix() =>
        KilnVerifier.NoFixAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Report
            {
                [Task] public static int[] Parse(string text) => new[] { text.Length };
                [Task] public static int Count([From({|KILN006:"Histogram"|})] int[] values) => values.Length;
            }
            """);

    [Fact]
    public async Task The_fix_title_names_the_replacement()
    {
        var offered = new ConcurrentDictionary<string, bool>();
        await new KilnCodeFixTest
        {
            TestCode = Sources.Usings + """
                [Pipeline]
                public class {|KILN002:Report|}
                {
                    [Task] public static int[] Parse(string text) => new[] { text.Length };
                    [Task] public static int Count([From({|KILN006:"Parce"|})] int[] values) => values.Length;
                }
                """,
            FixedCode = Sources.Usings + """
                [Pipeline]
                public static partial class Report
                {
                    [Task] public static int[] Parse(string text) => new[] { text.Length };
                    [Task] public static int Count([From(nameof(Parse))] int[] values) => values.Length;
                }
                """,
            // Fix All fixes one kind of diagnostic at a time: KILN002 in one pass, KILN006 in the next.
            NumberOfFixAllIterations = 2,
            // Called for every fix the package applies, one by one and as Fix All.
            CodeActionVerifier = (action, _) => offered[action.Title] = true,
        }.RunAsync();

        Assert.Equal(new[] { "Make 'Report' a static partial class", "Use nameof(Parse)" }, offered.Keys.Order(StringComparer.Ordinal));
    }
}
