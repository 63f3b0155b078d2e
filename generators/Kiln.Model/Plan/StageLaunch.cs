namespace Kiln.Model
{
    /// <summary>Where a stage group's bytes come from.</summary>
    public enum StageSourceKind
    {
        /// <summary>Another member's output pipe.</summary>
        Pipe,
        /// <summary>A task's output (bytes, a stream, a reader) turned into a reader.</summary>
        Value,
        /// <summary>A pipeline input that is a <c>PipeReader</c>.</summary>
        Input,
    }

    /// <summary>One member's <c>PipeReader</c> parameter.</summary>
    /// <param name="Member">The stage.</param>
    /// <param name="Parameter">The parameter's position.</param>
    public sealed record StageReader(int Member, int Parameter);

    /// <summary>One source of bytes a stage group reads; several readers share it through a tee.</summary>
    /// <param name="Kind">What it is.</param>
    /// <param name="Producer">The node making it, or -1 for an input.</param>
    /// <param name="Input">The input's name, or empty.</param>
    /// <param name="Readers">Its readers, in member and parameter order.</param>
    public sealed record StageSource(StageSourceKind Kind, int Producer, string Input, EquatableArray<StageReader> Readers);

    /// <summary>How a group of stages joined by pipes starts: the pipes it creates and the sources its members read.</summary>
    /// <param name="Group">Index into <see cref="Schedule.StageGroups"/>.</param>
    /// <param name="Members">The stages, in topological order.</param>
    /// <param name="Writers">Members that write an output pipe: one pipe each.</param>
    /// <param name="Sources">Every source read, in order of first reader.</param>
    public sealed record StageLaunch(int Group, EquatableArray<int> Members, EquatableArray<int> Writers, EquatableArray<StageSource> Sources);
}
