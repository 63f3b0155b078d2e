using System;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Stages;

/// <summary>Per-run instruments: the largest buffer each reader saw, and whether the relay's writer was ever paused.</summary>
public sealed class FlowMeter
{
    private long _intoRelay;
    private long _intoSlow;
    private long _intoFast;

    public FlowMeter(long size, int chunk)
    {
        Size = size;
        Chunk = chunk;
    }

    public long Size { get; }

    public int Chunk { get; }

    /// <summary>Completed when a flush of the relay did not complete at once: its pipe was full.</summary>
    public TaskCompletionSource RelayPaused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long IntoRelay => Volatile.Read(ref _intoRelay);

    public long IntoSlow => Volatile.Read(ref _intoSlow);

    public long IntoFast => Volatile.Read(ref _intoFast);

    public void SawIntoRelay(long buffered) => Max(ref _intoRelay, buffered);

    public void SawIntoSlow(long buffered) => Max(ref _intoSlow, buffered);

    public void SawIntoFast(long buffered) => Max(ref _intoFast, buffered);

    private static void Max(ref long field, long value)
    {
        long seen;
        while (value > (seen = Volatile.Read(ref field)) && Interlocked.CompareExchange(ref field, value, seen) != seen)
        {
        }
    }
}

// Source → Relay → (Slow, Fast). Slow reads nothing until the relay's pipe is full, then consumes 512 bytes a read;
// Fast reads everything at once, but the tee holds it to Slow's pace.
[Pipeline]
public static partial class Flood
{
    [Stage]
    public static async Task Source(FlowMeter meter, PipeWriter output)
    {
        for (long written = 0; written < meter.Size;)
        {
            int length = (int)Math.Min(meter.Chunk, meter.Size - written);
            Span<byte> span = output.GetSpan(length);
            for (int i = 0; i < length; i++)
            {
                span[i] = (byte)((written + i) % 251);
            }

            output.Advance(length);
            written += length;
            if ((await output.FlushAsync()).IsCompleted)
            {
                return;
            }
        }
    }

    [Stage]
    public static async Task Relay(PipeReader source, PipeWriter output, FlowMeter meter)
    {
        while (true)
        {
            ReadResult result = await source.ReadAsync();
            meter.SawIntoRelay(result.Buffer.Length);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                for (int at = 0; at < segment.Length; at += meter.Chunk)
                {
                    ReadOnlyMemory<byte> piece = segment.Slice(at, Math.Min(meter.Chunk, segment.Length - at));
                    piece.Span.CopyTo(output.GetSpan(piece.Length));
                    output.Advance(piece.Length);
                    ValueTask<FlushResult> flush = output.FlushAsync();
                    if (!flush.IsCompleted)
                    {
                        meter.RelayPaused.TrySetResult();
                    }

                    await flush;
                }
            }

            source.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    [Stage]
    public static async Task<long> Slow(PipeReader relay, FlowMeter meter)
    {
        await meter.RelayPaused.Task;
        long sum = 0;
        while (true)
        {
            ReadResult result = await relay.ReadAsync();
            meter.SawIntoSlow(result.Buffer.Length);
            var bite = result.Buffer.Slice(0, Math.Min(512, result.Buffer.Length));
            foreach (ReadOnlyMemory<byte> segment in bite)
            {
                sum += ByteStages.Sum(segment.Span);
            }

            relay.AdvanceTo(bite.End);
            if (result.IsCompleted && bite.Length == result.Buffer.Length)
            {
                return sum;
            }
        }
    }

    [Stage]
    public static async Task<long> Fast(PipeReader relay, FlowMeter meter)
    {
        long sum = 0;
        while (true)
        {
            ReadResult result = await relay.ReadAsync();
            meter.SawIntoFast(result.Buffer.Length);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                sum += ByteStages.Sum(segment.Span);
            }

            relay.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return sum;
            }
        }
    }
}

public class BackpressureTests
{
    private const long Pause = 64 * 1024;
    private const long Resume = 32 * 1024;
    private const int Chunk = 4096;

    private static readonly KilnOptions SmallPipes = new() { PipePauseWriterThreshold = Pause, PipeResumeWriterThreshold = Resume };

    private static long ExpectedSum(long size)
    {
        long sum = 0;
        for (long i = 0; i < size; i++)
        {
            sum += (byte)(i % 251);
        }

        return sum;
    }

    [Theory]
    [InlineData(1L << 20)]
    [InlineData(8L << 20)]
    public async Task With_a_slow_consumer_no_pipe_ever_holds_more_than_the_pause_threshold_plus_one_write(long size)
    {
        var meter = new FlowMeter(size, Chunk);

        Flood.Result result = await Flood.RunAsync(meter, SmallPipes).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(meter.RelayPaused.Task.IsCompleted);
        Assert.InRange(meter.IntoRelay, 1, Pause + Chunk);
        Assert.InRange(meter.IntoSlow, 1, Pause + Chunk);
        Assert.InRange(meter.IntoFast, 1, Pause + Chunk);
        Assert.Equal(ExpectedSum(size), result.Slow);
        Assert.Equal(ExpectedSum(size), result.Fast);
    }
}
