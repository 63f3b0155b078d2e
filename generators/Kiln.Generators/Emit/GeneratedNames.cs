namespace Kiln.Generators.Emit
{
    /// <summary>
    /// Every name the writers give a generated member or local, in one place, so two writers never disagree on a
    /// field's name. The writers import it with <c>using static</c>.
    /// </summary>
    internal static class GeneratedNames
    {
        /// <summary>The nested class that holds a run's values and executes the schedule.</summary>
        public const string Run = "__KilnRun";

        /// <summary>The field holding pipeline input <paramref name="name"/>.</summary>
        public static string InputField(string name) => "__in_" + name;

        /// <summary>The field of value slot <paramref name="slot"/>: a node's output.</summary>
        public static string NodeField(int slot) => "__v" + slot;

        /// <summary>
        /// The local of a unit segment holding slot <paramref name="slot"/> when only later tasks of that segment read it
        /// (PipelineEmitter.Units.cs, <c>SegmentLocals</c>).
        /// </summary>
        public static string SegmentLocal(int slot) => "__l" + slot;

        /// <summary>The field saying the run skipped node <paramref name="node"/> (only skippable nodes have one).</summary>
        public static string SkipField(int node) => "__s" + node;

        /// <summary>The field holding a kernel's length (its stream may live only on the device).</summary>
        public static string LengthField(int node) => "__n" + node;

        /// <summary>The field holding a reduction's per-block partials.</summary>
        public static string PartialsField(int node) => "__p" + node;

        /// <summary>A unit's segment starting at <paramref name="start"/>; the first is the unit's entry point.</summary>
        public static string SegmentName(int unit, int start) => start == 0 ? $"Unit{unit}" : $"Unit{unit}At{start}";

        /// <summary>The variant of a segment that reports each node to the run's observer (PipelineEmitter.Units.cs).</summary>
        public static string ObservedSegmentName(int unit, int start) => SegmentName(unit, start) + "Observed";

        /// <summary>The dispatch method of the units from <paramref name="start"/> on, when there are too many for one switch.</summary>
        public static string DispatchName(int start) => $"ExecuteUnits{start}";

        /// <summary>The method that awaits the vertex at <paramref name="position"/> of a unit and runs the rest of its segment.</summary>
        public static string ResumeName(int unit, int position) => $"Unit{unit}From{position}";

        /// <summary>The method running fusion group <paramref name="group"/>.</summary>
        public static string GroupMethod(int group) => $"Group{group}";

        /// <summary>The CPU block of the whole fusion group.</summary>
        public static string GroupBlock(int group) => $"Group{group}Block";

        /// <summary>The CPU block of one member alone (fusion off).</summary>
        public static string MemberBlock(int member) => $"Member{member}Block";

        /// <summary>The method launching fusion group <paramref name="group"/> on a device.</summary>
        public static string GroupDeviceMethod(int group) => $"Group{group}Device";

        /// <summary>The device kernel of the whole fusion group.</summary>
        public static string GroupKernel(int group) => $"kiln_group{group}";

        /// <summary>The device kernel of one member alone.</summary>
        public static string MemberKernel(int member) => $"kiln_member{member}";

        /// <summary>The method running stage group <paramref name="group"/>.</summary>
        public static string StagesMethod(int group) => $"Stages{group}";

        /// <summary>The method running one stage.</summary>
        public static string StageMethod(int node) => $"Stage{node}";

        /// <summary>The static <c>NodeAttempts</c> of a map or a task with a policy.</summary>
        public static string AttemptsField(int node) => "s_attempts" + node;

        /// <summary>The static <c>MapRunner</c> of a map.</summary>
        public static string MapField(int node) => "s_map" + node;

        /// <summary>The method a map's or a retried task's wrapper calls once per attempt (and item).</summary>
        public static string AttemptMethod(int node) => "Attempt" + node;

        /// <summary>In a block: a reference to the first element of a stream read from outside.</summary>
        public static string StreamRef(int producer) => "stream" + producer;

        /// <summary>In a block: a reference to the first element of a written stream.</summary>
        public static string OutputRef(int member) => "output" + member;

        /// <summary>In a block: a gathered stream.</summary>
        public static string GatherLocal(int producer) => "gather" + producer;

        /// <summary>In a block: a node's single value.</summary>
        public static string UniformLocal(int producer) => "uniform" + producer;

        /// <summary>In a block: a pipeline input.</summary>
        public static string InputLocal(string name) => "input_" + name;

        /// <summary>In a block: a member's element at the current index.</summary>
        public static string ElementLocal(int member) => "element" + member;

        /// <summary>In a block: a reduction's accumulator.</summary>
        public static string Accumulator(int member) => "accumulator" + member;

        /// <summary>In a vectorized block: a reduction's vector accumulator.</summary>
        public static string VectorAccumulator(int member) => "vaccumulator" + member;
    }
}
