using Microsoft.CodeAnalysis;

namespace Kiln.Model
{
    /// <summary>Every Kiln diagnostic, in one place. Message arguments follow <see cref="ModelDiagnostic.Arguments"/>.</summary>
    public static class DiagnosticDescriptors
    {
        private const string Pipeline = "Kiln.Pipeline";
        private const string Kernel = "Kiln.Kernel";

        // No helpLinkUri: a link must lead where the page really is, and Kiln has no public home for
        // docs/diagnostics/KILNxxx.md yet (see docs/design.md, "Analyzers and code fixes"). Set one here once it has.
        private const string? HelpLink = null;

        public static readonly DiagnosticDescriptor Cycle = Error(
            DiagnosticIds.Cycle, Pipeline, "Dependency cycle",
            "Pipeline '{1}' has a dependency cycle: {0}",
            "Nodes depend on each other in a circle, so none of them can run first.");

        public static readonly DiagnosticDescriptor NotStaticPartial = Error(
            DiagnosticIds.NotStaticPartial, Pipeline, "A pipeline must be a static partial class",
            "Pipeline '{0}' must be a static partial class",
            "The generator adds RunAsync and Graph to the class, which needs it to be static, partial and not generic (and every enclosing type partial).");

        public static readonly DiagnosticDescriptor InvalidNodeMethod = Error(
            DiagnosticIds.InvalidNodeMethod, Pipeline, "A node must be a static, non-generic method",
            "Node '{0}' {1}; a node must be a static, non-generic method",
            "Nodes are called without an instance and with types fixed at build time.");

        public static readonly DiagnosticDescriptor TypeMismatch = Error(
            DiagnosticIds.TypeMismatch, Pipeline, "Parameter type does not match the producer's output",
            "Parameter '{0}' of '{1}' is '{2}', but it binds to '{3}', whose output is '{4}'",
            "A parameter bound to a node receives that node's output, so its type must accept it.");

        public static readonly DiagnosticDescriptor InputTypeConflict = Error(
            DiagnosticIds.InputTypeConflict, Pipeline, "One pipeline input with two types",
            "Pipeline input '{0}' is '{1}' here but '{2}' where it first appears",
            "Every parameter with an input's name is the same input of RunAsync, so their types must agree.");

        public static readonly DiagnosticDescriptor UnknownNode = Error(
            DiagnosticIds.UnknownNode, Pipeline, "[From], [After] or [When] names no node",
            "'{0}' is not a node of pipeline '{1}'{2}",
            "[From], [After] and [When] must name a node of the same pipeline; use nameof.");

        public static readonly DiagnosticDescriptor NoOutput = Error(
            DiagnosticIds.NoOutput, Pipeline, "Parameter binds to a node without output",
            "Parameter '{0}' binds to '{1}', which has no output; use [After(nameof({1}))] on '{2}' to order it without data",
            "void, Task and ValueTask nodes produce no value to pass.");

        public static readonly DiagnosticDescriptor DuplicateNode = Error(
            DiagnosticIds.DuplicateNode, Pipeline, "Two nodes with one name",
            "Pipeline '{1}' has more than one node named '{0}'",
            "A node's name is its method name, so overloads would be ambiguous.");

        public static readonly DiagnosticDescriptor InvalidKernel = Error(
            DiagnosticIds.InvalidKernel, Kernel, "Invalid kernel signature",
            "Kernel '{0}': {1}",
            "A kernel is a synchronous static method over scalars returning one scalar.");

        public static readonly DiagnosticDescriptor InvalidReduction = Error(
            DiagnosticIds.InvalidReduction, Kernel, "Invalid reduction signature",
            "Reduction '{0}': {1}",
            "A reduction is a static method T R(T acc, T x) over a scalar T.");

        public static readonly DiagnosticDescriptor InvalidStage = Error(
            DiagnosticIds.InvalidStage, Pipeline, "Invalid stage signature",
            "Stage '{0}': {1}",
            "A stage is an async method over PipeReader parameters and an optional PipeWriter named output.");

        public static readonly DiagnosticDescriptor SeveralKinds = Error(
            DiagnosticIds.SeveralKinds, Pipeline, "One method marked as two kinds of node",
            "Method '{0}' is marked as more than one kind of node; keep one of [Task], [Map], [Kernel], [Reduce], [Stage]",
            "A node has exactly one kind.");

        public static readonly DiagnosticDescriptor ConditionNotBool = Error(
            DiagnosticIds.ConditionNotBool, Pipeline, "[When] names a node that does not return bool",
            "'{0}' runs when '{1}' returns {2}, but the output of '{1}' is {3}; a condition must return bool",
            "A [When] condition is a node of the pipeline whose output is bool: the node runs only when it returns the given value.");

        public static readonly DiagnosticDescriptor InvalidMap = Error(
            DiagnosticIds.InvalidMap, Pipeline, "A [Map] needs exactly one collection-to-item parameter",
            "Map '{0}' {1}",
            "A [Map] runs once per element of a collection: exactly one parameter of type T binds to a node producing T[] or an "
                + "IReadOnlyList<T>, and an [Index] parameter is an int.");

