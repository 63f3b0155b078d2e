using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Observability;

// Fetch → {Cheap, Heavy} → Render; Audit after Fetch without data. Heavy's cost puts it on the critical path
// although Cheap is declared first.
[Pipeline]
public static partial class Described
{
    [Task] public static async Task<string> Fetch(string url) { await Task.Yield(); return url; }
    [Task] public static int Cheap(string fetch) => fetch.Length;
    [Task(Cost = 10)] public static int[] Heavy(string fetch, int bins) => new int[bins];
    [Task] public static string Render(int cheap, int[] heavy) => $"{cheap}/{heavy.Length}";
    [Task, After(nameof(Fetch))] public static void Audit() { }
}

[Pipeline]
public static partial class CheapDeclaredLast
{
    [Task] public static int Start() => 1;
    [Task(Cost = 5)] public static int Slow(int start) => start;
    [Task(Cost = 2)] public static int Quick1(int start) => start;
    [Task(Cost = 2)] public static int Quick2(int quick1) => quick1;
    [Task] public static int End(int slow, int quick2) => slow + quick2;
}

public class GraphTests
{
    [Fact]
    public void Graph_is_named_after_the_class()
    {
        Assert.Equal("Described", Described.Graph.Name);
    }

    [Fact]
    public void Nodes_list_every_marked_method_in_declaration_order_with_kind_and_output_type()
    {
        Assert.Equal(
            new[]
            {
                ("Fetch", NodeKind.Task, (string?)"string"),
                ("Cheap", NodeKind.Task, "int"),
                ("Heavy", NodeKind.Task, "int[]"),
                ("Render", NodeKind.Task, "string"),
                ("Audit", NodeKind.Task, null),
            },
            Described.Graph.Nodes.Select(n => (n.Name, n.Kind, n.OutputType)));
    }

    [Fact]
    public void Edges_hold_data_and_After_dependencies()
    {
        Assert.Equal(
            new[] { ("Fetch", "Audit"), ("Fetch", "Cheap"), ("Fetch", "Heavy"), ("Heavy", "Render"), ("Cheap", "Render") }.OrderBy(e => e),
            Described.Graph.Edges.Select(e => (e.From, e.To)).OrderBy(e => e));
    }

    [Fact]
    public void Inputs_are_the_RunAsync_parameters_with_their_types()
    {
        Assert.Equal(new[] { new PipelineInput("url", "string"), new PipelineInput("bins", "int") }, Described.Graph.Inputs);
    }

    [Fact]
    public void Waves_group_nodes_by_topological_level()
    {
        Assert.Equal(3, Described.Graph.Waves.Count);
        Assert.Equal(new[] { "Fetch" }, Described.Graph.Waves[0]);
        Assert.Equal(new[] { "Audit", "Cheap", "Heavy" }, Described.Graph.Waves[1].OrderBy(n => n));
        Assert.Equal(new[] { "Render" }, Described.Graph.Waves[2]);
        Assert.All(Described.Graph.Nodes, n => Assert.Contains(n.Name, Described.Graph.Waves[n.Wave]));
    }

    [Fact]
    public void CriticalPath_follows_the_heaviest_path_by_Cost()
    {
        Assert.Equal(new[] { "Fetch", "Heavy", "Render" }, Described.Graph.CriticalPath);
    }

    [Fact]
    public void CriticalPath_prefers_total_cost_over_a_single_heavy_node()
    {
        // Slow costs 5; Quick1 + Quick2 cost 4 together — Slow wins. Then make the sum win in reverse.
        Assert.Equal(new[] { "Start", "Slow", "End" }, CheapDeclaredLast.Graph.CriticalPath);
    }

    [Fact]
    public void Tasks_have_no_fusion_groups()
    {
        Assert.Empty(Described.Graph.FusionGroups);
    }

    [Fact]
    public void ToMermaid_draws_every_node_and_edge_as_a_flowchart()
    {
        string mermaid = Described.Graph.ToMermaid();

        Assert.StartsWith("flowchart", mermaid);
        Assert.All(Described.Graph.Nodes, n => Assert.Contains(n.Name, mermaid));
        Assert.All(Described.Graph.Edges, e => Assert.Contains($"{MermaidId(mermaid, e.From)} --> {MermaidId(mermaid, e.To)}\n", mermaid));
    }

    // A Mermaid node is declared as `id["label"]`; the label starts with the node's name.
    private static string MermaidId(string mermaid, string node) =>
        Assert.Single(Regex.Matches(mermaid, $@"^\s*(\S+)\[""{node}\b", RegexOptions.Multiline)).Groups[1].Value;

    [Fact]
    public void ToDot_draws_every_node_and_edge_as_a_digraph()
    {
        string dot = Described.Graph.ToDot();

        Assert.StartsWith("digraph", dot);
        Assert.All(Described.Graph.Nodes, n => Assert.Contains(n.Name, dot));
        Assert.All(Described.Graph.Edges, e => Assert.Matches($@"""{e.From}""\s*->\s*""{e.To}""", dot));
        Assert.EndsWith("}\n", dot);
    }

    [Fact]
    public async Task The_described_pipeline_runs_as_described()
    {
        Assert.Equal("5/3", await Described.RunAsync("hello", 3));
    }
}
