using System;

namespace Kiln
{
    /// <summary>
    /// Marks a <c>static partial class</c> as a pipeline. Kiln's source generator turns its marked methods into a
    /// static graph and adds <c>RunAsync</c> and <c>Graph</c> to the class.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class PipelineAttribute : Attribute
    {
        /// <summary>
        /// Makes the pipeline durable (SPEC section 11): every input and node output must be serializable with
        /// System.Text.Json, and the generator writes their metadata at build time (no reflection), reporting KILN016 at
        /// any type it cannot store.
        /// </summary>
        public bool Durable { get; set; }
    }

    /// <summary>Marks a static method as a task: coarse work, synchronous or asynchronous, run once per pipeline run.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public class TaskAttribute : Attribute
    {
        /// <summary>Relative weight of the task for scheduling and the critical path. Defaults to 1.</summary>
        public int Cost { get; set; } = 1;

        /// <summary>
        /// How many more attempts follow a failed one (default 0), with exponential backoff and jitter from
        /// <see cref="KilnOptions.RetryDelay"/>. Cancellation of the run is never retried.
        /// </summary>
        public int Retries { get; set; }

        /// <summary>
        /// How long one attempt may take, in milliseconds (default 0: no limit). When it is up, the attempt's
        /// <see cref="System.Threading.CancellationToken"/> is cancelled and the attempt, once it ends, counts as failed with
        /// <see cref="TimeoutException"/>: timeouts are cooperative, and Kiln never abandons a running node.
        /// </summary>
        public int TimeoutMs { get; set; }

        /// <summary>Runs the node on the run's cluster when one is set (SPEC section 12), and here when not.</summary>
        public bool Distributed { get; set; }
    }

    /// <summary>
    /// Marks a static method as a map: a task run once per element of a collection. Exactly one parameter of type
    /// <c>T</c> binds to a node producing <c>T[]</c> or an <c>IReadOnlyList&lt;T&gt;</c>; an <c>[Index] int</c> parameter
    /// receives the element's index. Consumers see the outputs as an array in item order.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class MapAttribute : TaskAttribute
    {
        /// <summary>The most items that run at once (asynchronous items awaiting I/O hold no thread). Defaults to 16.</summary>
        public int MaxConcurrency { get; set; } = 16;
    }

    /// <summary>
    /// Runs a task or map only when the <c>bool</c> node <see cref="Node"/> returned <see cref="Value"/>; otherwise the
    /// node is skipped, and so is every node that needs its value (an <see cref="Optional{T}"/> parameter receives
    /// <see cref="Optional{T}.None"/> instead).
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class WhenAttribute : Attribute
    {
        /// <summary>Runs the node only when <paramref name="node"/> returns <paramref name="value"/>.</summary>
        /// <param name="node">The condition: a node of the same pipeline returning <c>bool</c>; use <c>nameof</c>.</param>
        /// <param name="value">The value that lets the node run. Defaults to true.</param>
        public WhenAttribute(string node, bool value = true)
        {
            Node = node;
            Value = value;
        }

        /// <summary>The condition node's name.</summary>
        public string Node { get; }

        /// <summary>The value of the condition that lets the node run.</summary>
        public bool Value { get; }
    }

    /// <summary>Marks a static method over scalars as a data-parallel kernel, run once per element of its input streams.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class KernelAttribute : Attribute
    {
    }

    /// <summary>
    /// Marks a static method <c>T R(T acc, T x)</c> as an associative and commutative combiner that folds a stream into one value.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class ReduceAttribute : Attribute
    {
        /// <summary>The identity of the combine (the result for an empty stream). Defaults to 0.</summary>
        public double Identity { get; set; }
    }

    /// <summary>Marks a static async method over <c>PipeReader</c>/<c>PipeWriter</c> as a streaming byte stage.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class StageAttribute : Attribute
    {
    }

    /// <summary>Binds a parameter to the output of the named node, whatever the parameter's name.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class FromAttribute : Attribute
    {
        /// <summary>Binds the parameter to the output of <paramref name="node"/>.</summary>
        /// <param name="node">The producing node's name; use <c>nameof</c>.</param>
        public FromAttribute(string node) => Node = node;

        /// <summary>The producing node's name.</summary>
        public string Node { get; }
    }

    /// <summary>Orders a node after other nodes without passing data.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = true)]
    public sealed class AfterAttribute : Attribute
    {
        /// <summary>Runs the node after each of <paramref name="nodes"/>.</summary>
        /// <param name="nodes">Names of nodes of the same pipeline; use <c>nameof</c>.</param>
        public AfterAttribute(params string[] nodes) => Nodes = nodes ?? Array.Empty<string>();

        /// <summary>The nodes that must finish first.</summary>
        public string[] Nodes { get; }
    }

    /// <summary>Makes a node's output part of the run's result even when other nodes consume it.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class OutputAttribute : Attribute
    {
    }

    /// <summary>Marks an <c>int</c> kernel parameter that receives the element index.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class IndexAttribute : Attribute
    {
    }
}
