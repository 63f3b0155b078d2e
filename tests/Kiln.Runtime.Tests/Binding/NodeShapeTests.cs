using System.Threading.Tasks;
using Kiln.Runtime.Tests.Support;
using Xunit;

namespace Kiln.Runtime.Tests.Binding;

[Pipeline]
public static partial class EveryReturnShape
{
    [Task] public static int Plain() => 1;
    [Task] public static Task<int> CompletedTask(int plain) => Task.FromResult(plain + 1);
    [Task] public static ValueTask<int> CompletedValueTask(int completedTask) => new(completedTask + 1);
    [Task] public static async Task<int> YieldingTask(int completedValueTask) { await Task.Yield(); return completedValueTask + 1; }
    [Task] public static async ValueTask<int> DelayedValueTask(int yieldingTask) { await Task.Delay(1); return yieldingTask + 1; }
    [Task, Output] public static int AfterAsync(int delayedValueTask) => delayedValueTask + 1;

    [Task] public static void SideEffect(Recorder recorder, int afterAsync) { recorder.Start("void"); recorder.End("void"); }
    [Task] public static Task SideEffectTask(Recorder recorder, int afterAsync) { recorder.Start("Task"); recorder.End("Task"); return Task.CompletedTask; }
    [Task] public static async Task SideEffectYieldingTask(Recorder recorder, int afterAsync) { await Task.Yield(); recorder.Start("Task+Yield"); recorder.End("Task+Yield"); }
    [Task] public static ValueTask SideEffectValueTask(Recorder recorder, int afterAsync) { recorder.Start("ValueTask"); recorder.End("ValueTask"); return default; }
    [Task] public static async ValueTask SideEffectDelayedValueTask(Recorder recorder, int afterAsync) { await Task.Delay(1); recorder.Start("ValueTask+Delay"); recorder.End("ValueTask+Delay"); }
}

[Pipeline]
public static partial class AsyncChainAfterVoid
{
    [Task] public static async Task Prepare(Recorder recorder) { recorder.Start(nameof(Prepare)); await Task.Yield(); recorder.End(nameof(Prepare)); }

    [Task, After(nameof(Prepare))]
    public static async ValueTask<string> Read(Recorder recorder) { recorder.Start(nameof(Read)); await Task.Delay(1); recorder.End(nameof(Read)); return "read"; }

    [Task] public static string Shout(string read) => read.ToUpperInvariant();
}

public class NodeShapeTests
{
    [Fact]
    public async Task Sync_and_async_nodes_of_every_return_shape_pass_their_values_along()
    {
        var recorder = new Recorder();

        int result = await EveryReturnShape.RunAsync(recorder);

        Assert.Equal(6, result);
    }

    [Fact]
    public async Task Void_Task_and_ValueTask_nodes_run_to_completion_before_the_run_ends()
    {
        var recorder = new Recorder();

        await EveryReturnShape.RunAsync(recorder);

        Assert.Equal(
            new[] { "Task", "Task+Yield", "ValueTask", "ValueTask+Delay", "void" },
            System.Linq.Enumerable.OrderBy(recorder.Ended, n => n, System.StringComparer.Ordinal));
    }

    [Fact]
    public async Task After_orders_a_node_after_an_async_node_that_has_no_output()
    {
        var recorder = new Recorder();

        Assert.Equal("READ", await AsyncChainAfterVoid.RunAsync(recorder));

        Assert.True(recorder.EndOf("Prepare") < recorder.StartOf("Read"));
    }
}
