using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Tasks;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;

namespace Kiln.Benchmarks;

// Four stages that each copy what they read: the cost of the plumbing, not of the work.
[Pipeline]
public static partial class PassThrough
{
    [Stage] public static Task First(PipeReader input, PipeWriter output) => StageWork.Copy(input, output);

    [Stage] public static Task Second(PipeReader first, PipeWriter output) => StageWork.Copy(first, output);

    [Stage] public static Task Third(PipeReader second, PipeWriter output) => StageWork.Copy(second, output);

    [Stage] public static Task<long> Fourth(PipeReader third) => StageWork.Count(third);
}

// LogStream's pipeline over gzip'd bytes in memory: inflate → lines → parse → (errors, histogram).
[Pipeline]
public static partial class LogParse
{
    [Stage]
    public static async Task Inflate(PipeReader input, PipeWriter output)
    {
        await using var gzip = new GZipStream(input.AsStream(leaveOpen: true), CompressionMode.Decompress);
        while (true)
        {
            int read = await gzip.ReadAsync(output.GetMemory(64 * 1024));
            if (read == 0)
            {
                return;
            }

            output.Advance(read);
            await output.FlushAsync();
        }
    }

    [Stage]
    public static async Task Lines(PipeReader inflate, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await inflate.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition end = result.IsCompleted ? buffer.End : StageWork.AfterLastNewline(buffer);
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(buffer.Start, end))
            {
                segment.Span.CopyTo(output.GetSpan(segment.Length));
                output.Advance(segment.Length);
            }

            inflate.AdvanceTo(end, buffer.End);
            await output.FlushAsync();
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    [Stage]
    public static async Task Parse(PipeReader lines, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await lines.ReadAsync();
            var reader = new SequenceReader<byte>(result.Buffer);
            while (reader.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
            {
                if (StageWork.TryParse(line, out int path, out int status))
                {
                    Span<byte> record = output.GetSpan(4);
                    record[0] = (byte)path;
                    BinaryPrimitives.WriteUInt16LittleEndian(record[2..], (ushort)status);
                    output.Advance(4);
                }
            }

            lines.AdvanceTo(reader.Position, result.Buffer.End);
            await output.FlushAsync();
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    [Stage]
    public static async Task<long> Errors(PipeReader parse)
    {
        long errors = 0;
        while (true)
        {
            ReadResult result = await parse.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                errors += StageWork.CountErrors(segment.Span);
            }

            parse.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return errors;
            }
        }
    }

    [Stage]
    public static async Task<long[]> Histogram(PipeReader parse)
    {
        var counts = new long[StageWork.Paths.Length];
        while (true)
        {
            ReadResult result = await parse.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                StageWork.AddPaths(segment.Span, counts);
            }

            parse.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return counts;
            }
        }
    }
}

/// <summary>The work shared by Kiln stages and the baselines, so that every variant does the same.</summary>
public static class StageWork
{
    public static readonly string[] Paths = { "/", "/index.html", "/api/items", "/api/orders", "/login", "/static/app.js", "/search", "/health" };

    private static readonly byte[][] PathBytes = Array.ConvertAll(Paths, Encoding.ASCII.GetBytes);

    public static async Task Copy(PipeReader input, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                segment.Span.CopyTo(output.GetSpan(segment.Length));
                output.Advance(segment.Length);
            }

