using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>
/// KILN020: <c>Distributed = true</c> in a pipeline that cannot host the table of distributed nodes (private, generic
/// or protected, itself or a type around it) has no effect; the warning says so at each such node.
/// </summary>
public class DistributedHereTests
{
    [Fact]
    public async Task A_private_nested_pipeline_warns_at_each_distributed_node_naming_the_private_type()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public static partial class Crawler
            {
                [Pipeline]
                private static partial class Fetch
                {
                    [Task] public static int[] Pages(int count) => new int[count];
                    [Map(Distributed = true)] public static int {|KILN020:Get|}(int pages) => pages + 1;
                    [Task(Distributed = true)] public static int {|KILN020:Total|}(int[] get) => get.Length;
                    [Task] public static int Local(int[] get) => get.Length;
                }
            }
            """);

        Assert.All(diagnostics, d => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal(
            "'Get' is Distributed, but pipeline 'Fetch' cannot list its distributed nodes for the cluster's workers: 'Crawler.Fetch' is "
                + "private; the node runs in this process. Make the pipeline and the types that contain it public or internal, and not generic.",
            diagnostics.First().GetMessage());
    }

    [Fact]
    public async Task A_pipeline_inside_a_generic_class_names_the_generic_type()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public static partial class Jobs<T>
            {
                [Pipeline]
                public static partial class Batch
                {
                    [Task(Distributed = true)] public static int {|KILN020:Score|}(int seed) => seed * 2;
                }
            }
            """);

        Assert.Contains("'Jobs<T>' is generic", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protected_pipeline_is_named_too()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            public partial class Host
            {
                [Pipeline]
                protected static partial class Inner
                {
                    [Task(Distributed = true)] public static int {|KILN020:A|}(int seed) => seed;
                }
            }
            """);

        Assert.Contains("'Host.Inner' is protected", diagnostics.Single().GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_and_internal_pipelines_and_nested_ones_inside_them_get_no_warning()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Sources.Usings + """
            [Pipeline]
            public static partial class Open
            {
                [Task(Distributed = true)] public static int A(int seed) => seed;
            }

            internal static partial class Outer
            {
                [Pipeline]
                internal static partial class Inner
                {
                    [Map(Distributed = true)] public static int B(int items) => items;
                    [Task] public static int[] Items(int count) => new int[count];
                }
            }
            """);

        Assert.Empty(diagnostics);
    }
}
