using System.Linq;
using System.Threading;
using Kiln.Model;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Plan;

/// <summary>The lowered plan every writer reads: vertices, invocations, value slots and kernel launches.</summary>
public class PlanLoweringTests
{
    private static LoweredPlan Lower(string members)
    {
        Compilation compilation = KilnCompilation.Create(
            "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing System.IO.Pipelines;\nusing Kiln;\n"
            + "[Pipeline]\npublic static partial class P\n{\n" + members + "\n}\n");
        INamedTypeSymbol type = compilation.GetTypeByMetadataName("P")!;
        CompiledPipeline compiled = PipelineCompiler.Compile(PipelineDiscovery.Discover(type, compilation, CancellationToken.None));
        Assert.Empty(compiled.Problems);
        return PlanLowering.Lower(compiled);
    }

    private static int Node(LoweredPlan plan, string name) => plan.Spec.Nodes.Select(n => n.Name).ToList().IndexOf(name);

    private const string Kernels = """
        [Task] public static float[] Load(int count) => new float[count];
        [Kernel] public static float Scale(float load, float factor) => load * factor;
        [Kernel] public static float Shift(float scale) => scale + 1;
        [Reduce] public static float Sum(float total, float shift) => total + shift;
        [Task] public static float Report(float[] scale, float sum) => sum;
        """;

    [Fact]
    public void A_task_reads_inputs_producer_values_and_the_token_by_source()
    {
        LoweredPlan plan = Lower("""
            [Task] public static async Task<string> Fetch(Uri source, CancellationToken ct) { await Task.Yield(); return source.ToString(); }
            [Task] public static int Parse(string fetch) => fetch.Length;
            """);

        Invocation fetch = plan.Invocations[Node(plan, "Fetch")];
        Assert.Equal(new[] { ArgumentSource.Input, ArgumentSource.Token }, fetch.Arguments.Select(a => a.Source));
        Assert.True(fetch.IsAsync);
        Assert.Equal(ReturnShape.TaskOfT, fetch.Shape);
        Invocation parse = plan.Invocations[Node(plan, "Parse")];
        InvocationArgument argument = Assert.Single(parse.Arguments);
        Assert.Equal(ArgumentSource.ProducerValue, argument.Source);
        Assert.Equal(Node(plan, "Fetch"), argument.Producer);
        Assert.Equal(NodePolicy.None, parse.Policy);
    }

    [Fact]
    public void Every_output_has_a_value_slot_at_its_node_index_and_nothing_else_does()
    {
        LoweredPlan plan = Lower("""
            [Task] public static int A() => 1;
            [Task] public static void B(int a) { }
            """);

        ValueSlot slot = Assert.IsType<ValueSlot>(plan.Slots[Node(plan, "A")]);
        Assert.Equal(Node(plan, "A"), slot.Index);
        Assert.Equal("int", slot.Type);
        Assert.Null(plan.Slots[Node(plan, "B")]);
        Assert.Equal(-1, plan.Invocations[Node(plan, "B")].Slot);
    }

    [Fact]
    public void Kernel_arguments_are_stream_elements_uniform_inputs_and_accumulators()
    {
        LoweredPlan plan = Lower(Kernels);

        Assert.Equal(new[] { ArgumentSource.StreamElement, ArgumentSource.Input }, plan.Invocations[Node(plan, "Scale")].Arguments.Select(a => a.Source));
        Assert.Equal(new[] { ArgumentSource.Accumulator, ArgumentSource.StreamElement }, plan.Invocations[Node(plan, "Sum")].Arguments.Select(a => a.Source));
    }

