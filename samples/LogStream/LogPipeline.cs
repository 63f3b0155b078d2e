using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace LogStream;

/// <summary>Counts bytes as they stream past, for the progress line.</summary>
public sealed class Meter
{
    private long _bytes;

    public long Bytes => Volatile.Read(ref _bytes);

    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}

// gzip'd access log → Inflate → Lines → Parse → (Errors, Histogram) → Report.
[Pipeline]
public static partial class LogPipeline
{
    private const int RecordSize = 4;

    /// <summary>Produces the compressed log; in real use this would be a file or a socket.</summary>
    [Stage]
    public static Task Generate(long size, PipeWriter output, CancellationToken ct) => AccessLog.WriteGzipAsync(size, output, ct);

    [Stage]
    public static async Task Inflate(PipeReader generate, PipeWriter output, Meter meter, CancellationToken ct)
    {
        await using var gzip = new GZipStream(generate.AsStream(leaveOpen: true), CompressionMode.Decompress);
        while (true)
        {
            Memory<byte> memory = output.GetMemory(64 * 1024);
            int read = await gzip.ReadAsync(memory, ct);
            if (read == 0)
            {
                return;
            }

            output.Advance(read);
            meter.Add(read);
            if ((await output.FlushAsync(ct)).IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Passes on whole lines only, so that the parser never sees half a line.</summary>
    [Stage]
    public static async Task Lines(PipeReader inflate, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await inflate.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition end = result.IsCompleted ? buffer.End : AfterLastNewline(buffer);
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(buffer.Start, end))
            {
                segment.Span.CopyTo(output.GetSpan(segment.Length));
                output.Advance(segment.Length);
            }

            inflate.AdvanceTo(end, buffer.End);
            if ((await output.FlushAsync()).IsCompleted || result.IsCompleted)
            {
                return;
            }
        }
    }

    private static SequencePosition AfterLastNewline(ReadOnlySequence<byte> buffer)
    {
        SequencePosition end = buffer.Start;
        SequencePosition cursor = buffer.Start;
        while (true)
        {
            SequencePosition segmentStart = cursor;
            if (!buffer.TryGet(ref cursor, out ReadOnlyMemory<byte> memory))
            {
                return end;
            }

            int newline = memory.Span.LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                end = buffer.GetPosition(newline + 1, segmentStart);
            }
        }
    }

    /// <summary>Turns each line into a 4-byte record: path index, 0, status (little-endian).</summary>
    [Stage]
    public static async Task Parse(PipeReader lines, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await lines.ReadAsync();
            var reader = new SequenceReader<byte>(result.Buffer);
            while (reader.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
            {
                if (AccessLog.TryParse(line, out int path, out int status))
                {
                    Span<byte> record = output.GetSpan(RecordSize);
                    record[0] = (byte)path;
                    record[1] = 0;
                    BinaryPrimitives.WriteUInt16LittleEndian(record[2..], (ushort)status);
                    output.Advance(RecordSize);
                }
            }

            lines.AdvanceTo(reader.Position, result.Buffer.End);
            if ((await output.FlushAsync()).IsCompleted || result.IsCompleted)
            {
                return;
            }
        }
    }

    [Stage]
    public static async Task<long> Errors(PipeReader parse)
    {
        long errors = 0;
        await ForEachRecord(parse, (path, status) => errors += status >= 500 ? 1 : 0);
        return errors;
    }

    [Stage]
    public static async Task<long[]> Histogram(PipeReader parse)
    {
        var counts = new long[AccessLog.Paths.Length];
        await ForEachRecord(parse, (path, status) => counts[path]++);
        return counts;
    }

    [Task]
    public static string Report(long errors, long[] histogram)
    {
        var text = new StringBuilder();
        long total = 0;
        foreach (long count in histogram)
        {
            total += count;
        }

        text.AppendLine($"{total:N0} requests, {errors:N0} server errors ({100.0 * errors / Math.Max(1, total):F2}%)");
        for (int i = 0; i < histogram.Length; i++)
        {
            text.AppendLine($"  {AccessLog.Paths[i],-22} {histogram[i],14:N0}");
        }

        return text.ToString();
    }

    // Parse writes each record with one GetSpan, so no record straddles two segments.
    private static async Task ForEachRecord(PipeReader records, Action<int, int> visit)
    {
        while (true)
        {
            ReadResult result = await records.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                ReadOnlySpan<byte> span = segment.Span;
                for (int i = 0; i + RecordSize <= span.Length; i += RecordSize)
                {
                    visit(span[i], BinaryPrimitives.ReadUInt16LittleEndian(span[(i + 2)..]));
                }
            }

            records.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
