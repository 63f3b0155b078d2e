using System;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>
/// Kiln's set-up of Microsoft.CodeAnalysis.Testing fails when it should, so a passing test elsewhere means something:
/// an unmarked KILN diagnostic, a span that is off, an unmarked compiler error and a wrong fix each fail.
/// </summary>
public class VerifierTests
{
    private const string Cycle = """
        [Pipeline]
        public static partial class Loop
        {
            [Task] public static int A(int b) => b;
            [Task] public static int {|KILN001:B|}(int a) => a;
        }
        """;

    [Fact]
    public async Task An_unmarked_diagnostic_fails_verification()
    {
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => KilnVerifier.AnalyzeAsync(Sources.Usings + Cycle));

        Assert.Contains("KILN001", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_marked_span_that_is_off_fails_verification()
    {
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Loop
            {
                [Task] public static {|KILN001:int A|}(int b) => b;
                [Task] public static int {|KILN001:B|}(int a) => a;
            }
            """));

        Assert.Contains("KILN001", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unmarked_compiler_error_fails_verification()
    {
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public static class Caller
            {
                public static int Go() => "text";
            }
            """));

        Assert.Contains("CS0029", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fixed_source_that_differs_fails_verification()
    {
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => KilnVerifier.FixAsync(
            Sources.Usings + """
            [Pipeline]
            public class {|KILN002:Report|}
            {
            }
            """,
            Sources.Usings + """
            [Pipeline]
            public partial static class Report
            {
            }
            """));

        Assert.Contains("Report", failure.Message, StringComparison.Ordinal);
    }
}
