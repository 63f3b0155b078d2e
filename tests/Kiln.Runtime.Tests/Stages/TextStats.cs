using System;
using System.IO;
using System.IO.Pipelines;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Stages;

// input → Lower → (Lines, Hash) → Summary: a chain, a tee, and stage results read by a task.
[Pipeline]
public static partial class TextStats
{
    [Stage] public static Task Lower(PipeReader input, PipeWriter output) => ByteStages.LowerAll(input, output);

    [Stage] public static Task<long> Lines(PipeReader lower) => ByteStages.Fold(lower, 0L, (n, span) => n + ByteStages.CountNewlines(span));

    [Stage] public static Task<ulong> Hash(PipeReader lower) => ByteStages.Fold(lower, ByteStages.FnvOffset, ByteStages.Fnv);

    [Task] public static string Summary(long lines, ulong hash) => $"{lines}:{hash:x16}";
}

// Task outputs feeding stages: bytes read by two stages (a tee over a task's output), a stream read by a third.
[Pipeline]
public static partial class FedByTasks
{
    [Task] public static byte[] Make(int size)
    {
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i * 7 % 251);
        }

        return bytes;
    }

    [Task] public static MemoryStream Open(byte[] make) => new(make, writable: false);

    [Stage] public static Task<long> Sum(PipeReader make) => ByteStages.Fold(make, 0L, (s, span) => s + ByteStages.Sum(span));

    [Stage] public static Task<long> Count(PipeReader make) => ByteStages.Fold(make, 0L, (n, span) => n + span.Length);

    [Stage] public static Task<long> StreamSum([From(nameof(Open))] PipeReader source) => ByteStages.Fold(source, 0L, (s, span) => s + ByteStages.Sum(span));
}

// Two groups of stages in sequence: the second waits for the first group's result through a task.
[Pipeline]
public static partial class StagesThenStages
{
    [Stage] public static Task<long> Measure(PipeReader input) => ByteStages.Fold(input, 0L, (n, span) => n + span.Length);

    [Task] public static byte[] Pad(long measure) => new byte[measure];

    [Stage]
    public static async Task<long> Zeros(PipeReader pad, long measure)
    {
        long zeros = await ByteStages.Fold(pad, 0L, (n, span) => n + span.Count((byte)0));
        return zeros == measure ? zeros : -1;
    }
}
