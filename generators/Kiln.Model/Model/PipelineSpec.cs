using System.Linq;

namespace Kiln.Model
{
    /// <summary>What the generator and analyzers know of a <c>[Pipeline]</c> class: strings and numbers only.</summary>
    /// <param name="Name">The class name.</param>
    /// <param name="Namespace">The namespace, or null for the global one.</param>
    /// <param name="ContainingTypes">Declarations of enclosing types, outermost first (<c>partial class Outer</c>).</param>
    /// <param name="IsStatic">Whether the class is static.</param>
    /// <param name="IsPartial">Whether every declaration of the class (and of its enclosing types) is partial.</param>
    /// <param name="IsClass">Whether it is a class at all (a record class is not: it cannot take the generated <c>partial class</c>).</param>
    /// <param name="Nodes">Marked methods in declaration order.</param>
    /// <param name="TypeParameters">The class's own type parameter list (<c>&lt;T&gt;</c>), or empty.</param>
    /// <param name="ReservedMembers">Names of members the user declared in the class that the generator also needs
    /// (<see cref="GeneratedSignature.ReservedMemberNames"/>), in declaration order, each once.</param>
    /// <param name="Durable">Whether the class is <c>[Pipeline(Durable = true)]</c>.</param>
    /// <param name="JsonTypes">For a durable pipeline, every type its JSON context describes: inputs, node outputs and what they
    /// reach.</param>
    /// <param name="JsonProblems">For a durable pipeline, the inputs and outputs it cannot store (KILN016).</param>
    /// <param name="DistributedHostProblem">Why the class cannot host the generated table of distributed nodes (it or a
    /// type around it is private, generic or file-local), or null when it can. Its nodes marked <c>Distributed = true</c>
    /// then run in the process (KILN020).</param>
    public sealed record PipelineSpec(
        string Name,
        string? Namespace,
        EquatableArray<string> ContainingTypes,
        bool IsStatic,
        bool IsPartial,
        bool IsClass,
        EquatableArray<NodeSpec> Nodes,
        string TypeParameters = "",
        EquatableArray<string> ReservedMembers = default,
        bool Durable = false,
        EquatableArray<JsonTypeSpec> JsonTypes = default,
        EquatableArray<JsonProblem> JsonProblems = default,
        string? DistributedHostProblem = null)
    {
        public string FullName => Namespace is null ? Name : Namespace + "." + Name;

        /// <summary>Whether any node runs on the cluster when one is set (SPEC section 12).</summary>
        public bool HasDistributed => Nodes.Any(n => n.Distributed);
    }

    /// <summary>The kind of node, mirroring <c>Kiln.NodeKind</c>.</summary>
    public enum NodeKindSpec
    {
        Task,
        Kernel,
        Reduce,
        Stage,
        /// <summary>A task run once per element of a collection (SPEC section 10).</summary>
        Map,
    }

    /// <summary>How a node method returns.</summary>
    public enum ReturnShape
    {
        /// <summary>A plain value: the output.</summary>
        Value,
        /// <summary><c>void</c>: no output.</summary>
        Void,
        /// <summary><c>Task</c>: asynchronous, no output.</summary>
        Task,
        /// <summary><c>Task&lt;T&gt;</c>: asynchronous with an output.</summary>
        TaskOfT,
        /// <summary><c>ValueTask</c>: asynchronous, no output.</summary>
        ValueTask,
        /// <summary><c>ValueTask&lt;T&gt;</c>: asynchronous with an output.</summary>
        ValueTaskOfT,
    }

