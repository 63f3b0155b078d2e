using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Observability;

[Pipeline]
public static partial class ReportsProgress
{
    [Task] public static int A() => 1;
    [Task] public static async Task<int> B(int a) { await Task.Yield(); return a + 1; }
    [Task] public static int C(int a) => a + 2;
    [Task] public static void D(int b, int c) => GC.KeepAlive(b + c);
}

/// <summary>Collects reports on the reporting thread (<see cref="Progress{T}"/> would post them elsewhere).</summary>
internal sealed class CollectingProgress : IProgress<PipelineProgress>
{
    public ConcurrentQueue<PipelineProgress> Reports { get; } = new();

    public void Report(PipelineProgress value) => Reports.Enqueue(value);
}

public class ProgressTests
{
    [Fact]
    public async Task Progress_reports_every_node_once_and_ends_at_Total_of_Total()
    {
        var progress = new CollectingProgress();

        await ReportsProgress.RunAsync(new KilnOptions { Progress = progress });

        PipelineProgress[] reports = progress.Reports.OrderBy(r => r.Completed).ToArray();
        Assert.Equal(new[] { "A", "B", "C", "D" }, reports.Select(r => r.Node).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Completed));
        Assert.All(reports, r => Assert.Equal(4, r.Total));
        Assert.Equal(reports[^1].Total, reports[^1].Completed);
    }

    [Fact]
    public async Task Progress_reports_a_node_only_after_its_producers()
    {
        var progress = new CollectingProgress();

        await ReportsProgress.RunAsync(new KilnOptions { Progress = progress, MaxDegreeOfParallelism = 1 });

        PipelineProgress[] reports = progress.Reports.OrderBy(r => r.Completed).ToArray();
        Assert.Equal("A", reports[0].Node);
        Assert.Equal("D", reports[^1].Node);
    }
}
