using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Binding;

[Pipeline]
public static partial class AfterOrdering
{
    [Task] public static void First(Recorder recorder) { recorder.Start(nameof(First)); recorder.End(nameof(First)); }
    [Task] public static void Other(Recorder recorder) { recorder.Start(nameof(Other)); recorder.End(nameof(Other)); }

    [Task, After(nameof(First), nameof(Other))]
    public static void Second(Recorder recorder) { recorder.Start(nameof(Second)); recorder.End(nameof(Second)); }

    [Task, After(nameof(Second))]
    [After(nameof(First))]
    public static void Third(Recorder recorder) { recorder.Start(nameof(Third)); recorder.End(nameof(Third)); }
}

public class AfterTests
{
    [Fact]
    public async Task After_runs_a_node_only_once_every_named_node_has_finished()
    {
        for (int run = 0; run < 50; run++)
        {
            var recorder = new Recorder();

            await AfterOrdering.RunAsync(recorder, new KilnOptions { MaxDegreeOfParallelism = 4 });

            Assert.True(recorder.EndOf("First") < recorder.StartOf("Second"));
            Assert.True(recorder.EndOf("Other") < recorder.StartOf("Second"));
            Assert.True(recorder.EndOf("Second") < recorder.StartOf("Third"));
        }
    }

    [Fact]
    public void After_edges_appear_in_the_graph_without_making_inputs()
    {
        Assert.Contains(new PipelineEdge("First", "Second"), AfterOrdering.Graph.Edges);
        Assert.Contains(new PipelineEdge("Other", "Second"), AfterOrdering.Graph.Edges);
        Assert.Contains(new PipelineEdge("Second", "Third"), AfterOrdering.Graph.Edges);
        Assert.Contains(new PipelineEdge("First", "Third"), AfterOrdering.Graph.Edges);
        Assert.Equal(new[] { new PipelineInput("recorder", "Recorder") }, AfterOrdering.Graph.Inputs);
    }

    [Fact]
    public void Nodes_ordered_only_by_After_and_without_output_make_the_run_return_Task()
    {
        Assert.Equal(typeof(Task), typeof(AfterOrdering).GetMethod(nameof(AfterOrdering.RunAsync))!.ReturnType);
    }
}
