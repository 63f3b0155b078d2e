using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>The verifiers fail when they should, so a passing test above means something.</summary>
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
    public void An_unmarked_diagnostic_fails_verification()
    {
        var failure = Assert.Throws<VerificationException>(() => AnalyzerVerifier.Verify(Sources.Usings + Cycle));

        Assert.Contains("KILN001", failure.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_marked_span_that_is_off_fails_verification()
    {
        Assert.Throws<VerificationException>(() => AnalyzerVerifier.Verify(Sources.Usings + """
            [Pipeline]
            public static partial class Loop
            {
                [Task] public static {|KILN001:int A|}(int b) => b;
                [Task] public static int {|KILN001:B|}(int a) => a;
            }
            """));
    }

    [Fact]
    public void An_unmarked_compiler_error_fails_verification()
    {
        var failure = Assert.Throws<VerificationException>(() => AnalyzerVerifier.Verify(Sources.Usings + """
            public static class Caller
            {
                public static int Go() => "text";
            }
            """));

        Assert.Contains("CS0029", failure.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public Task A_fixed_source_that_differs_fails_verification() =>
        Assert.ThrowsAsync<VerificationException>(() => CodeFixVerifier.VerifyAsync(
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
}
