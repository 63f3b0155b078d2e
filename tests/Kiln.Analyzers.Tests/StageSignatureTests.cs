using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN011: invalid stage signatures and pipe bindings, reported where they are written.</summary>
public class StageSignatureTests
{
    private static string Pipeline(string members) => Sources.Usings + "using System.IO;\nusing System.IO.Pipelines;\n\n[Pipeline]\npublic static partial class Logs\n{\n" + members + "\n}\n";

    [Fact]
    public async Task Stages_joined_by_pipes_with_a_tee_a_result_and_task_inputs_are_valid()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Task] public static byte[] Load(string path) => File.ReadAllBytes(path);
                [Stage] public static async Task Inflate(PipeReader load, PipeWriter output, CancellationToken ct) { await Task.Yield(); }
                [Stage] public static async Task Lines(PipeReader inflate, PipeWriter output) { await Task.Yield(); }
                [Stage] public static async Task<long> Errors(PipeReader lines) { await Task.Yield(); return 0; }
                [Stage] public static async ValueTask<int> Paths(PipeReader lines, int top) { await Task.Yield(); return top; }
                [Task] public static string Report(long errors, int paths) => errors + " " + paths;
            """));
    }

    [Fact]
    public async Task A_synchronous_stage_is_reported_at_the_method()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static long {|KILN011:Count|}(PipeReader input) => 0;
            """));

        Assert.Equal("Stage 'Count': it returns 'long'; a stage runs concurrently with its neighbours, so it must return Task, Task<T>, ValueTask or ValueTask<T>", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task A_PipeWriter_not_named_output_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task Copy(PipeReader input, PipeWriter {|KILN011:sink|}) => Task.CompletedTask;
                [Stage] public static Task<long> Count(PipeReader copy) => Task.FromResult(0L);
            """));

        Assert.Equal("Stage 'Copy': PipeWriter 'sink' must be named 'output'", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task A_second_PipeWriter_is_reported_at_the_second()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task Split(PipeReader input, PipeWriter output, PipeWriter {|KILN011:rest|}) => Task.CompletedTask;
                [Stage] public static Task<long> Count(PipeReader split) => Task.FromResult(0L);
            """));
    }

    [Fact]
    public async Task A_stage_with_neither_an_output_pipe_nor_a_result_is_reported_at_the_method()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task {|KILN011:Drain|}(PipeReader input) => Task.CompletedTask;
            """));

        Assert.Equal("Stage 'Drain': it has neither an output pipe nor a result; add 'PipeWriter output' or return Task<T>", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task An_output_pipe_no_stage_reads_is_reported_at_the_output_parameter()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task Copy(PipeReader input, PipeWriter {|KILN011:output|}) => Task.CompletedTask;
            """));
    }

    [Fact]
    public async Task Reading_the_pipe_of_a_stage_that_writes_none_is_reported_at_the_reader()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task<long> Count(PipeReader input) => Task.FromResult(0L);
                [Stage] public static Task<long> Again(PipeReader {|KILN011:count|}) => Task.FromResult(0L);
            """));

        Assert.Equal("Stage 'Again': PipeReader 'count' reads 'Count', which writes no pipe; give 'Count' a 'PipeWriter output'", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task Waiting_for_the_result_of_a_stage_joined_by_pipes_is_reported_at_the_parameter()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task<long> Copy(PipeReader input, PipeWriter output) => Task.FromResult(0L);
                [Stage] public static Task<long> Count(PipeReader copy, [From(nameof(Copy))] long {|KILN011:total|}) => Task.FromResult(total);
            """));
    }

    [Fact]
    public async Task Waiting_for_a_task_downstream_of_the_same_stages_is_reported_at_the_parameter()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Stage] public static Task<long> Copy(PipeReader input, PipeWriter output) => Task.FromResult(0L);
                [Task] public static int Half(long copy) => (int)(copy / 2);
                [Stage] public static Task<long> Count(PipeReader copy, int {|KILN011:half|}) => Task.FromResult((long)half);
            """));

        Assert.Equal("Stage 'Count': parameter 'half' waits for 'Half', which waits for stages that run with 'Count'", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task A_PipeReader_bound_to_a_task_that_returns_no_bytes_is_a_type_mismatch()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
                [Task] public static int Size() => 3;
                [Stage] public static Task<long> Count(PipeReader {|KILN004:size|}) => Task.FromResult(0L);
            """));
    }
}
