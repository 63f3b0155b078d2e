using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Observability;
using Xunit;

namespace Kiln.Runtime.Tests.Maps;

[Pipeline]
public static partial class TracedRetries
{
    [Task(Retries = 3)]
    public static Task<string> Call(FlakyCall flaky, System.Threading.CancellationToken ct) => flaky.CallAsync(ct);
}

[Pipeline]
public static partial class TracedMap
{
    [Task] public static int[] Values(int count) => Enumerable.Range(0, count).ToArray();

    [Map(Retries = 2)]
    public static Task<long> Work(int values, [Index] int index, MapScript script, System.Threading.CancellationToken ct) => script.RunAsync(values, index, ct);
}

/// <summary>SPEC section 10: every attempt is its own trace event and Activity.</summary>
[Collection(nameof(UnobservedExceptions))]
public sealed class AttemptTracingTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Each_attempt_of_a_retried_task_is_an_activity_under_the_node()
    {
        using var collector = new KilnActivityCollector(nameof(TracedRetries));
        var flaky = new FlakyCall(2);
        await TracedRetries.RunAsync(flaky, new KilnOptions { RetryDelay = Delay });

        var node = collector.Stopped.Single(a => a.OperationName == "Call");
        var attempts = collector.Stopped.Where(a => a.OperationName == "Call attempt").ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(node.SpanId, a.ParentSpanId));
        Assert.Equal(2, attempts.Count(a => a.Status == System.Diagnostics.ActivityStatusCode.Error));
    }

    [Fact]
    public async Task Each_attempt_of_each_item_is_a_trace_event_numbered_per_item()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kiln-map-trace-{Guid.NewGuid():N}.json");
        try
        {
            var script = new MapScript(4, i => i == 1 ? 2 : 0);
            await TracedMap.RunAsync(4, script, new KilnOptions { RetryDelay = Delay, TracePath = path });

            using JsonDocument trace = JsonDocument.Parse(File.ReadAllText(path));
            var attempts = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.TryGetProperty("cat", out JsonElement category) && category.GetString() == "attempt")
                .Select(e => (Item: e.GetProperty("args").GetProperty("item").GetInt32(),
                    Attempt: e.GetProperty("args").GetProperty("attempt").GetInt32(),
                    Status: e.GetProperty("args").GetProperty("status").GetString()))
                .OrderBy(a => a.Item).ThenBy(a => a.Attempt)
                .ToList();
            Assert.Equal(
                new[] { (0, 1, "completed"), (1, 1, "failed"), (1, 2, "failed"), (1, 3, "completed"), (2, 1, "completed"), (3, 1, "completed") },
                attempts.Select(a => (a.Item, a.Attempt, a.Status!)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
