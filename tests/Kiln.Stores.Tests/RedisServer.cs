using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using StackExchange.Redis;
using Xunit;

namespace Kiln.Stores.Tests;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, started once for the tests that need it and stopped after. Where
/// the machine has no <c>redis-server</c> those tests skip with the reason, unless <c>KILN_REQUIRE_REDIS=1</c> (as CI
/// sets it): then they fail.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process? _process;
    private readonly string? _directory;

    public RedisServer()
    {
        string? executable = Find("redis-server");
        if (executable is null)
        {
            SkipReason = "redis-server is not installed (Debian: apt-get install redis-server; CI sets KILN_REQUIRE_REDIS=1 so this fails there).";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("kiln-redis-").FullName;
        Port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Connection = Connect();
    }

    /// <summary>Why Redis tests cannot run here, or null.</summary>
    public string? SkipReason { get; }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port;

    public ConnectionMultiplexer? Connection { get; }

    /// <summary>Skips the calling test where Redis is missing and not required.</summary>
    public ConnectionMultiplexer Require()
    {
        if (SkipReason is not null && Environment.GetEnvironmentVariable("KILN_REQUIRE_REDIS") != "1")
        {
            throw new SkipException(SkipReason);
        }

        Assert.True(SkipReason is null, SkipReason);
        return Connection!;
    }

    public void Dispose()
    {
        Connection?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private ConnectionMultiplexer Connect()
    {
        Exception? last = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}.");
            }

            try
            {
                var connection = ConnectionMultiplexer.Connect(Endpoint + ",abortConnect=true,connectTimeout=2000");
                connection.GetDatabase().Ping();
                return connection;
            }
            catch (RedisConnectionException e)
            {
                last = e;
                Thread.Sleep(100);
            }
        }

        throw new InvalidOperationException($"redis-server on port {Port} did not answer within 20 s.", last);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Find(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists("/usr/bin/" + program) ? "/usr/bin/" + program : null;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis-server";
}
