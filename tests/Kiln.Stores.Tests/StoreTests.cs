using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Stores.Tests;

public sealed class InMemoryRunStoreTests : RunStoreContract
{
    protected override IRunStore CreateStore() => new InMemoryRunStore();

    [Fact]
    public async Task Writing_to_a_run_that_was_never_opened_is_refused_naming_the_run()
    {
        await using var store = new InMemoryRunStore();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await store.WriteAsync("P", "missing", new[] { new StoredValue(0, StoredValue.WholeNode, new byte[] { 1 }) }));
        Assert.Contains("'missing'", e.Message);
    }

    [Fact]
    public async Task The_caller_may_reuse_its_buffer_after_a_write()
    {
        await using var store = new InMemoryRunStore();
        await store.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 1 }));
        byte[] buffer = { 1, 2, 3 };
        await store.WriteAsync("P", "r", new[] { new StoredValue(0, StoredValue.WholeNode, buffer) });
        buffer[0] = 99;
        StoredRun run = await store.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 1 }));
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(run.Values).Data.ToArray());
    }
}

public sealed class SqliteRunStoreTests : RunStoreContract, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("kiln-sqlite-");
    private int _files;

    protected override IRunStore CreateStore() => new SqliteRunStore(NewPath());

    public void Dispose() => _directory.Delete(recursive: true);

    private string NewPath() => Path.Combine(_directory.FullName, $"store{_files++}.db");

    [Fact]
    public async Task Values_survive_closing_and_reopening_the_file()
    {
        string path = NewPath();
        await using (var store = new SqliteRunStore(path))
        {
            await store.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 5 }));
            await store.WriteAsync("P", "r", new[] { new StoredValue(2, 0, new byte[] { 7, 8 }) });
        }

        await using (var store = new SqliteRunStore(path))
        {
            StoredRun run = await store.OpenAsync("P", "r", new RunHeader("other", new byte[] { 0 }));
            Assert.False(run.Created);
            Assert.Equal("fp", run.Header.Fingerprint);
            StoredValue value = Assert.Single(run.Values);
            Assert.Equal((2, 0), (value.Slot, value.Item));
            Assert.Equal(new byte[] { 7, 8 }, value.Data.ToArray());
        }
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path()
    {
        string path = NewPath();
        File.WriteAllText(path, "this is a text file, not an SQLite database, and long enough to have a header page........");
        var e = Assert.Throws<InvalidDataException>(() => new SqliteRunStore(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an SQLite database", e.Message);
    }

    [Fact]
    public void An_sqlite_database_of_another_program_is_refused_naming_its_tables()
    {
        string path = NewPath();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path + ";Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);";
            create.ExecuteNonQuery();
        }

        var e = Assert.Throws<InvalidDataException>(() => new SqliteRunStore(path));
        Assert.Contains("not a Kiln run store", e.Message);
        Assert.Contains("customers", e.Message);
    }

    [Fact]
    public async Task A_store_of_a_newer_format_version_is_refused()
    {
        string path = NewPath();
        await using (new SqliteRunStore(path))
        {
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path + ";Pooling=False"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE kiln_store SET value = '2' WHERE key = 'version';";
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        var e = Assert.Throws<InvalidDataException>(() => new SqliteRunStore(path));
        Assert.Contains("format version 2", e.Message);
    }

    [Fact]
    public async Task A_file_whose_pages_were_overwritten_is_reported_as_corrupt()
    {
        string path = NewPath();
        await using (var store = new SqliteRunStore(path))
        {
            await store.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 5 }));
            var values = new List<StoredValue>();
            for (int i = 0; i < 200; i++)
            {
                values.Add(new StoredValue(i, StoredValue.WholeNode, new byte[2000]));
            }

            await store.WriteAsync("P", "r", values);
        }

        // Checkpointed into the main file on close; now scribble over the pages after the first.
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 16384, "the store should span several pages");
        new Random(3).NextBytes(bytes.AsSpan(4096, bytes.Length - 4096));
        File.WriteAllBytes(path, bytes);
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await using var store = new SqliteRunStore(path);
            await store.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 5 }));
        });
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public async Task Two_store_objects_on_one_file_see_each_others_writes()
    {
        string path = NewPath();
        await using var first = new SqliteRunStore(path);
        await using var second = new SqliteRunStore(path);
        await first.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 1 }));
        await first.WriteAsync("P", "r", new[] { new StoredValue(0, StoredValue.WholeNode, new byte[] { 4 }) });
        StoredRun seen = await second.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 1 }));
        Assert.False(seen.Created);
        Assert.Equal(new byte[] { 4 }, Assert.Single(seen.Values).Data.ToArray());
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisRunStoreTests : RunStoreContract
{
    private readonly RedisServer _server;

    public RedisRunStoreTests(RedisServer server) => _server = server;

    protected override IRunStore CreateStore() => new RedisRunStore(_server.Require(), keyPrefix: "test-" + Guid.NewGuid().ToString("N") + ":");

    [SkippableFact]
    public async Task A_foreign_hash_under_the_prefix_is_refused_naming_the_key()
    {
        string prefix = "foreign-" + Guid.NewGuid().ToString("N") + ":";
        var connection = _server.Require();
        await connection.GetDatabase().HashSetAsync(prefix + "{P/r}:header", "owner", "someone else");
        await using var store = new RedisRunStore(connection, keyPrefix: prefix);
        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.OpenAsync("P", "r", new RunHeader("fp", new byte[] { 1 })));
        Assert.Contains(prefix + "{P/r}:header", e.Message);
    }

    [SkippableFact]
    public async Task A_write_to_an_unreachable_server_fails_with_the_connection_error()
    {
        _server.Require();
        using var dead = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200,syncTimeout=500,asyncTimeout=500");
        await using var store = new RedisRunStore(dead);
        await Assert.ThrowsAnyAsync<StackExchange.Redis.RedisException>(async () =>
            await store.WriteAsync("P", "r", new[] { new StoredValue(0, StoredValue.WholeNode, new byte[] { 1 }) }));
    }
}

