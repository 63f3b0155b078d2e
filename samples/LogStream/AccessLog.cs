using System;
using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace LogStream;

/// <summary>A synthetic web server access log: its request paths, and a deterministic writer of its lines.</summary>
public static class AccessLog
{
    public static readonly string[] Paths =
    {
        "/", "/index.html", "/api/items", "/api/items/42", "/api/orders", "/api/orders/7/lines", "/login", "/logout",
        "/static/app.js", "/static/app.css", "/static/logo.png", "/search", "/cart", "/checkout", "/health", "/metrics",
    };

    private static readonly byte[][] PathBytes = Array.ConvertAll(Paths, Encoding.ASCII.GetBytes);

    private static readonly int[] Statuses = { 200, 200, 200, 200, 200, 200, 301, 304, 404, 500, 502, 503 };

    /// <summary>
    /// Writes <paramref name="size"/> bytes (rounded up to a whole line) of log lines, gzip-compressed, to
    /// <paramref name="output"/>. Lines come from a table cycled in a pseudo-random order, so generation is cheap
    /// next to inflating and parsing.
    /// </summary>
    public static async Task WriteGzipAsync(long size, PipeWriter output, CancellationToken cancellationToken)
    {
        byte[][] table = BuildTable(4096);
        await using var gzip = new GZipStream(output.AsStream(leaveOpen: true), CompressionLevel.Fastest);
        var block = new byte[64 * 1024];
        uint state = 2463534242;
        for (long written = 0; written < size;)
        {
            int used = 0;
            while (used < block.Length - 256 && written + used < size)
            {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                byte[] line = table[state % (uint)table.Length];
                line.CopyTo(block, used);
                used += line.Length;
            }

            await gzip.WriteAsync(block.AsMemory(0, used), cancellationToken);
            written += used;
        }
    }

    private static byte[][] BuildTable(int count)
    {
        var random = new Random(7);
        var table = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            string path = Paths[random.Next(Paths.Length)];
            int status = Statuses[random.Next(Statuses.Length)];
            table[i] = Encoding.ASCII.GetBytes(
                $"10.0.{random.Next(256)}.{random.Next(256)} - - [10/Oct/2024:13:{random.Next(60):00}:{random.Next(60):00} +0000] \"GET {path} HTTP/1.1\" {status} {random.Next(100, 50000)}\n");
        }

        return table;
    }

    /// <summary>Parses one line into (path index, status); false for a line that is not a request.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out int path, out int status)
    {
        path = -1;
        status = 0;
        int quote = line.IndexOf((byte)'"');
        if (quote < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> request = line[(quote + 1)..];
        int space = request.IndexOf((byte)' ');
        if (space < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = request[(space + 1)..];
        int end = rest.IndexOf((byte)' ');
        if (end < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> target = rest[..end];
        for (int i = 0; i < PathBytes.Length; i++)
        {
            if (target.SequenceEqual(PathBytes[i]))
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
}
