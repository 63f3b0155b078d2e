using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Tracing;

[Pipeline]
public static partial class TracedReport
{
    [Task] public static async Task<int> Fetch(int delayMs, CancellationToken ct)
    {
        // Timers tick in whole milliseconds and may fire a little early: wait until the clock agrees.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(delayMs, ct);
        while (clock.Elapsed.TotalMilliseconds < delayMs)
        {
            await Task.Yield();
        }

        return 21;
    }

    [Task] public static int Left(int fetch) => fetch + 1;

    [Task] public static int Right(int fetch) => fetch * 2;

    [Task] public static int Join(int left, int right) => left + right;
}

[Pipeline]
public static partial class TracedFailure
{
    [Task] public static int Start() => 1;

    [Task] public static int Explode(int start) => throw new InvalidOperationException("boom " + start);

    [Task] public static int After(int explode) => explode;
}

[Pipeline]
public static partial class TracedKernels
{
    [Task] public static float[] Samples(int count) => Enumerable.Range(0, count).Select(i => (float)i).ToArray();

    [Kernel] public static float Scale(float samples, float factor) => samples * factor;

    [Kernel] public static float Offset(float scale) => scale + 1f;

    [Reduce(Identity = 0)] public static float Sum(float acc, float offset) => acc + offset;
}

public sealed class TraceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kiln-trace-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Trace_is_valid_json_with_a_complete_event_per_node_and_one_for_the_run()
    {
        string path = Path.Combine(_directory, "report.json");
        int result = await TracedReport.RunAsync(delayMs: 1, new KilnOptions { TracePath = path });

        Assert.Equal((21 + 1) + (21 * 2), result);
        List<JsonElement> events = ReadEvents(path);
        List<JsonElement> complete = events.Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        Assert.Single(complete, e => e.GetProperty("cat").GetString() == "run" && e.GetProperty("name").GetString() == nameof(TracedReport));
        foreach (string node in new[] { "Fetch", "Left", "Right", "Join" })
        {
            JsonElement nodeEvent = Assert.Single(complete, e => e.GetProperty("name").GetString() == node);
            Assert.Equal("task", nodeEvent.GetProperty("cat").GetString());
            Assert.True(nodeEvent.GetProperty("tid").GetInt32() > 0);
            Assert.Equal("completed", nodeEvent.GetProperty("args").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Node_events_nest_inside_the_run_and_follow_their_producers()
    {
        string path = Path.Combine(_directory, "nesting.json");
        await TracedReport.RunAsync(delayMs: 5, new KilnOptions { TracePath = path });

        List<JsonElement> events = ReadEvents(path).Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        JsonElement run = events.Single(e => e.GetProperty("cat").GetString() == "run");
        double runEnd = End(run);
        foreach (JsonElement node in events.Where(e => e.GetProperty("cat").GetString() == "task"))
        {
            Assert.True(Start(node) >= Start(run), $"{node} starts before the run");
            Assert.True(End(node) <= runEnd + 0.001, $"{node} ends after the run");
        }

        JsonElement Named(string name) => events.Single(e => e.GetProperty("name").GetString() == name);
        Assert.True(Start(Named("Left")) >= End(Named("Fetch")));
        Assert.True(Start(Named("Right")) >= End(Named("Fetch")));
        Assert.True(Start(Named("Join")) >= Math.Max(End(Named("Left")), End(Named("Right"))));
    }

    [Fact]
    public async Task A_node_that_awaits_20_ms_lasts_at_least_20_ms_in_the_trace()
    {
        string path = Path.Combine(_directory, "delay.json");
        await TracedReport.RunAsync(delayMs: 20, new KilnOptions { TracePath = path });

        JsonElement fetch = ReadEvents(path).Single(e => e.GetProperty("name").GetString() == "Fetch");
        Assert.True(fetch.GetProperty("dur").GetDouble() >= 20_000, $"Fetch lasted {fetch.GetProperty("dur").GetDouble()} µs");
    }

    [Fact]
    public async Task Trace_is_written_when_the_run_fails_and_names_the_failed_node()
    {
        string path = Path.Combine(_directory, "failure.json");
        PipelineException failure = await Assert.ThrowsAsync<PipelineException>(() => TracedFailure.RunAsync(new KilnOptions { TracePath = path }));

        Assert.Equal("Explode", failure.NodeName);
        List<JsonElement> events = ReadEvents(path);
        JsonElement run = events.Single(e => e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "run");
        Assert.Equal("failed", run.GetProperty("args").GetProperty("status").GetString());
        Assert.Equal("Explode", run.GetProperty("args").GetProperty("failedNode").GetString());
        JsonElement explode = events.Single(e => e.GetProperty("name").GetString() == "Explode");
        Assert.Equal("failed", explode.GetProperty("args").GetProperty("status").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("name").GetString() == "After");
    }

    [Fact]
    public async Task Fused_kernels_carry_their_group_and_the_group_launch_has_its_own_event()
    {
        string path = Path.Combine(_directory, "kernels.json");
        float sum = await TracedKernels.RunAsync(count: 1000, factor: 2f, new KilnOptions { TracePath = path, Device = DeviceKind.Cpu });

        Assert.Equal(Enumerable.Range(0, 1000).Sum(i => (i * 2f) + 1f), sum);
        List<JsonElement> events = ReadEvents(path);
        string group = Assert.Single(TracedKernels.Graph.FusionGroups).Name;
        foreach (string kernel in new[] { "Scale", "Offset", "Sum" })
        {
            JsonElement kernelEvent = events.Single(e => e.GetProperty("name").GetString() == kernel);
            Assert.Equal(group, kernelEvent.GetProperty("args").GetProperty("fusionGroup").GetString());
            Assert.Equal("cpu", kernelEvent.GetProperty("args").GetProperty("device").GetString());
        }

        JsonElement launch = events.Single(e => e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "device");
        Assert.Equal("launch " + group, launch.GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_unwritable_trace_path_fails_the_run_with_an_io_error_naming_the_path()
    {
        string blocker = Path.Combine(_directory, "file");
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(blocker, "not a directory");
        string path = Path.Combine(blocker, "trace.json");

        IOException error = await Assert.ThrowsAnyAsync<IOException>(() => TracedReport.RunAsync(delayMs: 1, new KilnOptions { TracePath = path }));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static List<JsonElement> ReadEvents(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("traceEvents").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static double Start(JsonElement e) => e.GetProperty("ts").GetDouble();

    private static double End(JsonElement e) => Start(e) + e.GetProperty("dur").GetDouble();
}
