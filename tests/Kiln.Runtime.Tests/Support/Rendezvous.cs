using System;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Support;

/// <summary>
/// Two parties that each wait for the other to arrive. Succeeds only if both are running at the same time; a
/// serial executor makes the first party time out (and fail) instead of hanging the test run.
/// </summary>
public sealed class Rendezvous
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _left = new();
    private readonly ManualResetEventSlim _right = new();
    private readonly TaskCompletionSource _leftAsync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _rightAsync = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ArriveLeftAndBlock() => Block(_left, _right);

    public void ArriveRightAndBlock() => Block(_right, _left);

    public Task ArriveLeftAsync() => Await(_leftAsync, _rightAsync);

    public Task ArriveRightAsync() => Await(_rightAsync, _leftAsync);

    private static void Block(ManualResetEventSlim mine, ManualResetEventSlim theirs)
    {
        mine.Set();
        if (!theirs.Wait(Patience))
        {
            throw new TimeoutException("The other node never started while this one was running.");
        }
    }

    private static async Task Await(TaskCompletionSource mine, TaskCompletionSource theirs)
    {
        mine.TrySetResult();
        await theirs.Task.WaitAsync(Patience);
    }
}