            input.AdvanceTo(result.Buffer.End);
            await output.FlushAsync();
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    public static async Task<long> Count(PipeReader input)
    {
        long count = 0;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            count += result.Buffer.Length;
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return count;
            }
        }
    }

    public static SequencePosition AfterLastNewline(ReadOnlySequence<byte> buffer)
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

    public static bool TryParse(ReadOnlySpan<byte> line, out int path, out int status)
    {
        path = -1;
        status = 0;
        int quote = line.IndexOf((byte)'"');
        if (quote < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = line[(quote + 1)..];
        int space = rest.IndexOf((byte)' ');
        rest = space < 0 ? default : rest[(space + 1)..];
        int end = rest.IndexOf((byte)' ');
        if (end < 0)
        {
            return false;
        }

        for (int i = 0; i < PathBytes.Length; i++)
        {
            if (rest[..end].SequenceEqual(PathBytes[i]))
            {
                path = i;
                break;
            }
        }

        int close = rest.IndexOf((byte)'"');
        if (path < 0 || close < 0 || rest.Length < close + 5)
        {
            return false;
        }

        ReadOnlySpan<byte> code = rest.Slice(close + 2, 3);
        status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return true;
    }

    public static long CountErrors(ReadOnlySpan<byte> records)
    {
        long errors = 0;
        for (int i = 0; i + 4 <= records.Length; i += 4)
        {
            errors += BinaryPrimitives.ReadUInt16LittleEndian(records[(i + 2)..]) >= 500 ? 1 : 0;
        }

        return errors;
    }

    public static void AddPaths(ReadOnlySpan<byte> records, long[] counts)
    {
        for (int i = 0; i + 4 <= records.Length; i += 4)
        {
            counts[records[i]]++;
        }
    }

    /// <summary>Parses whole lines of <paramref name="text"/> into 4-byte records appended to <paramref name="records"/>.</summary>
    public static int ParseLines(ReadOnlySpan<byte> text, byte[] records)
    {
        int written = 0;
        while (true)
        {
            int newline = text.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return written;
            }

            if (TryParse(text[..newline], out int path, out int status))
            {
                records[written] = (byte)path;
                BinaryPrimitives.WriteUInt16LittleEndian(records.AsSpan(written + 2), (ushort)status);
                written += 4;
            }

            text = text[(newline + 1)..];
        }
    }

    public static byte[] GzipLog(long size)
    {
        var random = new Random(7);
        int[] statuses = { 200, 200, 200, 200, 301, 404, 500, 503 };
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (long written = 0; written < size;)
            {
                byte[] line = Encoding.ASCII.GetBytes(
                    $"10.0.{random.Next(256)}.{random.Next(256)} - - [10/Oct/2024:13:55:{random.Next(60):00} +0000] \"GET {Paths[random.Next(Paths.Length)]} HTTP/1.1\" {statuses[random.Next(statuses.Length)]} {random.Next(100, 50000)}\n");
                gzip.Write(line);
                written += line.Length;
            }
        }

        return compressed.ToArray();
    }
}

