using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Kiln
{
    /// <summary>
    /// A run store in one SQLite file (write-ahead log): the embedded default for durable runs. A write that completed
    /// survives the end of the process, <c>kill -9</c> included. Several runs, and several processes, may share the file.
    /// </summary>
    /// <remarks>
    /// The file holds a <c>kiln_store</c> table that marks it as a Kiln run store with its format version; a file that is
    /// not an SQLite database, or an SQLite database of something else, is refused with <see cref="InvalidDataException"/>.
    /// Durability against a power loss needs <c>synchronous=FULL</c>; this store uses <c>NORMAL</c>, which in WAL mode
    /// loses no committed write when a process dies, and costs far less per write.
    /// </remarks>
    public sealed class SqliteRunStore : IRunStore
    {
        private const string Format = "kiln-run-store";
        private const int Version = 1;

        private readonly SqliteConnection _connection;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _disposed;

        /// <summary>Opens the store in <paramref name="path"/>, creating the file if it does not exist.</summary>
        /// <param name="path">The database file.</param>
        /// <exception cref="InvalidDataException">The file is not an SQLite database, is corrupt, or is not a Kiln run store.</exception>
        public SqliteRunStore(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            Path = System.IO.Path.GetFullPath(path);
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 30,
            }.ToString();
            _connection = new SqliteConnection(connectionString);
            try
            {
                _connection.Open();
                Execute("PRAGMA busy_timeout = 10000;");
                Execute("PRAGMA journal_mode = WAL;");
                Execute("PRAGMA synchronous = NORMAL;");
                EnsureSchema();
            }
            catch (SqliteException e) when (IsDamaged(e))
            {
                _connection.Dispose();
                throw Unreadable(e);
            }
            catch
            {
                _connection.Dispose();
                throw;
            }
        }

        /// <summary>The database file's full path.</summary>
        public string Path { get; }

        /// <inheritdoc />
        public async ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default)
        {
            CheckKey(pipelineName, runId);
            ArgumentNullException.ThrowIfNull(header);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
                bool created;
                using (SqliteCommand insert = Command(
                    "INSERT OR IGNORE INTO kiln_runs (pipeline, run_id, fingerprint, inputs) VALUES ($pipeline, $run, $fingerprint, $inputs);",
                    transaction))
                {
                    insert.Parameters.AddWithValue("$pipeline", pipelineName);
                    insert.Parameters.AddWithValue("$run", runId);
                    insert.Parameters.AddWithValue("$fingerprint", header.Fingerprint);
                    insert.Parameters.AddWithValue("$inputs", header.Inputs.ToArray());
                    created = insert.ExecuteNonQuery() == 1;
                }

                if (created)
                {
                    transaction.Commit();
                    return new StoredRun(true, header, Array.Empty<StoredValue>());
                }

                RunHeader stored;
                using (SqliteCommand select = Command("SELECT fingerprint, inputs FROM kiln_runs WHERE pipeline = $pipeline AND run_id = $run;", transaction))
                {
                    select.Parameters.AddWithValue("$pipeline", pipelineName);
                    select.Parameters.AddWithValue("$run", runId);
                    using SqliteDataReader reader = select.ExecuteReader();
                    reader.Read();
                    stored = new RunHeader(reader.GetString(0), (byte[])reader.GetValue(1));
                }

                var values = new List<StoredValue>();
                using (SqliteCommand select = Command("SELECT slot, item, data FROM kiln_values WHERE pipeline = $pipeline AND run_id = $run;", transaction))
                {
                    select.Parameters.AddWithValue("$pipeline", pipelineName);
                    select.Parameters.AddWithValue("$run", runId);
                    using SqliteDataReader reader = select.ExecuteReader();
                    while (reader.Read())
                    {
                        values.Add(new StoredValue(reader.GetInt32(0), reader.GetInt32(1), (byte[])reader.GetValue(2)));
                    }
                }

                transaction.Commit();
                return new StoredRun(false, stored, values);
            }
            catch (SqliteException e) when (IsDamaged(e))
            {
                throw Unreadable(e);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <inheritdoc />
        public async ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default)
        {
            CheckKey(pipelineName, runId);
            ArgumentNullException.ThrowIfNull(values);
            if (values.Count == 0)
            {
                return;
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
                using SqliteCommand insert = Command(
                    "INSERT OR REPLACE INTO kiln_values (pipeline, run_id, slot, item, data) VALUES ($pipeline, $run, $slot, $item, $data);",
                    transaction);
                insert.Parameters.AddWithValue("$pipeline", pipelineName);
                insert.Parameters.AddWithValue("$run", runId);
                SqliteParameter slot = insert.Parameters.Add("$slot", SqliteType.Integer);
                SqliteParameter item = insert.Parameters.Add("$item", SqliteType.Integer);
                SqliteParameter data = insert.Parameters.Add("$data", SqliteType.Blob);
                insert.Prepare();
                foreach (StoredValue value in values)
                {
                    slot.Value = value.Slot;
                    item.Value = value.Item;
                    data.Value = value.Data.ToArray();
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch (SqliteException e) when (IsDamaged(e))
            {
                throw Unreadable(e);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <inheritdoc />
        public async ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default)
        {
            CheckKey(pipelineName, runId);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
                int deleted;
                using (SqliteCommand delete = Command("DELETE FROM kiln_values WHERE pipeline = $pipeline AND run_id = $run;", transaction))
                {
                    delete.Parameters.AddWithValue("$pipeline", pipelineName);
                    delete.Parameters.AddWithValue("$run", runId);
                    delete.ExecuteNonQuery();
                }

                using (SqliteCommand delete = Command("DELETE FROM kiln_runs WHERE pipeline = $pipeline AND run_id = $run;", transaction))
                {
                    delete.Parameters.AddWithValue("$pipeline", pipelineName);
                    delete.Parameters.AddWithValue("$run", runId);
                    deleted = delete.ExecuteNonQuery();
                }

                transaction.Commit();
                return deleted > 0;
            }
            catch (SqliteException e) when (IsDamaged(e))
            {
                throw Unreadable(e);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>Closes the file. Writes that completed are already on disk.</summary>
        public async ValueTask DisposeAsync()
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        private void EnsureSchema()
        {
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
            var tables = new List<string>();
            using (SqliteCommand list = Command("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;", transaction))
            using (SqliteDataReader reader = list.ExecuteReader())
            {
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            if (tables.Count == 0)
            {
                Execute(
                    "CREATE TABLE kiln_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                    + "CREATE TABLE kiln_runs (pipeline TEXT NOT NULL, run_id TEXT NOT NULL, fingerprint TEXT NOT NULL, inputs BLOB NOT NULL,"
                    + " PRIMARY KEY (pipeline, run_id));"
                    + "CREATE TABLE kiln_values (pipeline TEXT NOT NULL, run_id TEXT NOT NULL, slot INTEGER NOT NULL, item INTEGER NOT NULL,"
                    + " data BLOB NOT NULL, PRIMARY KEY (pipeline, run_id, slot, item)) WITHOUT ROWID;"
                    + $"INSERT INTO kiln_store (key, value) VALUES ('format', '{Format}'), ('version', '{Version}');",
                    transaction);
                transaction.Commit();
                return;
            }

            if (!tables.Contains("kiln_store"))
            {
                throw new InvalidDataException(
                    $"'{Path}' is an SQLite database but not a Kiln run store (its tables: {string.Join(", ", tables)}). Use another file.");
            }

            string? format = null;
            string? version = null;
            using (SqliteCommand read = Command("SELECT key, value FROM kiln_store;", transaction))
            using (SqliteDataReader reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    switch (reader.GetString(0))
                    {
                        case "format":
                            format = reader.GetString(1);
                            break;
                        case "version":
                            version = reader.GetString(1);
                            break;
                    }
                }
            }

            if (format != Format || version is null)
            {
                throw new InvalidDataException($"'{Path}' has a kiln_store table but is not a Kiln run store (format '{format}').");
            }

            if (version != Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidDataException(
                    $"'{Path}' is a Kiln run store of format version {version}; this Kiln reads version {Version}.");
            }

            if (!tables.Contains("kiln_runs") || !tables.Contains("kiln_values"))
            {
                throw new InvalidDataException($"'{Path}' is a Kiln run store that lacks its kiln_runs or kiln_values table: it is damaged.");
            }

            transaction.Commit();
        }

        // SQLITE_NOTADB and SQLITE_CORRUPT: the file is damaged or foreign. Other errors (busy, full disk, I/O) pass as they are.
        private static bool IsDamaged(SqliteException e) => e.SqliteErrorCode is 26 or 11;

        private InvalidDataException Unreadable(SqliteException e) => e.SqliteErrorCode == 26
            ? new InvalidDataException($"'{Path}' is not an SQLite database, or its header is corrupt: {e.Message}", e)
            : new InvalidDataException($"The Kiln run store '{Path}' is corrupt: {e.Message}", e);

        private void Execute(string sql, SqliteTransaction? transaction = null)
        {
            using SqliteCommand command = Command(sql, transaction);
            command.ExecuteNonQuery();
        }

        private SqliteCommand Command(string sql, SqliteTransaction? transaction)
        {
            SqliteCommand command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            return command;
        }

        private static void CheckKey(string pipelineName, string runId)
        {
            ArgumentException.ThrowIfNullOrEmpty(pipelineName);
            ArgumentException.ThrowIfNullOrEmpty(runId);
        }
    }
}
