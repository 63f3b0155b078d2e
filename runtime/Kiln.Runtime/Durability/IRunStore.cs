using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln
{
    /// <summary>
    /// Where a durable run keeps its inputs and the outputs of its finished nodes, so that a later run with the same run
    /// id, in any process, resumes instead of starting over (<see cref="KilnOptions"/>' <c>Store</c> and <c>RunId</c>).
    /// </summary>
    /// <remarks>
    /// A store holds bytes; it neither serializes nor interprets them. One record per run, keyed by pipeline name and run
    /// id, holds a header (the pipeline's fingerprint and the serialized inputs) and the values written so far, each keyed
    /// by slot (a node) and item (a map's element, or <see cref="StoredValue.WholeNode"/>). Implementations are safe for
    /// concurrent use by runs with different run ids. Kiln ships <see cref="InMemoryRunStore"/> (tests),
    /// <c>SqliteRunStore</c> (package Kiln.Sqlite) and <c>RedisRunStore</c> (package Kiln.Redis).
    /// </remarks>
    public interface IRunStore : IAsyncDisposable
    {
        /// <summary>
        /// Opens a run: creates its record with <paramref name="header"/> if the store has none, otherwise returns what is
        /// stored (its own header, which may differ, and every value written so far). Creation is atomic: of two callers
        /// racing to create one run, one creates it and the other sees it.
        /// </summary>
        /// <param name="pipelineName">The pipeline's full name.</param>
        /// <param name="runId">The run id.</param>
        /// <param name="header">The header to store if the run is new.</param>
        /// <param name="cancellationToken">Cancels the call.</param>
        /// <returns>The run as stored; <see cref="StoredRun.Created"/> says whether this call created it.</returns>
        ValueTask<StoredRun> OpenAsync(string pipelineName, string runId, RunHeader header, CancellationToken cancellationToken = default);

        /// <summary>
        /// Writes a batch of values, all or none. A value with the slot and item of a stored one replaces it. When the
        /// returned task completes, the values survive the end of the writing process (<c>kill -9</c> included).
        /// </summary>
        /// <param name="pipelineName">The pipeline's full name.</param>
        /// <param name="runId">The run id.</param>
        /// <param name="values">The values; the store copies what it keeps, so the caller may reuse the buffers after.</param>
        /// <param name="cancellationToken">Cancels the call (the batch is then written entirely or not at all).</param>
        ValueTask WriteAsync(string pipelineName, string runId, IReadOnlyList<StoredValue> values, CancellationToken cancellationToken = default);

        /// <summary>Forgets a run: its header and all its values.</summary>
        /// <param name="pipelineName">The pipeline's full name.</param>
        /// <param name="runId">The run id.</param>
        /// <param name="cancellationToken">Cancels the call.</param>
        /// <returns>Whether the store held the run.</returns>
        ValueTask<bool> DeleteAsync(string pipelineName, string runId, CancellationToken cancellationToken = default);
    }

    /// <summary>What identifies a run's content: the pipeline version that wrote it and the inputs it ran with.</summary>
    public sealed class RunHeader
    {
        /// <summary>Creates a header.</summary>
        /// <param name="fingerprint">
        /// Identifies the pipeline's version: its graph and its nodes' input and output types. A run written by another
        /// fingerprint is refused, never mixed.
        /// </param>
        /// <param name="inputs">The run's inputs, serialized.</param>
        /// <exception cref="ArgumentException"><paramref name="fingerprint"/> is empty.</exception>
        public RunHeader(string fingerprint, ReadOnlyMemory<byte> inputs)
        {
            ArgumentException.ThrowIfNullOrEmpty(fingerprint);
            Fingerprint = fingerprint;
            Inputs = inputs;
        }

        /// <summary>Identifies the pipeline's version.</summary>
        public string Fingerprint { get; }

        /// <summary>The run's inputs, serialized.</summary>
        public ReadOnlyMemory<byte> Inputs { get; }
    }

    /// <summary>One stored value: a node's output, or one item of a map's output.</summary>
    public readonly struct StoredValue
    {
        /// <summary>The <see cref="Item"/> of a value that is a whole node's output, not a map item.</summary>
        public const int WholeNode = -1;

        /// <summary>Creates a stored value.</summary>
        /// <param name="slot">The node's value slot, 0 or more.</param>
        /// <param name="item">The map item's index, or <see cref="WholeNode"/>.</param>
        /// <param name="data">The serialized value.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is negative or <paramref name="item"/> is below -1.</exception>
        public StoredValue(int slot, int item, ReadOnlyMemory<byte> data)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(slot);
            ArgumentOutOfRangeException.ThrowIfLessThan(item, WholeNode);
            Slot = slot;
            Item = item;
            Data = data;
        }

        /// <summary>The node's value slot.</summary>
        public int Slot { get; }

        /// <summary>The map item's index, or <see cref="WholeNode"/>.</summary>
        public int Item { get; }

        /// <summary>The serialized value.</summary>
        public ReadOnlyMemory<byte> Data { get; }
    }

    /// <summary>A run as a store holds it.</summary>
    public sealed class StoredRun
    {
        /// <summary>Creates the record of a run.</summary>
        /// <param name="created">Whether the call that returned it created the run.</param>
        /// <param name="header">The stored header.</param>
        /// <param name="values">The stored values, in no particular order.</param>
        public StoredRun(bool created, RunHeader header, IReadOnlyList<StoredValue> values)
        {
            ArgumentNullException.ThrowIfNull(header);
            ArgumentNullException.ThrowIfNull(values);
            Created = created;
            Header = header;
            Values = values;
        }

        /// <summary>Whether the call that returned this record created the run (then it holds no values).</summary>
        public bool Created { get; }

        /// <summary>The header the run was created with.</summary>
        public RunHeader Header { get; }

        /// <summary>The values written so far, in no particular order.</summary>
        public IReadOnlyList<StoredValue> Values { get; }

        /// <summary>
        /// Refuses to resume a run that was written by another version of the pipeline or with other inputs.
        /// </summary>
        /// <param name="pipelineName">The pipeline's full name, for the message.</param>
        /// <param name="runId">The run id, for the message.</param>
        /// <param name="expected">The header of the run that wants to resume.</param>
        /// <exception cref="InvalidOperationException">The fingerprints or the inputs differ.</exception>
        public void EnsureMatches(string pipelineName, string runId, RunHeader expected)
        {
            ArgumentNullException.ThrowIfNull(expected);
            if (!string.Equals(Header.Fingerprint, expected.Fingerprint, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Run '{runId}' of pipeline '{pipelineName}' was stored by another version of the pipeline (fingerprint "
                    + $"{Header.Fingerprint}, this build has {expected.Fingerprint}): its graph or a node's types changed. "
                    + "Delete the run (IRunStore.DeleteAsync) or use another run id.");
            }

            if (!Header.Inputs.Span.SequenceEqual(expected.Inputs.Span))
            {
                throw new InvalidOperationException(
                    $"Run id '{runId}' of pipeline '{pipelineName}' is already used by a run with other inputs. "
                    + "Use another run id, or delete the stored run (IRunStore.DeleteAsync) to start it over.");
            }
        }
    }
}
