using System.Linq;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

// Source → {Left, Right, Far} → Join; Far → Tail; Join + Tail → End. Some async, some sync.
[Pipeline]
public static partial class Lattice
{
    [Task] public static int Source(Recorder recorder) { recorder.Start(nameof(Source)); recorder.End(nameof(Source)); return 1; }
    [Task] public static async Task<int> Left(Recorder recorder, int source) { recorder.Start(nameof(Left)); await Task.Yield(); recorder.End(nameof(Left)); return source + 1; }
    [Task] public static int Right(Recorder recorder, int source) { recorder.Start(nameof(Right)); recorder.End(nameof(Right)); return source + 2; }
    [Task] public static async ValueTask<int> Far(Recorder recorder, int source) { recorder.Start(nameof(Far)); await Task.Delay(1); recorder.End(nameof(Far)); return source + 3; }
    [Task] public static int Join(Recorder recorder, int left, int right, int far) { recorder.Start(nameof(Join)); recorder.End(nameof(Join)); return left * right * far; }
    [Task] public static int Tail(Recorder recorder, int far) { recorder.Start(nameof(Tail)); recorder.End(nameof(Tail)); return far * 10; }
    [Task] public static int End(Recorder recorder, int join, int tail) { recorder.Start(nameof(End)); recorder.End(nameof(End)); return join + tail; }

    public static readonly (string Node, string[] Producers)[] Shape =
    {
        ("Source", new string[0]),
        ("Left", new[] { "Source" }),
        ("Right", new[] { "Source" }),
        ("Far", new[] { "Source" }),
        ("Join", new[] { "Left", "Right", "Far" }),
        ("Tail", new[] { "Far" }),
        ("End", new[] { "Join", "Tail" }),
    };
}

public class OrderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public async Task Every_node_runs_exactly_once(int parallelism)
    {
        for (int run = 0; run < 50; run++)
        {
            var recorder = new Recorder();

            await Lattice.RunAsync(recorder, new KilnOptions { MaxDegreeOfParallelism = parallelism });

            string[] nodes = Lattice.Shape.Select(s => s.Node).OrderBy(n => n).ToArray();
            Assert.Equal(nodes, recorder.Started.OrderBy(n => n));
            Assert.Equal(nodes, recorder.Ended.OrderBy(n => n));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public async Task Every_node_starts_after_all_its_producers_have_finished(int parallelism)
    {
        for (int run = 0; run < 50; run++)
        {
            var recorder = new Recorder();

            await Lattice.RunAsync(recorder, new KilnOptions { MaxDegreeOfParallelism = parallelism });

            foreach (var (node, producers) in Lattice.Shape)
            {
                foreach (string producer in producers)
                {
                    Assert.True(recorder.EndOf(producer) < recorder.StartOf(node), $"{node} started before {producer} finished");
                }
            }
        }
    }

    [Fact]
    public async Task Values_flow_from_producers_to_consumers()
    {
        // Source = 1, Left = 2, Right = 3, Far = 4, Join = 24, Tail = 40.
        Assert.Equal(64, await Lattice.RunAsync(new Recorder()));
    }
}
