using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN016 for distributed nodes (SPEC section 12): their arguments and output travel serialized.</summary>
public class DistributedTypeTests
{
    [Fact]
    public async Task A_distributed_map_item_that_cannot_travel_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Crawl
            {
                [Task] public static System.Action[] Jobs(int count) => new System.Action[count];
                [Map(Distributed = true)] public static int Run(System.Action {|KILN016:jobs|}) => 1;
            }
            """);

        string message = diagnostics.Single().GetMessage();
        Assert.StartsWith("Input 'jobs' of 'Run' is 'System.Action', which distributed node 'Run' cannot send between machines: ", message, System.StringComparison.Ordinal);
        Assert.Contains("a delegate", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_distributed_task_output_that_cannot_travel_is_reported_at_the_method()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Crawl
            {
                [Task(Distributed = true)] public static System.IO.Stream {|KILN016:Open|}(string path) => System.IO.Stream.Null;
            }
            """);

        Assert.StartsWith("The output of 'Open' is 'System.IO.Stream', which distributed node 'Open' cannot send between machines: a stream",
            diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_optional_argument_is_checked_by_its_value_type_and_a_map_output_by_its_item()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Crawl
            {
                [Task] public static bool Go(int n) => n > 0;
                [Task, When(nameof(Go))] public static object Extra(int n) => n;
                [Task] public static int[] Items(int n) => new int[n];
                [Map(Distributed = true)] public static System.Func<int> {|KILN016:Each|}(int items, Optional<object> {|KILN016:extra|}) => () => items;
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().StartsWith("The output of 'Each' is 'System.Func<int>'", System.StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage().StartsWith("Input 'extra' of 'Each' is 'object'", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task Types_that_stay_on_this_machine_are_not_checked()
    {
        // Only what a distributed node takes and returns travels: the stream stays with the local nodes, and a token is
        // the silo's own.
        await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public sealed record Page(string Url, int Words);
            [Pipeline]
            public static partial class Crawl
            {
                [Task] public static System.IO.Stream Open(string path) => System.IO.Stream.Null;
                [Task] public static string[] Urls(System.IO.Stream open) => new string[0];
                [Map(Distributed = true)] public static Page Fetch(string urls, [Index] int i, System.Threading.CancellationToken ct) => new(urls, i);
                [Task] public static System.Func<int> Later(Page[] fetch) => () => fetch.Length;
            }
            """);
    }
}
