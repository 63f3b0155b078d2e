using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Cluster
{
    /// <summary>
    /// Runs one call of a distributed node on a worker: reads the arguments into the node's declared parameter types with
    /// the pipeline's generated JSON context, calls the method, writes its output. Generated per distributed node.
    /// </summary>
    /// <param name="arguments">The arguments other than item, index and token: a JSON array in parameter order.</param>
    /// <param name="item">For a map, the item as JSON; empty for a task.</param>
    /// <param name="index">For a map, the item's index; -1 for a task.</param>
    /// <param name="cancellationToken">The caller's cancellation, handed to the node.</param>
    /// <returns>The node's output as JSON, empty when it has none.</returns>
    public delegate ValueTask<byte[]> DistributedNodeHandler(
        ReadOnlyMemory<byte> arguments, ReadOnlyMemory<byte> item, int index, CancellationToken cancellationToken);

    /// <summary>One distributed node a worker can run: written by the generator, never built from the wire.</summary>
    /// <param name="Pipeline">The pipeline class's full name.</param>
    /// <param name="Node">The node's name.</param>
    /// <param name="Fingerprint">The hash of the node's signature the caller must present.</param>
    /// <param name="Handler">Runs a call.</param>
    public sealed record DistributedNode(string Pipeline, string Node, string Fingerprint, DistributedNodeHandler Handler);

    /// <summary>The distributed nodes of one pipeline. The generator writes one per pipeline with distributed nodes.</summary>
    public interface IDistributedNodeTable
    {
        /// <summary>The pipeline's distributed nodes.</summary>
        IReadOnlyList<DistributedNode> Nodes { get; }
    }

    /// <summary>
    /// Points at a generated <see cref="IDistributedNodeTable"/> of this assembly: the only way a worker finds the nodes it
    /// may run. Written by the generator.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class DistributedNodeTableAttribute : Attribute
    {
        /// <summary>Names the table.</summary>
        /// <param name="table">A generated type implementing <see cref="IDistributedNodeTable"/> with a public parameterless constructor.</param>
        public DistributedNodeTableAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type table) =>
            Table = table;

        /// <summary>The table's type.</summary>
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
        public Type Table { get; }
    }

    /// <summary>What a worker's call of a distributed node came to: the output, or the node's own failure as text.</summary>
    /// <param name="Value">The output as JSON when the node succeeded, else null.</param>
    /// <param name="ErrorType">The full name of the exception's type when it failed, else null.</param>
    /// <param name="ErrorMessage">Its message.</param>
    /// <param name="ErrorStackTrace">Its stack trace.</param>
    public sealed record DistributedOutcome(byte[]? Value, string? ErrorType, string? ErrorMessage, string? ErrorStackTrace)
    {
        /// <summary>Whether the node succeeded.</summary>
        public bool Succeeded => ErrorType is null;
    }

    /// <summary>
    /// The distributed nodes a worker may run: those of the generated tables its assemblies point at
    /// (<see cref="DistributedNodeTableAttribute"/>). A call names a pipeline and a node; anything else is refused. Arguments
    /// are read only into the node's declared types.
    /// </summary>
    public sealed class DistributedNodeRegistry
    {
        private readonly Dictionary<(string Pipeline, string Node), DistributedNode> _nodes = new();

        /// <summary>A registry of the given tables' nodes.</summary>
        /// <param name="tables">Generated tables.</param>
        public DistributedNodeRegistry(IEnumerable<IDistributedNodeTable> tables)
        {
            ArgumentNullException.ThrowIfNull(tables);
            foreach (IDistributedNodeTable table in tables)
            {
                foreach (DistributedNode node in table.Nodes)
                {
                    _nodes[(node.Pipeline, node.Node)] = node;
                }
            }
        }

        /// <summary>Every node the registry knows, for diagnostics.</summary>
        public IEnumerable<DistributedNode> Nodes => _nodes.Values;

        /// <summary>The tables that <paramref name="assemblies"/> point at with <see cref="DistributedNodeTableAttribute"/>.</summary>
        /// <param name="assemblies">Assemblies compiled with Kiln's generator.</param>
        public static DistributedNodeRegistry FromAssemblies(IEnumerable<Assembly> assemblies)
        {
            ArgumentNullException.ThrowIfNull(assemblies);
            var tables = new List<IDistributedNodeTable>();
            var seen = new HashSet<Type>();
            foreach (Assembly assembly in assemblies)
            {
                foreach (DistributedNodeTableAttribute attribute in assembly.GetCustomAttributes<DistributedNodeTableAttribute>())
                {
                    if (seen.Add(attribute.Table) && Activator.CreateInstance(attribute.Table) is IDistributedNodeTable table)
                    {
                        tables.Add(table);
                    }
                }
            }

            return new DistributedNodeRegistry(tables);
        }

        /// <summary>
        /// The tables of every assembly loaded in this process when it is called. A pipeline assembly nothing has touched yet
        /// is not loaded: pass it to <see cref="FromAssemblies"/> instead.
        /// </summary>
        public static DistributedNodeRegistry FromLoadedAssemblies() => FromAssemblies(AppDomain.CurrentDomain.GetAssemblies());

        /// <summary>
        /// Runs one call: the node's own exception (a bad argument included) comes back as a failed outcome; cancellation of
        /// <paramref name="cancellationToken"/> is thrown as <see cref="OperationCanceledException"/>.
        /// </summary>
        /// <param name="pipeline">The pipeline's full name.</param>
        /// <param name="node">The node's name.</param>
        /// <param name="fingerprint">The caller's fingerprint of the node.</param>
        /// <param name="arguments">The arguments as a JSON array.</param>
        /// <param name="item">The item as JSON, or empty.</param>
        /// <param name="index">The item's index, or -1.</param>
        /// <param name="cancellationToken">The caller's cancellation.</param>
        public async ValueTask<DistributedOutcome> RunAsync(
            string pipeline, string node, string fingerprint, ReadOnlyMemory<byte> arguments, ReadOnlyMemory<byte> item, int index,
            CancellationToken cancellationToken)
        {
            if (!_nodes.TryGetValue((pipeline ?? string.Empty, node ?? string.Empty), out DistributedNode? found))
            {
                return Failed(typeof(InvalidOperationException).FullName!,
                    $"this worker hosts no distributed node '{node}' of pipeline '{pipeline}'; every worker must host the pipeline's assembly", null);
            }

            if (!string.Equals(found.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                return Failed(typeof(InvalidOperationException).FullName!,
                    $"this worker hosts another version of node '{node}' of pipeline '{pipeline}' (fingerprint {found.Fingerprint}, the caller's "
                        + $"{fingerprint}); deploy the same build everywhere", null);
            }

            try
            {
                byte[] value = await found.Handler(arguments, item, index, cancellationToken).ConfigureAwait(false);
                return new DistributedOutcome(value, null, null, null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                return Failed(e.GetType().FullName ?? e.GetType().Name, e.Message, e.StackTrace);
            }
        }

        private static DistributedOutcome Failed(string type, string message, string? stackTrace) => new(null, type, message, stackTrace);
    }
}
