using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Stages;

/// <summary>Small byte-stream operations the test stages are built from, with the sequential references to check them.</summary>
public static class ByteStages
{
    public const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;

    public static ulong Fnv(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return hash;
    }

    public static long CountNewlines(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n');

    public static long Sum(ReadOnlySpan<byte> bytes)
    {
        long sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return sum;
    }

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> segment by segment, lowercasing ASCII.</summary>
    public static async Task LowerAll(PipeReader input, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                Span<byte> span = output.GetSpan(segment.Length);
                ReadOnlySpan<byte> source = segment.Span;
                for (int i = 0; i < source.Length; i++)
                {
                    span[i] = Lower(source[i]);
                }

                output.Advance(source.Length);
            }

            input.AdvanceTo(result.Buffer.End);
            FlushResult flush = await output.FlushAsync();
            if (result.IsCompleted || flush.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Folds every byte of <paramref name="input"/> with <paramref name="fold"/>.</summary>
    public static async Task<T> Fold<T>(PipeReader input, T seed, Func<T, ReadOnlySpan<byte>, T> fold)
    {
        T state = seed;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                state = fold(state, segment.Span);
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return state;
            }
        }
    }
}
