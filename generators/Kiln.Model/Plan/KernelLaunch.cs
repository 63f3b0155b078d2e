namespace Kiln.Model
{
    /// <summary>What one argument of a device kernel carries.</summary>
    public enum LaunchArgumentKind
    {
        /// <summary>A stream read element by element, made outside the block.</summary>
        Stream,
        /// <summary>A whole stream read through <c>Gather&lt;T&gt;</c>, with its length.</summary>
        Gather,
        /// <summary>A pipeline input, the same for every element.</summary>
        Input,
        /// <summary>A node's single value, the same for every element.</summary>
        Uniform,
        /// <summary>A kernel's output stream, written by the block.</summary>
        Output,
        /// <summary>A reduction's per-work-group partials.</summary>
        Partials,
    }

    /// <summary>One argument of a device kernel, in the kernel's parameter order.</summary>
    /// <param name="Kind">What it carries.</param>
    /// <param name="Node">The node whose value or stream it is, or -1 for an input.</param>
    /// <param name="Input">The input's name, or empty.</param>
    /// <param name="Type">The scalar element type.</param>
    public sealed record LaunchArgument(LaunchArgumentKind Kind, int Node, string Input, ScalarType Type);

    /// <summary>
    /// One loop (CPU) or one kernel (device) over a group's elements: the whole fused group, or one member alone
    /// when fusion is off.
    /// </summary>
    /// <param name="Members">The nodes it calls per element, in topological order.</param>
    /// <param name="Fused">Members whose element stays in a local of the loop, read by later members without memory.</param>
    /// <param name="Written">Members whose stream or partials the block writes to memory.</param>
    /// <param name="Arguments">The device kernel's arguments (empty when the group has no device code).</param>
    public sealed record KernelBlock(
        EquatableArray<int> Members,
        EquatableArray<int> Fused,
        EquatableArray<int> Written,
        EquatableArray<LaunchArgument> Arguments);

    /// <summary>One stream whose length must equal the group's: a member's parameter reading it from outside the group.</summary>
    /// <param name="Member">The member reading it.</param>
    /// <param name="Parameter">The parameter's name.</param>
    /// <param name="Producer">The node making the stream.</param>
    public sealed record LengthCheck(int Member, string Parameter, int Producer);

    /// <summary>How a fusion group runs: its blocks, where its length comes from, and what its device launch needs.</summary>
    /// <param name="Group">Index into <see cref="Schedule.FusionGroups"/>.</param>
    /// <param name="Name">The group's name.</param>
    /// <param name="Whole">The fused block.</param>
    /// <param name="Alone">One block per member, for <c>Fusion = false</c>.</param>
    /// <param name="Lengths">
    /// The streams read from outside: the first gives the length, the rest are checked against it; when empty,
    /// <see cref="LengthFrom"/> gives it.
    /// </param>
    /// <param name="LengthFrom">The node whose stream gives the length (the first external stream, or the first gathered one).</param>
    /// <param name="HasDeviceCode">Whether every member has IR a device writer can translate.</param>
    /// <param name="UsesDouble">Whether the device code uses double precision.</param>
    /// <param name="MayFault">Whether some device operation may fault where C# throws (integer division, <c>Math.Abs</c>).</param>
    /// <param name="ReadOnHost">
    /// Residency: kernel members whose stream is copied back to the host after a device launch; the rest stay on the
    /// device.
    /// </param>
    public sealed record KernelLaunch(
        int Group,
        string Name,
        KernelBlock Whole,
        EquatableArray<KernelBlock> Alone,
        EquatableArray<LengthCheck> Lengths,
        int LengthFrom,
        bool HasDeviceCode,
        bool UsesDouble,
        bool MayFault,
        EquatableArray<int> ReadOnHost)
    {
        /// <summary>The group's members.</summary>
        public EquatableArray<int> Members => Whole.Members;
    }
}
