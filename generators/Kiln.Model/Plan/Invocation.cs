namespace Kiln.Model
{
    /// <summary>Where the value of one argument of a node's call comes from.</summary>
    public enum ArgumentSource
    {
        /// <summary>A producer's whole value (a task reading a node's output).</summary>
        ProducerValue,
        /// <summary>One element of a producer's stream, at the kernel's index.</summary>
        StreamElement,
        /// <summary>A producer's whole stream, read at any index through <c>Gather&lt;T&gt;</c>.</summary>
        Gather,
        /// <summary>A producer's single value, the same for every element of a kernel.</summary>
        Uniform,
        /// <summary>A pipeline input.</summary>
        Input,
        /// <summary>The run's cancellation token.</summary>
        Token,
        /// <summary>A kernel's element index.</summary>
        Index,
        /// <summary>A reduction's accumulator.</summary>
        Accumulator,
        /// <summary>A stage's <c>PipeReader</c>: a producer's pipe, a task's bytes, or an input reader.</summary>
        PipeReader,
        /// <summary>A stage's own output <c>PipeWriter</c>.</summary>
        PipeWriter,
        /// <summary>A map's item: one element of a producer's collection per call (SPEC section 10).</summary>
        Item,
        /// <summary>
        /// A producer's value wrapped in <c>Optional&lt;T&gt;</c>, or <c>None</c> when the producer was skipped (SPEC section
        /// 10).
        /// </summary>
        OptionalValue,
        /// <summary>Nothing binds (an invalid pipeline); the writers never see it in a valid plan.</summary>
        None,
    }

    /// <summary>One argument of a node's call.</summary>
    /// <param name="Source">Where its value comes from.</param>
    /// <param name="Producer">The producing node (its value slot) for producer sources, else -1.</param>
    /// <param name="Name">The parameter's name, which is the input's name for <see cref="ArgumentSource.Input"/>.</param>
    /// <param name="Type">The parameter's type, fully qualified.</param>
    /// <param name="ProducerMaySkip">For <see cref="ArgumentSource.OptionalValue"/>: whether the producer can be skipped, so the
    /// call tests its skip flag.</param>
    public sealed record InvocationArgument(ArgumentSource Source, int Producer, string Name, string Type, bool ProducerMaySkip = false);

    /// <summary>
    /// How a node's call is wrapped (SPEC sections 10 to 12). Lowering fills in a <c>[When]</c> condition (the emitter
    /// gates the call on it, PipelineEmitter.Conditions.cs); <c>Retries</c>/<c>TimeoutMs</c> (run through Polly's
    /// <c>NodeAttempts</c>), a checkpoint through the run's store, and <c>Distributed</c> wrap the call where it is written.
    /// </summary>
    /// <param name="Retries">How many more attempts follow a failed one.</param>
    /// <param name="TimeoutMs">How long one attempt may take, or 0 for no limit.</param>
    /// <param name="Condition">The node whose <c>bool</c> value decides whether the call runs, or -1 to always run.</param>
    /// <param name="RunsWhen">The value of <paramref name="Condition"/> that lets the call run.</param>
    /// <param name="Checkpoint">Whether the value is read from and written to the run's store (a durable run).</param>
    /// <param name="Distributed">Whether the call may run on the cluster.</param>
    public sealed record NodePolicy(
        int Retries = 0, int TimeoutMs = 0, int Condition = -1, bool RunsWhen = true, bool Checkpoint = false, bool Distributed = false)
    {
        /// <summary>Call once, here, unconditionally, nothing stored.</summary>
        public static readonly NodePolicy None = new();
    }

    /// <summary>Everything needed to call one node's method, decided once for every writer.</summary>
    /// <param name="Node">The node.</param>
    /// <param name="Method">The method's name.</param>
    /// <param name="Kind">The node's kind.</param>
    /// <param name="Arguments">The arguments, in parameter order.</param>
    /// <param name="Shape">How the method returns: synchronous or awaited, with or without a value.</param>
    /// <param name="ReturnType">The method's return type, fully qualified (what a resume awaits).</param>
    /// <param name="Slot">The value slot the call's output goes to, or -1 when it has none.</param>
    /// <param name="Policy">Retries, condition and checkpoint.</param>
    /// <param name="Wrapped">
    /// For a map, or a task with <c>Retries</c>, <c>TimeoutMs</c> or <c>Distributed</c>: how the method itself is called, once
    /// per attempt (and per item). The unit then awaits the wrapper, so <paramref name="Shape"/> and <paramref name="ReturnType"/> are the wrapper's
    /// (a <c>ValueTask&lt;T&gt;</c>). Null for a plain call.
    /// </param>
    public sealed record Invocation(
        int Node,
        string Method,
        NodeKindSpec Kind,
        EquatableArray<InvocationArgument> Arguments,
        ReturnShape Shape,
        string ReturnType,
        int Slot,
        NodePolicy Policy,
        WrappedCall? Wrapped = null)
    {
        /// <summary>Whether the call returns a task to await.</summary>
        public bool IsAsync => Shape is ReturnShape.Task or ReturnShape.TaskOfT or ReturnShape.ValueTask or ReturnShape.ValueTaskOfT;

        /// <summary>Whether the call has an output.</summary>
        public bool HasOutput => Slot >= 0;
    }

    /// <summary>How a map's or a retried task's method is called inside its wrapper (SPEC section 10).</summary>
    /// <param name="MethodShape">How the method itself returns.</param>
    /// <param name="CallOutput">What one call yields, fully qualified: the method's output, or <c>bool</c> when it has none.</param>
    /// <param name="Items">For a map, the node whose collection it runs over, else -1.</param>
    /// <param name="ItemType">For a map, the collection's element type, fully qualified, else null.</param>
    /// <param name="MaxConcurrency">For a map, the most items that run at once.</param>
    public sealed record WrappedCall(ReturnShape MethodShape, string CallOutput, int Items, string? ItemType, int MaxConcurrency)
    {
        /// <summary>Whether it is a map's call, once per item.</summary>
        public bool IsMap => Items >= 0;
    }

    /// <summary>
    /// Where a node's value lives during a run, addressed by index, so a store or a remote host can read and write it
    /// without knowing the field.
    /// </summary>
    /// <param name="Index">The slot's index (the node's index).</param>
    /// <param name="Node">The node whose output it holds.</param>
    /// <param name="Type">The value's type, fully qualified.</param>
    /// <param name="DeviceResident">Whether the value may live only on a device until the host reads it (a kernel's stream).</param>
    public sealed record ValueSlot(int Index, int Node, string Type, bool DeviceResident);
}
