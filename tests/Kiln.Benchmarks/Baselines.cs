using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;

namespace Kiln.Benchmarks;

/// <summary>The same graphs written the ways a user would without Kiln: Task continuations, and TPL Dataflow blocks.</summary>
public static class Baselines
{
    /// <summary>Task.Run for sources, ContinueWith for one predecessor, WhenAll + ContinueWith for several.</summary>
    public static Task RunWithTasks(int[][] predecessors, Action[] actions)
    {
        var tasks = new Task[predecessors.Length];
        for (int i = 0; i < predecessors.Length; i++)
        {
            Action action = actions[i];
            int[] before = predecessors[i];
            tasks[i] = before.Length switch
            {
                0 => Task.Run(action),
                1 => tasks[before[0]].ContinueWith(_ => action(), TaskScheduler.Default),
                _ => Task.WhenAll(Gather(tasks, before)).ContinueWith(_ => action(), TaskScheduler.Default),
            };
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>One ActionBlock per node, counting its predecessors' signals, posting to its successors when it ran.</summary>
    public static Task RunWithDataflow(int[][] predecessors, Action[] actions)
    {
        int count = predecessors.Length;
        var successors = new List<int>[count];
        for (int i = 0; i < count; i++)
        {
            successors[i] = new List<int>();
        }

        for (int i = 0; i < count; i++)
        {
            foreach (int p in predecessors[i])
            {
                successors[p].Add(i);
            }
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int remaining = count;
        var blocks = new ActionBlock<int>[count];
        for (int i = 0; i < count; i++)
        {
            int node = i;
            int needed = Math.Max(1, predecessors[i].Length);
            int received = 0;
            blocks[i] = new ActionBlock<int>(_ =>
            {
                if (++received < needed)
                {
                    return;
                }

                actions[node]();
                foreach (int s in successors[node])
                {
                    blocks[s].Post(0);
                }

                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    done.SetResult();
                }
            });
        }

        for (int i = 0; i < count; i++)
        {
            if (predecessors[i].Length == 0)
            {
                blocks[i].Post(0);
            }
        }

        return done.Task;
    }

    private static Task[] Gather(Task[] tasks, int[] indices)
    {
        var gathered = new Task[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            gathered[i] = tasks[indices[i]];
        }

        return gathered;
    }
}