        public static readonly DiagnosticDescriptor NotTaskOrMap = Error(
            DiagnosticIds.NotTaskOrMap, Pipeline, "[When] or [Map] on a kernel, reduction or stage",
            "'{0}' on {1} '{2}': only tasks and maps can be conditional or mapped",
            "Kernels and reductions run element-wise in fused loops or device launches, and stages run joined by pipes; none of them can be skipped "
                + "alone or run once per item. Put [When] or [Map] on a task that calls the code instead. A method with [Map] and [Kernel], [Reduce] or "
                + "[Stage] is reported as KILN015 rather than KILN012.");

        public static readonly DiagnosticDescriptor NotSerializable = Error(
            DiagnosticIds.NotSerializable, Pipeline, "A durable pipeline or a distributed node cannot serialize this type",
            "{0} of '{1}' is '{2}', which {3}: {4}",
            "A durable run writes every input and node output to its store with System.Text.Json, through metadata the generator writes at build "
                + "time, and reads them back when it resumes; a distributed node's arguments and output travel between machines the same way. Each type "
                + "must be one System.Text.Json can write and read back as it was.");

        public static readonly DiagnosticDescriptor ReservedName = Error(
            DiagnosticIds.ReservedName, Pipeline, "Name taken by a generated member",
            "'{0}' in pipeline '{1}' has a name the generator needs: {2}; rename it",
            "The generator adds RunAsync, Graph, the run class __KilnRun and, for several sinks, the Result record to the pipeline class; a member, the "
                + "class or a sink with one of their names would collide with them.");

        public static readonly DiagnosticDescriptor PrivateSignatureType = Error(
            DiagnosticIds.PrivateSignatureType, Pipeline, "RunAsync would expose a private type",
            "RunAsync of pipeline '{0}' cannot be public or internal: {1} '{2}', which is private or protected; make that type internal or public",
            "RunAsync takes the pipeline's inputs and returns its sinks' outputs, so their types must be at least internal. Internal types make "
                + "RunAsync internal; private and protected ones would hide it.");

        public static readonly DiagnosticDescriptor UnholdableType = Error(
            DiagnosticIds.UnholdableType, Pipeline, "A pipeline cannot hold this type",
            "{0} is '{1}', which a pipeline cannot hold between nodes; use an array, a class or a struct that is not a ref struct",
            "A pipeline keeps every input and output in fields of its run until the nodes that read it have run, and passes them as type arguments of "
                + "Task; pointers and ref structs (Span<T>, ...) can be neither.");

        public static readonly DiagnosticDescriptor DistributedRunsHere = new(
            DiagnosticIds.DistributedRunsHere, "A distributed node that runs in this process",
            "'{0}' is Distributed, but pipeline '{1}' cannot list its distributed nodes for the cluster's workers: {2}; the node runs in "
                + "this process. Make the pipeline and the types that contain it public or internal, and not generic.",
            Pipeline, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "A worker finds a pipeline's distributed nodes through an assembly attribute naming a table the generator writes inside "
                + "the pipeline class. An assembly attribute can name only a type reachable from the assembly's top level that is not an open "
                + "generic type, so in any other pipeline Distributed = true has no effect and the node runs where the run runs.",
            helpLinkUri: HelpLink);

        public static readonly DiagnosticDescriptor KernelAllocation = Error(
            DiagnosticIds.KernelAllocation, Kernel, "Allocation in a kernel",
            "Kernel code cannot allocate or use reference-type objects: {0}",
            "Kernels run on devices without a managed heap.");

        public static readonly DiagnosticDescriptor KernelException = Error(
            DiagnosticIds.KernelException, Kernel, "Exceptions in a kernel",
            "Kernel code cannot throw or catch exceptions: {0}",
            "Devices have no exception handling.");

        public static readonly DiagnosticDescriptor KernelUnknownCall = Error(
            DiagnosticIds.KernelUnknownCall, Kernel, "Call without a device counterpart",
            "'{0}' has no device counterpart and no source in this compilation",
            "Kernels may call Math/MathF functions Kiln maps and static methods whose source it can translate.");

        public static readonly DiagnosticDescriptor KernelUnsupported = Error(
            DiagnosticIds.KernelUnsupported, Kernel, "Construct kernels cannot run",
            "Kernel code cannot use {0}",
            "Kernels are a C# subset: locals, arithmetic, comparisons, ?:, if, for, while, return, constants and calls.");

        public static readonly DiagnosticDescriptor KernelRecursion = Error(
            DiagnosticIds.KernelRecursion, Kernel, "Recursion in a kernel",
            "The call to '{0}' makes kernel code recursive: {1}",
            "Device code has no call stack to recurse on.");

        public static readonly DiagnosticDescriptor KernelType = Error(
            DiagnosticIds.KernelType, Kernel, "Type kernels cannot use",
            "Kernel code cannot use type '{0}'",
            "Kernels work on float, double, integer and bool scalars.");

        public static readonly DiagnosticDescriptor KernelStaticField = Error(
            DiagnosticIds.KernelStaticField, Kernel, "Static field in a kernel",
            "Kernel code cannot read or write static field '{0}'; use a constant or a uniform input",
            "Devices cannot see the host's static fields.");

        public static readonly DiagnosticDescriptor FusionGroup = new(
            DiagnosticIds.FusionGroup, "Fusion group", "Fusion group '{0}' runs {1} as one loop or launch",
            Kernel, DiagnosticSeverity.Info, isEnabledByDefault: true,
            description: "Kernels and reductions connected element-wise over streams of one length are fused.",
            helpLinkUri: HelpLink);

        private static DiagnosticDescriptor Error(string id, string category, string title, string message, string description) =>
            new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, description, HelpLink);
    }
}