/// <summary>
/// Stages against a sequential Stream loop and a TPL Dataflow pipeline of byte[] chunks doing the same work.
/// Throughput is the input size over the mean time: <c>dotnet run -c Release --project tests/Kiln.Benchmarks -- --filter *StageBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class StageBenchmarks
{
    private const int PassThroughSize = 256 << 20;
    private const int LogSize = 64 << 20;
    private const int Chunk = 64 * 1024;

    private byte[] _data = Array.Empty<byte>();
    private byte[] _gzip = Array.Empty<byte>();

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[PassThroughSize];
        new Random(1).NextBytes(_data);
        _gzip = StageWork.GzipLog(LogSize);
    }

    [Benchmark(Description = "pass-through 4 stages, Kiln (256 MB)")]
    public Task<long> PassThroughKiln() => PassThrough.RunAsync(PipeReader.Create(new ReadOnlySequence<byte>(_data)));

    [Benchmark(Description = "pass-through, sequential Stream loop (256 MB)")]
    public long PassThroughSequential()
    {
        using var input = new MemoryStream(_data, writable: false);
        var a = new byte[Chunk];
        var b = new byte[Chunk];
        var c = new byte[Chunk];
        var d = new byte[Chunk];
        long count = 0;
        int read;
        while ((read = input.Read(a, 0, Chunk)) > 0)
        {
            a.AsSpan(0, read).CopyTo(b);
            b.AsSpan(0, read).CopyTo(c);
            c.AsSpan(0, read).CopyTo(d);
            count += read;
        }

        return count;
    }

    [Benchmark(Description = "pass-through 4 blocks, TPL Dataflow (256 MB)")]
    public async Task<long> PassThroughDataflow()
    {
        var bounded = new ExecutionDataflowBlockOptions { BoundedCapacity = 16 };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var first = new TransformBlock<byte[], byte[]>(chunk => chunk.AsSpan().ToArray(), bounded);
        var second = new TransformBlock<byte[], byte[]>(chunk => chunk.AsSpan().ToArray(), bounded);
        var third = new TransformBlock<byte[], byte[]>(chunk => chunk.AsSpan().ToArray(), bounded);
        long count = 0;
        var fourth = new ActionBlock<byte[]>(chunk => count += chunk.Length, bounded);
        first.LinkTo(second, link);
        second.LinkTo(third, link);
        third.LinkTo(fourth, link);
        for (int at = 0; at < _data.Length; at += Chunk)
        {
            await first.SendAsync(_data.AsSpan(at, Math.Min(Chunk, _data.Length - at)).ToArray());
        }

        first.Complete();
        await fourth.Completion;
        return count;
    }

    [Benchmark(Description = "log parse, Kiln stages (64 MB)")]
    public Task<LogParse.Result> LogKiln() => LogParse.RunAsync(PipeReader.Create(new ReadOnlySequence<byte>(_gzip)));

    [Benchmark(Description = "log parse, sequential Stream loop (64 MB)")]
    public long LogSequential()
    {
        using var gzip = new GZipStream(new MemoryStream(_gzip, writable: false), CompressionMode.Decompress);
        var buffer = new byte[Chunk * 2];
        var records = new byte[Chunk * 2];
        var counts = new long[StageWork.Paths.Length];
        long errors = 0;
        int carried = 0;
        int read;
        while ((read = gzip.Read(buffer, carried, Chunk)) > 0)
        {
            int length = carried + read;
            int whole = buffer.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
            int written = StageWork.ParseLines(buffer.AsSpan(0, whole), records);
            errors += StageWork.CountErrors(records.AsSpan(0, written));
            StageWork.AddPaths(records.AsSpan(0, written), counts);
            carried = length - whole;
            buffer.AsSpan(whole, carried).CopyTo(buffer);
        }

        return errors + counts[0];
    }

    [Benchmark(Description = "log parse, TPL Dataflow (64 MB)")]
    public async Task<long> LogDataflow()
    {
        var bounded = new ExecutionDataflowBlockOptions { BoundedCapacity = 16 };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        byte[] carry = Array.Empty<byte>();
        var lines = new TransformBlock<byte[], byte[]>(chunk =>
        {
            byte[] joined = carry.Length == 0 ? chunk : [.. carry, .. chunk];
            int whole = joined.AsSpan().LastIndexOf((byte)'\n') + 1;
            carry = joined.AsSpan(whole).ToArray();
            return joined.AsSpan(0, whole).ToArray();
        }, bounded);
        var parse = new TransformBlock<byte[], byte[]>(text =>
        {
            var records = new byte[text.Length / 16 * 4 + 64];
            int written = StageWork.ParseLines(text, records);
            return records.AsSpan(0, written).ToArray();
        }, bounded);
        long errors = 0;
        var counts = new long[StageWork.Paths.Length];
        var errorBlock = new ActionBlock<byte[]>(r => errors += StageWork.CountErrors(r), bounded);
        var pathBlock = new ActionBlock<byte[]>(r => StageWork.AddPaths(r, counts), bounded);
        var tee = new ActionBlock<byte[]>(async r =>
        {
            await errorBlock.SendAsync(r);
            await pathBlock.SendAsync(r);
        }, bounded);
        lines.LinkTo(parse, link);
        parse.LinkTo(tee, link);
        _ = tee.Completion.ContinueWith(_ => { errorBlock.Complete(); pathBlock.Complete(); }, TaskScheduler.Default);
        using (var gzip = new GZipStream(new MemoryStream(_gzip, writable: false), CompressionMode.Decompress))
        {
            int read;
            var buffer = new byte[Chunk];
            while ((read = await gzip.ReadAsync(buffer)) > 0)
            {
                await lines.SendAsync(buffer.AsSpan(0, read).ToArray());
            }
        }

        lines.Complete();
        await Task.WhenAll(errorBlock.Completion, pathBlock.Completion);
        return errors + counts[0];
    }
}