    [Fact]
    public void A_fused_group_reads_its_external_stream_once_and_writes_only_what_outside_reads()
    {
        LoweredPlan plan = Lower(Kernels);

        KernelLaunch launch = Assert.Single(plan.Launches);
        Assert.Equal(new[] { "Scale", "Shift", "Sum" }, launch.Members.Select(m => plan.Spec.Nodes[m].Name));
        Assert.Equal(Node(plan, "Load"), launch.LengthFrom);
        Assert.Equal(new[] { Node(plan, "Scale"), Node(plan, "Sum") }, launch.Whole.Written);
        Assert.Equal(launch.Members, launch.Whole.Fused);
        Assert.All(launch.Alone, block => Assert.Empty(block.Fused));
        Assert.Equal(launch.Members.Select(m => new[] { m }), launch.Alone.Select(b => b.Written.ToArray()));
    }

    [Fact]
    public void Device_arguments_come_by_kind_streams_then_inputs_then_outputs_then_partials()
    {
        LoweredPlan plan = Lower(Kernels);

        KernelLaunch launch = Assert.Single(plan.Launches);
        Assert.True(launch.HasDeviceCode);
        Assert.Equal(
            new[] { LaunchArgumentKind.Stream, LaunchArgumentKind.Input, LaunchArgumentKind.Output, LaunchArgumentKind.Partials },
            launch.Whole.Arguments.Select(a => a.Kind));
        Assert.Equal(Node(plan, "Load"), launch.Whole.Arguments[0].Node);
        Assert.Equal("factor", launch.Whole.Arguments[1].Input);
    }

    [Fact]
    public void Only_streams_the_host_reads_go_back_from_the_device()
    {
        LoweredPlan plan = Lower(Kernels);

        KernelLaunch launch = Assert.Single(plan.Launches);
        Assert.Equal(new[] { Node(plan, "Scale") }, launch.ReadOnHost);
    }

    [Fact]
    public void Double_precision_and_faulting_operations_are_found_in_the_ir()
    {
        LoweredPlan plain = Lower(Kernels);
        LoweredPlan checkedDivision = Lower("""
            [Task] public static int[] Load() => new int[4];
            [Kernel] public static double Half(int load, int divisor) => load / divisor;
            """);

        Assert.False(plain.Launches[0].UsesDouble);
        Assert.False(plain.Launches[0].MayFault);
        Assert.True(checkedDivision.Launches[0].UsesDouble);
        Assert.True(checkedDivision.Launches[0].MayFault);
    }

    [Fact]
    public void Vertices_are_one_record_per_kind_and_each_node_maps_to_the_vertex_that_runs_it()
    {
        LoweredPlan plan = Lower(Kernels + """
            [Stage] public static async Task Copy(PipeReader input, PipeWriter output) => await input.CopyToAsync(output);
            [Stage] public static async Task<int> Drain(PipeReader copy) { await copy.CompleteAsync(); return 0; }
            """);

        Schedule schedule = plan.Schedule!;
        Assert.Equal(new[] { Node(plan, "Load"), Node(plan, "Report") }, schedule.Vertices.OfType<TaskVertex>().Select(v => v.Node));
        Assert.Single(schedule.Vertices.OfType<FusionVertex>());
        StageVertex stages = Assert.Single(schedule.Vertices.OfType<StageVertex>());
        Assert.Equal(new[] { Node(plan, "Copy"), Node(plan, "Drain") }, stages.Members);
        for (int n = 0; n < plan.Spec.Nodes.Count; n++)
        {
            Assert.Contains(n, schedule.Vertices[schedule.VertexOf[n]].Members);
        }

        Assert.Equal(
            Enumerable.Range(0, schedule.Vertices.Count),
            schedule.Executor.Units.SelectMany(u => u.Vertices).OrderBy(v => v));
    }
    [Fact]
    public void A_map_reads_its_item_and_index_and_is_called_through_its_runner()
    {
        LoweredPlan plan = Lower("""
            [Task] public static string[] Plan(string question) => question.Split(' ');
            [Map(MaxConcurrency = 8, Retries = 2, TimeoutMs = 2000)]
            public static Task<int> Fetch(string plan, [Index] int i, string question, CancellationToken ct) => Task.FromResult(plan.Length + i);
            [Task] public static int Answer(int[] fetch) => fetch.Length;
            """);

        Invocation fetch = plan.Invocations[Node(plan, "Fetch")];
        Assert.Equal(
            new[] { ArgumentSource.Item, ArgumentSource.Index, ArgumentSource.Input, ArgumentSource.Token },
            fetch.Arguments.Select(a => a.Source));
        Assert.Equal(Node(plan, "Plan"), fetch.Arguments[0].Producer);
        Assert.Equal(new NodePolicy(2, 2000), fetch.Policy);
        WrappedCall wrapped = Assert.IsType<WrappedCall>(fetch.Wrapped);
        Assert.True(wrapped.IsMap);
        Assert.Equal(Node(plan, "Plan"), wrapped.Items);
        Assert.Equal("string", wrapped.ItemType);
        Assert.Equal("int", wrapped.CallOutput);
        Assert.Equal(8, wrapped.MaxConcurrency);
        Assert.Equal(ReturnShape.TaskOfT, wrapped.MethodShape);
        Assert.Equal("global::System.Threading.Tasks.ValueTask<int[]>", fetch.ReturnType);
        Assert.Equal("int[]", plan.Slots[Node(plan, "Fetch")]!.Type);
        Assert.True(plan.UsesCancellation);
    }

