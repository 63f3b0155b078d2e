using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Stores.Tests;

/// <summary>
/// A child process writes to a store and is killed with SIGKILL at a random moment; every write it reported as
/// completed must be there, byte for byte, and the store must still open and be consistent.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CrashTests
{
    private readonly RedisServer _server;

    public CrashTests(RedisServer server) => _server = server;

    [Fact]
    public async Task Sqlite_keeps_every_completed_write_when_the_writer_is_killed()
    {
        using var file = new TempSqliteFile("kiln-crash-");
        for (int seed = 0; seed < 8; seed++)
        {
            int committed = await RunAndKill("sqlite", file.Path, "run-" + seed, seed);
            await using var store = new SqliteRunStore(file.Path);
            await CheckSurvivors(store, "run-" + seed, committed);
        }

        file.AssertIntact();
    }

    [SkippableFact]
    public async Task Redis_keeps_every_completed_write_when_the_writer_is_killed()
    {
        var connection = _server.Require();
        string runPrefix = "crash-" + Guid.NewGuid().ToString("N");
        for (int seed = 0; seed < 4; seed++)
        {
            int committed = await RunAndKill("redis", _server.Endpoint, runPrefix + seed, seed);
            await using var store = new RedisRunStore(connection);
            await CheckSurvivors(store, runPrefix + seed, committed);
        }
    }

    // A second process resumes the run: it sees what the first one committed and goes on from there.
    private static async Task CheckSurvivors(IRunStore store, string runId, int lastCommitted)
    {
        StoredRun run = await store.OpenAsync(CrashPayload.Pipeline, runId, CrashPayload.Header);
        Assert.False(run.Created);
        var slots = run.Values.Select(v => v.Slot).OrderBy(s => s).ToArray();
        Assert.True(slots.Length >= lastCommitted + 1, $"{runId}: {slots.Length} values stored, but slots 0..{lastCommitted} were committed");
        Assert.Equal(Enumerable.Range(0, slots.Length), slots);
        foreach (StoredValue value in run.Values)
        {
            Assert.Equal(StoredValue.WholeNode, value.Item);
            Assert.True(CrashPayload.For(value.Slot).AsSpan().SequenceEqual(value.Data.Span), $"{runId}: slot {value.Slot} holds other bytes");
        }
    }

    /// <returns>The last slot the child reported as committed before it was killed.</returns>
    private static async Task<int> RunAndKill(string kind, string target, string runId, int seed)
    {
        using Process process = CrashChild.Start(kind, target, runId, seed.ToString());
        Task<string> errors = process.StandardError.ReadToEndAsync();
        int killAfter = new Random(seed).Next(5, 120);
        int lastCommitted = -1;
        int batches = 0;
        var deadline = Stopwatch.StartNew();
        try
        {
            while (batches < killAfter)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"the crash child wrote only {batches} batches in 60 s");
                string? line = await process.StandardOutput.ReadLineAsync();
                if (line is null)
                {
                    await process.WaitForExitAsync();
                    Assert.Fail($"the crash child ended early (exit code {process.ExitCode}): {await errors}");
                }

                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    lastCommitted = int.Parse(line.AsSpan("committed ".Length));
                    batches++;
                }
            }
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix: no finally blocks, no flush, no dispose in the child
            await process.WaitForExitAsync();
        }

        Assert.NotEqual(0, process.ExitCode);
        return lastCommitted;
    }
}