    /// <param name="Name">The method name.</param>
    /// <param name="Kind">The first kind attribute found.</param>
    /// <param name="KindCount">How many kind attributes the method has (more than one is KILN012).</param>
    /// <param name="Cost">The <c>Cost</c> of <c>[Task]</c>, at least 1.</param>
    /// <param name="IsStatic">Whether the method is static.</param>
    /// <param name="IsGeneric">Whether the method has type parameters.</param>
    /// <param name="IsOutput">Whether it is marked <c>[Output]</c>.</param>
    /// <param name="ReturnType">The return type, fully qualified.</param>
    /// <param name="Shape">How it returns.</param>
    /// <param name="OutputType">The output type fully qualified, or null.</param>
    /// <param name="OutputDisplay">The output type as C# displays it briefly, or null.</param>
    /// <param name="After">Names given in <c>[After]</c>, in order; null entries are arguments that are not constants.</param>
    /// <param name="Parameters">The parameters.</param>
    /// <param name="ElementType">For kernels and reductions, the scalar element type, fully qualified.</param>
    /// <param name="Identity">For reductions, <c>[Reduce(Identity = ...)]</c>.</param>
    /// <param name="SignatureProblems">Kernel or reduction signature problems found by discovery.</param>
    /// <param name="Program">For a kernel or reduction whose body is in the kernel subset, its IR and its helpers'.</param>
    /// <param name="OutputUse">How the output type may appear in generated members.</param>
    /// <param name="Retries"><c>[Task(Retries = ...)]</c> or <c>[Map(Retries = ...)]</c>: more attempts after a failed one.</param>
    /// <param name="TimeoutMs"><c>TimeoutMs</c> of <c>[Task]</c> or <c>[Map]</c>: the limit of one attempt, 0 for none.</param>
    /// <param name="MaxConcurrency">For a map, the most items that run at once (at least 1).</param>
    /// <param name="Kinds">Every kind attribute of the method, in order (KILN012, KILN015).</param>
    /// <param name="ItemOutputType">For a map, what one item's call returns (the element of <see cref="OutputType"/>), or null.</param>
    /// <param name="Condition">The node's <c>[When]</c>, or null when it runs unconditionally.</param>
    /// <param name="Distributed">Whether the task or map is <c>Distributed = true</c> and its pipeline class can host the
    /// generated table of distributed nodes (not generic, reachable from the assembly); it then runs on the run's cluster
    /// when one is set (SPEC section 12).</param>
    /// <param name="DistributedHere">Whether the task or map is <c>Distributed = true</c> but runs in this process, because its
    /// pipeline class cannot host the table of distributed nodes (KILN020).</param>
    public sealed record NodeSpec(
        string Name,
        NodeKindSpec Kind,
        int KindCount,
        int Cost,
        bool IsStatic,
        bool IsGeneric,
        bool IsOutput,
        string ReturnType,
        ReturnShape Shape,
        string? OutputType,
        string? OutputDisplay,
        EquatableArray<AfterSpec> After,
        EquatableArray<ParameterSpec> Parameters,
        string? ElementType = null,
        double Identity = 0,
        EquatableArray<SignatureProblem> SignatureProblems = default,
        KernelProgram? Program = null,
        TypeUse OutputUse = TypeUse.Public,
        int Retries = 0,
        int TimeoutMs = 0,
        int MaxConcurrency = 16,
        EquatableArray<NodeKindSpec> Kinds = default,
        string? ItemOutputType = null,
        ConditionSpec? Condition = null,
        bool Distributed = false,
        bool DistributedHere = false)
    {
        public bool HasOutput => OutputType is not null;

        public bool IsAsync => Shape is ReturnShape.Task or ReturnShape.TaskOfT or ReturnShape.ValueTask or ReturnShape.ValueTaskOfT;
    }

    /// <summary>A node's <c>[When(nameof(Cond), value)]</c> (SPEC section 10).</summary>
    /// <param name="Name">The condition's name, or null when the argument is not a constant string.</param>
    /// <param name="RunsWhen">The condition's value that lets the node run.</param>
    /// <param name="Node">The condition node's index (by exact name), or -1 when no node has that name.</param>
    public sealed record ConditionSpec(string? Name, bool RunsWhen, int Node)
    {
        /// <summary>How the graph shows it: <c>"Cond"</c> or <c>"!Cond"</c>.</summary>
        public string Display => (RunsWhen ? string.Empty : "!") + Name;
    }

