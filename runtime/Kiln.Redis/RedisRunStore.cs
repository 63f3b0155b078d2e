using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Kiln
{
    /// <summary>
    /// A run store on Redis, shared by every machine that reaches the server: a run stored by one process resumes in
    /// another, anywhere. Each run is two hashes, its header and its values, under one hash tag (one cluster slot).
    /// </summary>
    /// <remarks>
    /// A write that completed is in the server's memory: it survives the writing process (<c>kill -9</c> included). It
    /// survives a restart of the server only as far as the server's persistence allows (<c>appendonly yes</c> with
    /// <c>appendfsync always</c> or <c>everysec</c>). The store does not own the connection: disposing it leaves the
    /// multiplexer open.
    /// </remarks>
    public sealed class RedisRunStore : IRunStore
    {
        private const string Format = "kiln-run-store/1";

        // Creates the header only where none exists: HSETNX on one field would leave a half-written header behind.
        private const string CreateScript =
            "if redis.call('EXISTS', KEYS[1]) == 0 then "
            + "redis.call('HSET', KEYS[1], 'format', ARGV[1], 'fingerprint', ARGV[2], 'inputs', ARGV[3]) return 1 end return 0";

        private readonly IConnectionMultiplexer _connection;
        private readonly int _database;
        private readonly string _prefix;

        /// <summary>Creates a store on an open connection.</summary>
        /// <param name="connection">The connection; the store does not dispose it.</param>
        /// <param name="database">The database number, or -1 for the connection's default.</param>
        /// <param name="keyPrefix">The start of every key the store writes. Defaults to <c>kiln:</c>.</param>
        public RedisRunStore(IConnectionMultiplexer connection, int database = -1, string keyPrefix = "kiln:")
        {
            ArgumentNullException.ThrowIfNull(connection);
            ArgumentNullException.ThrowIfNull(keyPrefix);
            _connection = connection;
            _database = database;
            _prefix = keyPrefix;
        }

        /// <inheritdoc />
        public async ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(header);
            (RedisKey headerKey, RedisKey valuesKey) = Keys(pipelineName, runId);
            cancellationToken.ThrowIfCancellationRequested();
            IDatabase db = _connection.GetDatabase(_database);
            RedisResult created = await db.ScriptEvaluateAsync(
                CreateScript,
                new[] { headerKey },
                new RedisValue[] { Format, header.Fingerprint, header.Inputs }).ConfigureAwait(false);
            if ((int)created == 1)
            {
                return new StoredRun(true, header, Array.Empty<StoredValue>());
            }

            cancellationToken.ThrowIfCancellationRequested();
            Task<HashEntry[]> readHeader = db.HashGetAllAsync(headerKey);
            Task<HashEntry[]> readValues = db.HashGetAllAsync(valuesKey);
            HashEntry[] headerEntries = await readHeader.ConfigureAwait(false);
            HashEntry[] valueEntries = await readValues.ConfigureAwait(false);
            RunHeader stored = ParseHeader(headerKey, headerEntries);
            var values = new List<StoredValue>(valueEntries.Length);
            foreach (HashEntry entry in valueEntries)
            {
                values.Add(ParseValue(valuesKey, entry));
            }

            return new StoredRun(false, stored, values);
        }

        /// <inheritdoc />
        public async ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(values);
            (RedisKey _, RedisKey valuesKey) = Keys(pipelineName, runId);
            if (values.Count == 0)
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var fields = new HashEntry[values.Count];
            for (int i = 0; i < fields.Length; i++)
            {
                StoredValue value = values[i];
                fields[i] = new HashEntry(Field(value.Slot, value.Item), value.Data);
            }

            // One HSET: the server applies the batch as one command, all fields or none.
            await _connection.GetDatabase(_database).HashSetAsync(valuesKey, fields).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default)
        {
            (RedisKey headerKey, RedisKey valuesKey) = Keys(pipelineName, runId);
            cancellationToken.ThrowIfCancellationRequested();
            IDatabase db = _connection.GetDatabase(_database);
            ITransaction transaction = db.CreateTransaction();
            Task<bool> header = transaction.KeyDeleteAsync(headerKey);
            Task<bool> values = transaction.KeyDeleteAsync(valuesKey);
            await transaction.ExecuteAsync().ConfigureAwait(false);
            return await header.ConfigureAwait(false) | await values.ConfigureAwait(false);
        }

        /// <summary>Does nothing: the connection belongs to the caller.</summary>
        public ValueTask DisposeAsync() => default;

        private (RedisKey Header, RedisKey Values) Keys(string pipelineName, string runId)
        {
            ArgumentException.ThrowIfNullOrEmpty(pipelineName);
            ArgumentException.ThrowIfNullOrEmpty(runId);

            // The braces are a hash tag: both keys of a run land in one cluster slot, so a transaction may span them.
            string tag = _prefix + "{" + pipelineName.Replace("}", "}}", StringComparison.Ordinal) + "/" + runId.Replace("}", "}}", StringComparison.Ordinal) + "}";
            return (tag + ":header", tag + ":values");
        }

        private static string Field(int slot, int item) =>
            slot.ToString(CultureInfo.InvariantCulture) + ":" + item.ToString(CultureInfo.InvariantCulture);

        private static RunHeader ParseHeader(RedisKey key, HashEntry[] entries)
        {
            string? format = null;
            string? fingerprint = null;
            byte[]? inputs = null;
            foreach (HashEntry entry in entries)
            {
                switch ((string?)entry.Name)
                {
                    case "format":
                        format = entry.Value;
                        break;
                    case "fingerprint":
                        fingerprint = entry.Value;
                        break;
                    case "inputs":
                        inputs = entry.Value;
                        break;
                }
            }

            if (format != Format || string.IsNullOrEmpty(fingerprint) || inputs is null)
            {
                throw new InvalidDataException(
                    $"The Redis key '{key}' is not the header of a Kiln run (format '{format}'); another program may use the key prefix.");
            }

            return new RunHeader(fingerprint, inputs);
        }

        private static StoredValue ParseValue(RedisKey key, HashEntry entry)
        {
            string name = entry.Name.ToString();
            int colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !int.TryParse(name.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out int slot)
                || !int.TryParse(name.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int item)
                || slot < 0 || item < StoredValue.WholeNode)
            {
                throw new InvalidDataException($"The Redis hash '{key}' holds a field '{name}' that is not a Kiln value key (slot:item).");
            }

            return new StoredValue(slot, item, (byte[])entry.Value!);
        }
    }
}
