using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Stores.CrashChild;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Stores.Tests;

/// <summary>
/// SPEC section 11's crash test: a child process runs the durable pipeline <see cref="CrashIngest"/> and is killed with
/// SIGKILL at a random moment, 50 times with different seeds per store; each time a new process resumes the run. The
/// result always equals an uninterrupted run, no node (or map item) whose write had completed runs again, and the store
/// always opens.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class PipelineCrashTests
{
    private const int Seeds = 50;
    private const int Items = 240;

    private static readonly string Pipeline = typeof(CrashIngest).FullName!;

    private readonly RedisServer _server;
    private readonly ITestOutputHelper _output;

    public PipelineCrashTests(RedisServer server, ITestOutputHelper output)
    {
        _server = server;
        _output = output;
    }

    [Fact]
    public async Task Sqlite_a_killed_durable_run_resumes_to_the_same_result_without_running_completed_nodes_again()
    {
        using var file = new TempSqliteFile("kiln-pipeline-crash-");
        await KillAndResume("sqlite", file.Path, () => new SqliteRunStore(file.Path), "run-");
        file.AssertIntact();
    }

    [SkippableFact]
    public async Task Redis_a_killed_durable_run_resumes_to_the_same_result_without_running_completed_nodes_again()
    {
        var connection = _server.Require();
        await KillAndResume("redis", _server.Endpoint, () => new RedisRunStore(connection), "crash-" + Guid.NewGuid().ToString("N") + "-");
    }

    private async Task KillAndResume(string kind, string target, Func<IRunStore> openStore, string runPrefix)
    {
        var killedAt = new List<int>();
        int restoredTotal = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            string runId = runPrefix + seed;
            string expected = await CrashIngest.RunAsync(Items, seed);
            var random = new Random(seed);

            // The first process: killed somewhere between its start and (usually) before its end.
            (List<string> firstRan, string? firstResult) = await RunChild(kind, target, runId, seed, killAfterMs: random.Next(0, 450));
            killedAt.Add(firstRan.Count);
            if (firstResult is not null)
            {
                Assert.Equal(expected, firstResult);
            }

            // What the store holds now: no process writes to it any more.
            HashSet<string> stored = await StoredNodes(openStore, runId);
            restoredTotal += stored.Count;

            // A new process resumes the run and finishes it.
            (List<string> ran, string? result) = await RunChild(kind, target, runId, seed, killAfterMs: null);
            Assert.True(result == expected, $"seed {seed}: resumed run returned {result}, an uninterrupted one {expected}");
            foreach (string node in ran)
            {
                Assert.False(stored.Contains(node), $"seed {seed}: {node} ran again although its write had completed");
                Assert.False(node.StartsWith("Work[", StringComparison.Ordinal) && stored.Contains("Work"), $"seed {seed}: {node} ran again after the map had completed");
            }

            Assert.Equal(ran.Count, ran.Distinct().Count());
            await using IRunStore store = openStore();
            Assert.True(await store.DeleteAsync(Pipeline, runId));
        }

        _output.WriteLine($"{kind}: nodes run before the kill per seed: {string.Join(" ", killedAt)}; {restoredTotal} values restored in all");

        // The kills landed at different points: before anything ran, mid-map, and after the end.
        Assert.Contains(killedAt, n => n > 10 && n < Items);
    }

    private static async Task<HashSet<string>> StoredNodes(Func<IRunStore> openStore, string runId)
    {
        await using IRunStore store = openStore();
        StoredRun run = await store.OpenAsync(Pipeline, runId, new RunHeader("probe", Array.Empty<byte>()));
        if (run.Created)
        {
            // The first process was killed before it opened the run: forget the probe's record.
            Assert.True(await store.DeleteAsync(Pipeline, runId));
            return new HashSet<string>();
        }

        var names = CrashIngest.Graph.Nodes.Select(n => n.Name).ToArray();
        return run.Values.Select(v => v.Item == StoredValue.WholeNode ? names[v.Slot] : $"{names[v.Slot]}[{v.Item}]").ToHashSet();
    }

    /// <returns>The nodes the child ran, and its result if it finished.</returns>
    private static async Task<(List<string> Ran, string? Result)> RunChild(string kind, string target, string runId, int seed, int? killAfterMs)
    {
        using Process process = CrashChild.Start("pipeline", kind, target, runId, Items.ToString(), seed.ToString());
        Task<string> errors = process.StandardError.ReadToEndAsync();
        var ran = new List<string>();
        string? result = null;
        var lines = new List<string>();
        Task reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        try
        {
            if (killAfterMs is int delay)
            {
                // Count from the moment the child is running its pipeline, not from the process start.
                var started = Stopwatch.StartNew();
                while (!HasLine(lines, "started") && !process.HasExited && started.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(5);
                }

                await Task.Delay(delay);
                process.Kill(); // SIGKILL on Unix: no finally blocks, no flush, no dispose in the child
            }

            Task exited = process.WaitForExitAsync();
            Assert.True(await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(90))) == exited, $"the crash child of {runId} did not end in 90 s");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        await reading;
        foreach (string line in lines)
        {
            if (line.StartsWith("ran ", StringComparison.Ordinal))
            {
                ran.Add(line.Substring(4));
            }
            else if (line.StartsWith("result ", StringComparison.Ordinal))
            {
                result = line.Substring(7);
            }
        }

        if (killAfterMs is null)
        {
            Assert.True(process.ExitCode == 0, $"the resuming child of {runId} failed (exit code {process.ExitCode}): {await errors}");
        }

        return (ran, result);
    }

    private static bool HasLine(List<string> lines, string text)
    {
        lock (lines)
        {
            return lines.Contains(text);
        }
    }
}
