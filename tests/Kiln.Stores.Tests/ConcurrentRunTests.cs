using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Stores.CrashChild;
using Xunit;

namespace Kiln.Stores.Tests;

/// <summary>
/// SPEC section 11: runs of a durable pipeline with different run ids share one store without interference: each
/// returns its own uninterrupted result, and each resumes to it again from what it alone stored.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ConcurrentRunTests
{
    private const int Runs = 6;

    private readonly RedisServer _server;

    public ConcurrentRunTests(RedisServer server) => _server = server;

    [Fact]
    public async Task Sqlite_concurrent_runs_with_different_run_ids_do_not_interfere()
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("kiln-concurrent-");
        try
        {
            await using var store = new SqliteRunStore(Path.Combine(directory.FullName, "runs.db"));
            await RunConcurrently(store, "sqlite-");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public async Task Redis_concurrent_runs_with_different_run_ids_do_not_interfere()
    {
        var connection = _server.Require();
        await using var store = new RedisRunStore(connection);
        await RunConcurrently(store, "concurrent-" + Guid.NewGuid().ToString("N") + "-");
    }

    private static async Task RunConcurrently(IRunStore store, string prefix)
    {
        // Different inputs per run id, so a value read from the wrong run would change the result.
        string[] expected = await Task.WhenAll(Enumerable.Range(0, Runs).Select(i => CrashIngest.RunAsync(40 + i * 7, i)));
        string[] stored = await Task.WhenAll(Enumerable.Range(0, Runs).Select(i =>
            CrashIngest.RunAsync(40 + i * 7, i, new KilnOptions { Store = store, RunId = prefix + i })));
        Assert.Equal(expected, stored);

        string[] resumed = await Task.WhenAll(Enumerable.Range(0, Runs).Select(i =>
            CrashIngest.RunAsync(40 + i * 7, i, new KilnOptions { Store = store, RunId = prefix + i })));
        Assert.Equal(expected, resumed);

        foreach (int i in Enumerable.Range(0, Runs))
        {
            StoredRun run = await store.OpenAsync(typeof(CrashIngest).FullName!, prefix + i, new RunHeader("probe", Array.Empty<byte>()));
            Assert.False(run.Created);

            // Plan, each item of the map and its marker, Sum, Max, Report and Audit's marker.
            Assert.Equal(40 + i * 7 + 6, run.Values.Count);
            Assert.True(await store.DeleteAsync(typeof(CrashIngest).FullName!, prefix + i));
        }
    }
}