public sealed class StoredRunTests
{
    private static readonly RunHeader Stored = new("fp-1", new byte[] { 1, 2, 3 });

    [Fact]
    public void A_run_with_the_same_fingerprint_and_inputs_matches() =>
        new StoredRun(false, Stored, Array.Empty<StoredValue>()).EnsureMatches("P", "r", new RunHeader("fp-1", new byte[] { 1, 2, 3 }));

    [Fact]
    public void A_run_stored_by_another_version_is_refused_naming_the_run_and_both_fingerprints()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            new StoredRun(false, Stored, Array.Empty<StoredValue>()).EnsureMatches("Ingest", "batch-7", new RunHeader("fp-2", new byte[] { 1, 2, 3 })));
        Assert.Contains("'batch-7'", e.Message);
        Assert.Contains("another version", e.Message);
        Assert.Contains("fp-1", e.Message);
        Assert.Contains("fp-2", e.Message);
    }

    [Fact]
    public void A_run_id_reused_with_other_inputs_is_refused_naming_the_run_id()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            new StoredRun(false, Stored, Array.Empty<StoredValue>()).EnsureMatches("Ingest", "batch-7", new RunHeader("fp-1", new byte[] { 1, 2, 4 })));
        Assert.Contains("'batch-7'", e.Message);
        Assert.Contains("other inputs", e.Message);
    }

    [Fact]
    public void A_negative_slot_or_an_item_below_minus_one_is_refused()
    {
        Assert.Equal("slot", Assert.Throws<ArgumentOutOfRangeException>(() => new StoredValue(-1, 0, default)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentOutOfRangeException>(() => new StoredValue(0, -2, default)).ParamName);
    }
}
