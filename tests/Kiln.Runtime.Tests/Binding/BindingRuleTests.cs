using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Binding;

[Pipeline]
public static partial class FromBinding
{
    [Task] public static int Seed() => 20;
    [Task] public static int Doubled([From(nameof(Seed))] int anything) => anything * 2;
}

[Pipeline]
public static partial class CaseInsensitiveBinding
{
    [Task] public static string Producer() => "made";
    [Task] public static string Consumer(string PRODUCER) => PRODUCER + "!";
}

[Pipeline]
public static partial class TokenBinding
{
    [Task]
    public static async Task<bool> WaitsForCancellation(TaskCompletionSource started, CancellationToken ct)
    {
        started.SetResult();
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), ct);
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
    }
}

[Pipeline]
public static partial class TokenIsCancellable
{
    [Task] public static bool CanBeCanceled(CancellationToken token) => token.CanBeCanceled;
}

[Pipeline]
public static partial class SharedInput
{
    [Task] public static int First(int factor) => factor * 10;
    [Task] public static int Second(int factor) => factor * 100;
    [Task] public static int Sum(int first, int second) => first + second;
}

[Pipeline]
public static partial class InputOrder
{
    [Task] public static string Left(string zulu, int alpha) => zulu + alpha;
    [Task] public static string Right(int alpha, string mike) => alpha + mike;
    [Task] public static string Joined(string left, string right) => left + "|" + right;
}

[Pipeline]
public static partial class KeywordNames
{
    [Task] public static int @event(int @class) => @class + 1;
    [Task] public static int @checked(int @event, int @class) => @event * @class;
}

[Pipeline]
public static partial class InputNamedLikeOptions
{
    [Task] public static string Echo(string text) => text;
}

public class BindingRuleTests
{
    [Fact]
    public async Task From_binds_a_parameter_to_the_named_node_whatever_its_name()
    {
        Assert.Equal(40, await FromBinding.RunAsync());
        Assert.Contains(FromBinding.Graph.Edges, e => e.From == "Seed" && e.To == "Doubled");
        Assert.Empty(FromBinding.Graph.Inputs);
    }

    [Fact]
    public async Task A_parameter_named_as_a_node_ignoring_case_binds_to_its_output()
    {
        Assert.Equal("made!", await CaseInsensitiveBinding.RunAsync());
        Assert.Empty(CaseInsensitiveBinding.Graph.Inputs);
    }

    [Fact]
    public async Task A_CancellationToken_parameter_receives_a_token_the_caller_cancels()
    {
        using var cancellation = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<bool> run = TokenBinding.RunAsync(started, cancellationToken: cancellation.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_CancellationToken_parameter_is_not_an_input_and_receives_the_runs_own_token()
    {
        Assert.Empty(TokenIsCancellable.Graph.Inputs);

        // Even without a caller token the node gets one the run can cancel (when another node fails).
        Assert.True(await TokenIsCancellable.RunAsync());
    }

    [Fact]
    public async Task One_name_used_by_several_nodes_is_one_input()
    {
        Assert.Equal(3 * 10 + 3 * 100, await SharedInput.RunAsync(factor: 3));
        Assert.Single(SharedInput.Graph.Inputs);
    }

    [Fact]
    public void RunAsync_takes_inputs_in_order_of_first_appearance_then_options_and_token()
    {
        MethodInfo runAsync = typeof(InputOrder).GetMethod(nameof(InputOrder.RunAsync))!;

        string[] names = runAsync.GetParameters().Select(p => p.Name!).ToArray();
        Type[] types = runAsync.GetParameters().Select(p => p.ParameterType).ToArray();

        Assert.Equal(new[] { "zulu", "alpha", "mike", "options", "cancellationToken" }, names);
        Assert.Equal(new[] { typeof(string), typeof(int), typeof(string), typeof(KilnOptions), typeof(CancellationToken) }, types);
        Assert.Equal(new[] { "zulu", "alpha", "mike" }, InputOrder.Graph.Inputs.Select(i => i.Name));
    }

    [Fact]
    public async Task Positional_arguments_reach_the_inputs_of_that_name()
    {
        Assert.Equal("z7|7m", await InputOrder.RunAsync("z", 7, "m"));
    }

    [Fact]
    public async Task Keyword_named_nodes_and_inputs_bind_like_any_other_name()
    {
        Assert.Equal((5 + 1) * 5, await KeywordNames.RunAsync(@class: 5));
        Assert.Equal(new[] { "class" }, KeywordNames.Graph.Inputs.Select(i => i.Name));
        Assert.Contains(KeywordNames.Graph.Edges, e => e.From == "event" && e.To == "checked");
    }

    [Fact]
    public async Task Options_and_cancellationToken_are_optional()
    {
        Assert.Equal("hi", await InputNamedLikeOptions.RunAsync("hi"));
        Assert.Equal("hi", await InputNamedLikeOptions.RunAsync("hi", new KilnOptions { MaxDegreeOfParallelism = 1 }, CancellationToken.None));
    }
}
