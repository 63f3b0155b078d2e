using System;
using System.Buffers;
using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Cluster
{
    /// <summary>
    /// Writes a distributed node's arguments as one JSON array, each with the pipeline's generated metadata for its
    /// declared type (no reflection, no type names). Used by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class ArgumentWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        private readonly Utf8JsonWriter _json;

        /// <summary>Starts the array.</summary>
        public ArgumentWriter()
        {
            _json = new Utf8JsonWriter(_buffer);
            _json.WriteStartArray();
        }

        /// <summary>Appends an argument.</summary>
        /// <typeparam name="T">The parameter's declared type.</typeparam>
        /// <param name="value">The argument.</param>
        /// <param name="info">The generated metadata of <typeparamref name="T"/>.</param>
        /// <returns>This writer.</returns>
        public ArgumentWriter Write<T>(T value, JsonTypeInfo<T> info)
        {
            JsonSerializer.Serialize(_json, value, info);
            return this;
        }

        /// <summary>Appends an <see cref="Optional{T}"/> argument: <c>[]</c> for none, <c>[value]</c> otherwise.</summary>
        /// <typeparam name="T">The optional's value type.</typeparam>
        /// <param name="value">The argument.</param>
        /// <param name="info">The generated metadata of <typeparamref name="T"/>.</param>
        /// <returns>This writer.</returns>
        public ArgumentWriter WriteOptional<T>(Optional<T> value, JsonTypeInfo<T> info)
        {
            _json.WriteStartArray();
            if (value.HasValue)
            {
                JsonSerializer.Serialize(_json, value.Value, info);
            }

            _json.WriteEndArray();
            return this;
        }

        /// <summary>Ends the array.</summary>
        /// <returns>The arguments as UTF-8 JSON.</returns>
        public byte[] ToArray()
        {
            _json.WriteEndArray();
            _json.Flush();
            byte[] bytes = _buffer.WrittenSpan.ToArray();
            _json.Dispose();
            return bytes;
        }
    }

    /// <summary>
    /// Reads a distributed node's arguments on the worker, each into its parameter's declared type with the pipeline's
    /// generated metadata: the JSON says nothing about types, so a mismatch is a <see cref="JsonException"/>, never another
    /// type. Used by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class ArgumentReader : IDisposable
    {
        private readonly JsonDocument _document;

        /// <summary>Parses the array and checks its length.</summary>
        /// <param name="json">The arguments as a JSON array.</param>
        /// <param name="count">How many arguments the node takes over the wire.</param>
        /// <exception cref="JsonException">It is no array of <paramref name="count"/> elements.</exception>
        public ArgumentReader(ReadOnlyMemory<byte> json, int count)
        {
            _document = JsonDocument.Parse(json);
            if (_document.RootElement.ValueKind != JsonValueKind.Array || _document.RootElement.GetArrayLength() != count)
            {
                _document.Dispose();
                throw new JsonException($"The arguments are not a JSON array of {count} values.");
            }
        }

        /// <summary>Reads the argument at <paramref name="position"/>.</summary>
        /// <typeparam name="T">The parameter's declared type.</typeparam>
        /// <param name="position">Its position among the arguments that travel.</param>
        /// <param name="info">The generated metadata of <typeparamref name="T"/>.</param>
        public T Read<T>(int position, JsonTypeInfo<T> info) => _document.RootElement[position].Deserialize(info)!;

        /// <summary>Reads an <see cref="Optional{T}"/> argument written by <see cref="ArgumentWriter.WriteOptional{T}"/>.</summary>
        /// <typeparam name="T">The optional's value type.</typeparam>
        /// <param name="position">Its position among the arguments that travel.</param>
        /// <param name="info">The generated metadata of <typeparamref name="T"/>.</param>
        public Optional<T> ReadOptional<T>(int position, JsonTypeInfo<T> info)
        {
            JsonElement element = _document.RootElement[position];
            if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() > 1)
            {
                throw new JsonException($"Argument {position} is no optional value.");
            }

            return element.GetArrayLength() == 0 ? Optional<T>.None : element[0].Deserialize(info)!;
        }

        /// <summary>Reads one value (a map's item, a node's output).</summary>
        /// <typeparam name="T">Its declared type.</typeparam>
        /// <param name="json">The value as JSON.</param>
        /// <param name="info">The generated metadata of <typeparamref name="T"/>.</param>
        public static T ReadValue<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> info) => JsonSerializer.Deserialize(json.Span, info)!;

        /// <summary>Writes one value (a map's item, a node's output).</summary>
        /// <typeparam name="T">Its declared type.</typeparam>
        /// <param name="value">The value.</param>
        /// <param name="info">The generated metadata of <typeparamref name="T"/>.</param>
        public static byte[] WriteValue<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.SerializeToUtf8Bytes(value, info);

        /// <inheritdoc />
        public void Dispose() => _document.Dispose();
    }

    /// <summary>The caller's half of a distributed call. Used by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class DistributedCall
    {
        /// <summary>Sends <paramref name="call"/> to <paramref name="cluster"/> and reads the node's output back.</summary>
        /// <typeparam name="T">The node's (one item's) output type.</typeparam>
        /// <param name="cluster">The run's cluster.</param>
        /// <param name="call">The call.</param>
        /// <param name="output">The generated metadata of <typeparamref name="T"/>.</param>
        /// <param name="cancellationToken">The attempt's token.</param>
        /// <returns>The output and the worker that produced it.</returns>
        public static async ValueTask<(T Value, string Worker)> InvokeAsync<T>(
            IKilnCluster cluster, ClusterCall call, JsonTypeInfo<T> output, CancellationToken cancellationToken)
        {
            ClusterResult result = await cluster.InvokeAsync(call, cancellationToken).ConfigureAwait(false);
            return (ArgumentReader.ReadValue(result.Value, output), result.Worker);
        }

        /// <summary>Sends <paramref name="call"/> of a node without output to <paramref name="cluster"/>.</summary>
        /// <param name="cluster">The run's cluster.</param>
        /// <param name="call">The call.</param>
        /// <param name="cancellationToken">The attempt's token.</param>
        /// <returns>True, and the worker that ran it.</returns>
        public static async ValueTask<(bool Value, string Worker)> InvokeAsync(IKilnCluster cluster, ClusterCall call, CancellationToken cancellationToken)
        {
            ClusterResult result = await cluster.InvokeAsync(call, cancellationToken).ConfigureAwait(false);
            return (true, result.Worker);
        }
    }
}
