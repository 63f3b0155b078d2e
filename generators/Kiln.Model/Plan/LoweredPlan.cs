namespace Kiln.Model
{
    /// <summary>
    /// The backend-neutral plan every code writer reads: the schedule, one invocation per node, one value slot per
    /// output and one launch per fusion group. Writers turn it into text; none of them derives anything from the spec
    /// again. For a pipeline with build errors only <see cref="Pipeline"/> is filled.
    /// </summary>
    /// <param name="Pipeline">The compiled pipeline: spec, binding, schedule and problems.</param>
    /// <param name="Invocations">Per node, how it is called.</param>
    /// <param name="Slots">Per node, where its value lives (<see cref="ValueSlot.Index"/> equals the node's index), or null for a node without output.</param>
    /// <param name="Launches">Per fusion group, how it runs.</param>
    /// <param name="Stages">Per stage group, how it starts.</param>
    /// <param name="UsesCancellation">Whether the run needs a token of its own: some node takes one, or stages run (their pipe ends take it).</param>
    /// <param name="Skippable">Per node, whether a run can skip it (<see cref="SkipAnalysis"/>); empty for a pipeline with build errors.</param>
    public sealed record LoweredPlan(
        CompiledPipeline Pipeline,
        EquatableArray<Invocation> Invocations,
        EquatableArray<ValueSlot?> Slots,
        EquatableArray<KernelLaunch> Launches,
        EquatableArray<StageLaunch> Stages,
        bool UsesCancellation,
        EquatableArray<bool> Skippable = default)
    {
        /// <summary>The discovered pipeline.</summary>
        public PipelineSpec Spec => Pipeline.Spec;

        /// <summary>The schedule; not null when <see cref="IsValid"/>.</summary>
        public Schedule? Schedule => Pipeline.Schedule;

        /// <summary>Whether the pipeline has no build errors, so it has a plan to run.</summary>
        public bool IsValid => Pipeline.IsValid;
    }
}
