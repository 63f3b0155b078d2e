using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Observability;
using Xunit;

namespace Kiln.Runtime.Tests.Conditions;

public sealed class ConditionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kiln-conditions-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(9, "checked 9")]
    [InlineData(1, "accepted 1")]
    public async Task A_node_runs_only_when_its_condition_returns_the_required_value(int score, string expected)
    {
        Assert.Equal(expected, await Branching.RunAsync(score));
    }

    [Fact]
    public async Task A_skipped_node_skips_every_node_that_reads_it_without_Optional()
    {
        var log = new ConcurrentQueue<string>();

        int result = await SkipChain.RunAsync(enabled: false, x: 4, log);

        Assert.Equal(new[] { "Last" }, log);
        Assert.Equal(-4, result);
    }

    [Fact]
    public async Task A_chain_whose_condition_holds_runs_every_node()
    {
        var log = new ConcurrentQueue<string>();

        int result = await SkipChain.RunAsync(enabled: true, x: 4, log);

        Assert.Equal(new[] { "First", "Second", "Third", "Last" }, log);
        Assert.Equal(((4 + 1) * 2) + 1, result);
    }

    [Fact]
    public async Task An_Optional_parameter_receives_None_from_a_skipped_producer()
    {
        Assert.Equal("skipped", await NestedCondition.RunAsync(outerValue: true, innerValue: false, new ConcurrentQueue<string>()));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task A_skipped_condition_skips_the_nodes_it_decides(bool outer, bool inner)
    {
        var log = new ConcurrentQueue<string>();

        Assert.Equal("skipped", await NestedCondition.RunAsync(outer, inner, log));
        Assert.Empty(log);
    }

    [Fact]
    public async Task A_condition_chain_that_holds_runs_the_guarded_node()
    {
        Assert.Equal("ran", await NestedCondition.RunAsync(outerValue: true, innerValue: true, new ConcurrentQueue<string>()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_on_a_skipped_node_is_satisfied_and_after_a_node_that_ran_orders(bool on)
    {
        var log = new ConcurrentQueue<string>();

        Assert.Equal("later", await AfterSkipped.RunAsync(on, log));
        Assert.Equal(on ? new[] { "Side", "Later" } : new[] { "Later" }, log);
    }

    [Fact]
    public void A_sink_that_can_be_skipped_is_Optional_in_the_result()
    {
        Assert.Equal(typeof(Task<Optional<int>>), typeof(SkippableSink).GetMethod("RunAsync")!.ReturnType);
        Assert.Equal(typeof(Optional<int>), typeof(SkippableSinks.Result).GetProperty("Value")!.PropertyType);
        Assert.Equal(typeof(int), typeof(SkippableSinks.Result).GetProperty("Always")!.PropertyType);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_skippable_sink_holds_its_value_or_None(bool on)
    {
        SkippableSinks.Result result = await SkippableSinks.RunAsync(on, x: 3);

        Assert.Equal(on ? new Optional<int>(30) : Optional<int>.None, result.Value);
        Assert.Equal(4, result.Always);
        Assert.Equal(on ? Optional<int>.None : new Optional<int>(70), await SkippableSink.RunAsync(on, x: 7));
    }

    [Fact]
    public async Task Progress_reports_skipped_nodes_as_completed_and_Skipped()
    {
        var progress = new CollectingProgress();

        await SkipChain.RunAsync(enabled: false, x: 1, new ConcurrentQueue<string>(), new KilnOptions { Progress = progress });

        PipelineProgress[] reports = progress.Reports.OrderBy(r => r.Completed).ToArray();
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, reports.Select(r => r.Completed));
        Assert.All(reports, r => Assert.Equal(5, r.Total));
        Assert.Equal(new[] { "First", "Second", "Third" }, reports.Where(r => r.Skipped).Select(r => r.Node).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(new[] { "Gate", "Last" }, reports.Where(r => !r.Skipped).Select(r => r.Node).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_skipped_node_is_an_instant_event_in_the_trace()
    {
        string path = Path.Combine(_directory, "skips.json");

        await SkipChain.RunAsync(enabled: false, x: 1, new ConcurrentQueue<string>(), new KilnOptions { TracePath = path });

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        List<JsonElement> events = document.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        string[] instants = events.Where(e => e.GetProperty("ph").GetString() == "i").Select(e => e.GetProperty("name").GetString()!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "First", "Second", "Third" }, instants);
        Assert.All(events.Where(e => e.GetProperty("ph").GetString() == "i"), e => Assert.Equal("skipped", e.GetProperty("args").GetProperty("status").GetString()));
        string[] complete = events.Where(e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("cat").GetString() == "task")
            .Select(e => e.GetProperty("name").GetString()!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "Gate", "Last" }, complete);
    }

    [Fact]
    public void The_graph_gives_each_node_its_condition()
    {
        Dictionary<string, string?> conditions = Branching.Graph.Nodes.ToDictionary(n => n.Name, n => n.Condition);

        Assert.Equal(new Dictionary<string, string?> { ["Disputed"] = null, ["FactCheck"] = "Disputed", ["Accept"] = "!Disputed", ["Answer"] = null }, conditions);
        Assert.Contains(new PipelineEdge("Disputed", "FactCheck"), Branching.Graph.Edges);
        Assert.Contains(new PipelineEdge("Disputed", "Accept"), Branching.Graph.Edges);
    }

    [Fact]
    public void Mermaid_draws_condition_edges_dashed_and_data_edges_solid()
    {
        string[] lines = Branching.Graph.ToMermaid().Split('\n').Select(l => l.Trim()).ToArray();

        Assert.Contains("n_Disputed -.-> n_FactCheck", lines);
        Assert.Contains("n_Disputed -.-> n_Accept", lines);
        Assert.Contains("n_FactCheck --> n_Answer", lines);
        Assert.DoesNotContain("n_Disputed --> n_FactCheck", lines);
    }

    [Fact]
    public void Dot_draws_condition_edges_dashed_and_data_edges_solid()
    {
        string[] lines = Branching.Graph.ToDot().Split('\n').Select(l => l.Trim()).ToArray();

        Assert.Contains("\"Disputed\" -> \"FactCheck\" [style=dashed];", lines);
        Assert.Contains("\"Disputed\" -> \"Accept\" [style=dashed];", lines);
        Assert.Contains("\"Accept\" -> \"Answer\";", lines);
    }
}