    [Theory]
    [InlineData("int[]", "int")]
    [InlineData("System.Collections.Generic.List<int>", "int")]
    [InlineData("System.Collections.Generic.IReadOnlyList<int>", "int")]
    [InlineData("System.Collections.Immutable.ImmutableArray<int>", "int")]
    public void A_map_runs_over_arrays_and_anything_implementing_IReadOnlyList(string collection, string item)
    {
        LoweredPlan plan = Lower($$"""
            [Task] public static {{collection}} Items() => default!;
            [Map] public static long Twice({{item}} items) => items * 2L;
            """);

        Invocation twice = plan.Invocations[Node(plan, "Twice")];
        Assert.Equal(ArgumentSource.Item, Assert.Single(twice.Arguments).Source);
        Assert.Equal(Node(plan, "Items"), twice.Wrapped!.Items);
        Assert.Equal(NodePolicy.None, twice.Policy);
        Assert.Equal("long[]", plan.Slots[Node(plan, "Twice")]!.Type);
    }

    [Fact]
    public void A_task_with_retries_or_a_timeout_is_wrapped_and_a_plain_task_is_not()
    {
        LoweredPlan plan = Lower("""
            [Task(Retries = 3)] public static int A(int seed) => seed;
            [Task(TimeoutMs = 50)] public static void B(int a) { }
            [Task] public static int C(int a) => a;
            """);

        Invocation a = plan.Invocations[Node(plan, "A")];
        Assert.Equal(new NodePolicy(3, 0), a.Policy);
        Assert.False(a.Wrapped!.IsMap);
        Assert.Equal(ReturnShape.Value, a.Wrapped.MethodShape);
        Assert.Equal("global::System.Threading.Tasks.ValueTask<int>", a.ReturnType);
        Invocation b = plan.Invocations[Node(plan, "B")];
        Assert.Equal("bool", b.Wrapped!.CallOutput);
        Assert.False(b.HasOutput);
        Invocation c = plan.Invocations[Node(plan, "C")];
        Assert.Null(c.Wrapped);
        Assert.Equal(NodePolicy.None, c.Policy);
        Assert.Equal(ReturnShape.Value, c.Shape);
    }

    [Fact]
    public void A_pipeline_without_maps_or_policies_needs_no_cancellation_it_did_not_need_before()
    {
        LoweredPlan plan = Lower("""
            [Task] public static int A(int seed) => seed;
            [Task] public static int B(int a) => a;
            """);

        Assert.False(plan.UsesCancellation);
        Assert.All(plan.Invocations, i => Assert.Null(i.Wrapped));
    }
}
