using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Stages;

public class StageResultTests
{
    private static byte[] Text(int size, int seed)
    {
        var random = new Random(seed);
        const string alphabet = "abcXYZ \n\nQq0-";
        return Enumerable.Range(0, size).Select(_ => (byte)alphabet[random.Next(alphabet.Length)]).ToArray();
    }

    private static string Reference(byte[] data)
    {
        byte[] lower = data.Select(ByteStages.Lower).ToArray();
        return $"{ByteStages.CountNewlines(lower)}:{ByteStages.Fnv(ByteStages.FnvOffset, lower):x16}";
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task A_chain_with_a_tee_gives_the_sequential_result_for_any_chunking(int seed)
    {
        byte[] data = Text(200_000 + seed * 997, seed);
        var input = new ChunkedReader(data, seed);

        string summary = await TextStats.RunAsync(input);

        Assert.Equal(Reference(data), summary);
        Assert.True(input.IsCompleted);
        Assert.Null(input.CompletedWith);
    }

    [Fact]
    public async Task Small_pipes_that_pause_often_give_the_same_result()
    {
        byte[] data = Text(300_000, 42);
        var options = new KilnOptions { PipePauseWriterThreshold = 4096, PipeResumeWriterThreshold = 1024 };

        string summary = await TextStats.RunAsync(new ChunkedReader(data, 42), options);

        Assert.Equal(Reference(data), summary);
    }

    [Fact]
    public async Task Empty_input_reaches_every_stage_as_a_completed_empty_stream()
    {
        var input = new ChunkedReader(Array.Empty<byte>(), 1);

        string summary = await TextStats.RunAsync(input);

        Assert.Equal(Reference(Array.Empty<byte>()), summary);
        Assert.True(input.IsCompleted);
    }

    [Theory]
    [InlineData((byte)'\n')]
    [InlineData((byte)'Q')]
    public async Task One_byte_of_input_is_seen_once_by_every_branch(byte only)
    {
        string summary = await TextStats.RunAsync(new ChunkedReader(new[] { only }, 1));

        Assert.Equal(Reference(new[] { only }), summary);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000_003)]
    public async Task Task_outputs_feed_stages_as_bytes_and_as_streams(int size)
    {
        FedByTasks.Result result = await FedByTasks.RunAsync(size);

        long expected = Enumerable.Range(0, size).Sum(i => (long)(byte)(i * 7 % 251));
        Assert.Equal(expected, result.Sum);
        Assert.Equal(size, result.Count);
        Assert.Equal(expected, result.StreamSum);
    }

    [Fact]
    public async Task A_stage_group_waits_for_the_tasks_it_reads_which_wait_for_an_earlier_group()
    {
        long zeros = await StagesThenStages.RunAsync(new ChunkedReader(Text(50_000, 3), 3));

        Assert.Equal(50_000, zeros);
    }

    [Fact]
    public void The_graph_lists_stages_with_their_kind_and_pipe_edges()
    {
        PipelineGraph graph = TextStats.Graph;

        Assert.Equal(NodeKind.Stage, graph.Nodes.Single(n => n.Name == "Lower").Kind);
        Assert.Contains(graph.Edges, e => e.From == "Lower" && e.To == "Lines");
        Assert.Contains(graph.Edges, e => e.From == "Lower" && e.To == "Hash");
        Assert.Equal("input", Assert.Single(graph.Inputs).Name);
        Assert.Equal("PipeReader", graph.Inputs[0].Type);
    }
}