    /// <summary>One name in an <c>[After]</c> attribute.</summary>
    /// <param name="Name">The name, or null when the argument is not a constant string.</param>
    /// <param name="Attribute">Which <c>[After]</c> attribute of the method, counting from 0.</param>
    /// <param name="Argument">Which argument of that attribute.</param>
    public sealed record AfterSpec(string? Name, int Attribute, int Argument);

    /// <summary>How a parameter would bind, as far as the method's own symbols tell.</summary>
    public enum ParameterRole
    {
        /// <summary>Bound to the output of <see cref="ParameterSpec.Producer"/>.</summary>
        Node,
        /// <summary>A <c>CancellationToken</c>: receives the run's token.</summary>
        Cancellation,
        /// <summary>A pipeline input.</summary>
        Input,
        /// <summary><c>[From]</c> names no node of the pipeline.</summary>
        UnknownProducer,
        /// <summary>A kernel's or map's <c>[Index] int</c>: receives the element's (the item's) index.</summary>
        Index,
        /// <summary>A reduction's first parameter: the accumulator.</summary>
        Accumulator,
        /// <summary>A stage's <c>PipeWriter</c>: the stage's own output pipe.</summary>
        PipeOutput,
    }

    /// <summary>A problem with a kernel's or reduction's signature (KILN009/KILN010).</summary>
    /// <param name="Parameter">The parameter concerned, or -1 for the method.</param>
    /// <param name="Message">What is wrong, for the message.</param>
    public sealed record SignatureProblem(int Parameter, string Message);

    /// <param name="Name">The parameter name, without <c>@</c>.</param>
    /// <param name="Type">The type, fully qualified with nullable annotations.</param>
    /// <param name="TypeKey">The type fully qualified without nullable annotations, for comparisons.</param>
    /// <param name="TypeDisplay">The type as C# displays it briefly.</param>
    /// <param name="IsByRef">Whether it is ref, out or in.</param>
    /// <param name="IsIndex">Whether it is marked <c>[Index]</c>.</param>
    /// <param name="Role">How it binds.</param>
    /// <param name="From">The <c>[From]</c> argument, if any.</param>
    /// <param name="Producer">The producing node's index for <see cref="ParameterRole.Node"/>, else -1.</param>
    /// <param name="ConvertsFromProducer">
    /// Whether the producer's output fits this parameter: converts implicitly for a task; for a kernel, is a stream of the
    /// parameter's type or the same scalar.
    /// </param>
    /// <param name="IsScalar">Whether the type is a kernel scalar (float, double, integers, bool).</param>
    /// <param name="IsGather">Whether the type is <c>Kiln.Gather&lt;T&gt;</c>.</param>
    /// <param name="ProducerIsStream">Whether the producer outputs an array of this parameter's element type: an element stream.</param>
    /// <param name="Use">How the type may appear in generated members (for an input: in <c>RunAsync</c>).</param>
    /// <param name="ItemType">For a map's parameter bound to a node producing a collection of this parameter's type
    /// (<c>T[]</c> or an <c>IReadOnlyList&lt;T&gt;</c>): the element type as the producer declares it, fully qualified; it
    /// receives one element per call. Null otherwise.</param>
    /// <param name="IsOptional">
    /// Whether the type is <c>Kiln.Optional&lt;T&gt;</c> bound to a node: it receives <c>None</c> when that node is skipped, and
    /// <see cref="ConvertsFromProducer"/> compares the producer's output with <c>T</c>.
    /// </param>
    public sealed record ParameterSpec(
        string Name,
        string Type,
        string TypeKey,
        string TypeDisplay,
        bool IsByRef,
        bool IsIndex,
        ParameterRole Role,
        string? From,
        int Producer,
        bool ConvertsFromProducer,
        bool IsScalar = false,
        bool IsGather = false,
        bool ProducerIsStream = false,
        TypeUse Use = TypeUse.Public,
        string? ItemType = null,
        bool IsOptional = false)
    {
        /// <summary>Whether a map's call receives one element of the producer's collection here.</summary>
        public bool IsItem => ItemType is not null;
    }
}
