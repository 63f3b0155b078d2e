using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Binding;

[Pipeline]
public static partial class NoSink
{
    [Task] public static void Touch(int[] box) => box[0]++;
    [Task] public static Task TouchLater(int[] box) => Task.Run(() => box[1]++);
}

[Pipeline]
public static partial class OneSink
{
    [Task] public static int Number() => 41;
    [Task] public static long Answer(int number) => number + 1L;
}

[Pipeline]
public static partial class SeveralSinks
{
    [Task] public static int Base() => 3;
    [Task] public static string Text(int @base) => "b" + @base;
    [Task] public static double Half(int @base) => @base / 2.0;
}

[Pipeline]
public static partial class OutputOnConsumedNode
{
    [Task, Output] public static int Middle() => 6;
    [Task] public static int Last(int middle) => middle * 7;
}

[Pipeline]
public static partial class OnlyOutputIsMarked
{
    [Task] public static int Start() => 1;
    [Task, Output] public static int Single(int start) => start + 1;
    [Task] public static void Observe(int single) => GC.KeepAlive(single);
}

public class SinkTests
{
    [Fact]
    public async Task A_pipeline_without_sinks_returns_a_plain_Task()
    {
        Assert.Equal(typeof(Task), typeof(NoSink).GetMethod(nameof(NoSink.RunAsync))!.ReturnType);

        var box = new int[2];
        await NoSink.RunAsync(box);

        Assert.Equal(new[] { 1, 1 }, box);
    }

    [Fact]
    public async Task A_pipeline_with_one_sink_returns_its_value()
    {
        Assert.Equal(typeof(Task<long>), typeof(OneSink).GetMethod(nameof(OneSink.RunAsync))!.ReturnType);
        Assert.Equal(42L, await OneSink.RunAsync());
    }

    [Fact]
    public async Task Several_sinks_come_back_as_a_Result_record_with_a_property_per_sink()
    {
        Type result = typeof(SeveralSinks.Result);
        Assert.True(result.IsSealed);
        Assert.True(result.IsNested);
        Assert.NotNull(result.GetMethod("<Clone>$"));
        Assert.Equal(typeof(Task<SeveralSinks.Result>), typeof(SeveralSinks).GetMethod(nameof(SeveralSinks.RunAsync))!.ReturnType);
        Assert.Equal(
            new[] { ("Half", typeof(double)), ("Text", typeof(string)) },
            result.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.Name != "EqualityContract")
                .Select(p => (p.Name, p.PropertyType))
                .OrderBy(p => p.Name));

        SeveralSinks.Result value = await SeveralSinks.RunAsync();

        Assert.Equal("b3", value.Text);
        Assert.Equal(1.5, value.Half);
    }

    [Fact]
    public async Task Output_makes_a_consumed_node_a_sink_too()
    {
        OutputOnConsumedNode.Result value = await OutputOnConsumedNode.RunAsync();

        Assert.Equal(6, value.Middle);
        Assert.Equal(42, value.Last);
    }

    [Fact]
    public async Task Nodes_without_output_are_never_sinks()
    {
        Assert.Equal(typeof(Task<int>), typeof(OnlyOutputIsMarked).GetMethod(nameof(OnlyOutputIsMarked.RunAsync))!.ReturnType);
        Assert.Equal(2, await OnlyOutputIsMarked.RunAsync());
    }
}
