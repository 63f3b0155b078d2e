using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace AgentWorkflow;

public static class Program
{
    private const string Question = "Is sodium-ion a better choice than LFP for grid storage";

    public static async Task Main()
    {
        PipelineGraph graph = ResearchAgent.Graph;
        Console.WriteLine($"== Plan: {graph}");
        for (int w = 0; w < graph.Waves.Count; w++)
        {
            Console.WriteLine($"  wave {w}: {string.Join(", ", graph.Waves[w].Select(n => $"{n} ({Latency.ByNode[n]} ms)"))}");
        }

        int floor = graph.CriticalPath.Sum(n => Latency.ByNode[n]);
        int serial = Latency.ByNode.Values.Sum();
        Console.WriteLine($"== Critical path: {string.Join(" → ", graph.CriticalPath)} = {floor} ms");
        Console.WriteLine();

        var clock = Stopwatch.StartNew();
        Answer answer = await ResearchAgent.RunAsync(Question);
        TimeSpan compiled = clock.Elapsed;

        clock.Restart();
        Answer sequentialAnswer = await RunOneAfterAnother(Question, CancellationToken.None);
        TimeSpan sequential = clock.Elapsed;

        Console.WriteLine(answer.Text);
        Console.WriteLine("Sources: " + string.Join(", ", answer.Citations));
        Console.WriteLine();
        Console.WriteLine("== Latency");
        Console.WriteLine($"  compiled DAG (Kiln)       {compiled.TotalMilliseconds,7:F0} ms   (floor + {compiled.TotalMilliseconds - floor:F0} ms)");
        Console.WriteLine($"  one call after another    {sequential.TotalMilliseconds,7:F0} ms   (sum of latencies {serial} ms)");
        Console.WriteLine($"  critical path (the floor) {floor,7} ms");
        Console.WriteLine($"  speed-up over sequential  {sequential / compiled,7:F2}x  (at most {(double)serial / floor:F2}x)");
        if (sequentialAnswer.Text != answer.Text)
        {
            throw new InvalidOperationException("The sequential run produced a different answer.");
        }

        await RunMapped();
    }

    // The planner's queries searched by a [Map] with retries, against a tool that fails 30% of its calls.
    private static async Task RunMapped()
    {
        Console.WriteLine();
        PipelineGraph graph = MappedResearchAgent.Graph;
        Console.WriteLine($"== Mapped plan: {graph}");
        Console.WriteLine($"  critical path: {string.Join(" → ", graph.CriticalPath)}");

        // Six queries, four at once: two rounds of search-and-fetch when nothing fails; the news disagrees, so the
        // fact-check runs before the answer.
        int floor = Latency.Plan + (2 * Latency.SearchAndFetch) + Latency.FactCheck + Latency.Draft;
        var options = new KilnOptions { RetryDelay = TimeSpan.FromMilliseconds(50) };

        // A first run compiles the code paths the measured runs take.
        await MappedResearchAgent.RunAsync(Question, new FaultInjector(failureRate: 0, seed: 1), options);
        var clean = new FaultInjector(failureRate: 0, seed: 1);
        var clock = Stopwatch.StartNew();
        Answer answer = await MappedResearchAgent.RunAsync(Question, clean, options);
        TimeSpan cleanTime = clock.Elapsed;

        var faults = new FaultInjector(failureRate: 0.3, seed: 3);
        clock.Restart();
        Answer faultyAnswer = await MappedResearchAgent.RunAsync(Question, faults, options);
        TimeSpan faultyTime = clock.Elapsed;

        Console.WriteLine(faultyAnswer.Text);
        Console.WriteLine("== Latency with a [Map] over the planner's queries");
        Console.WriteLine($"  no faults                 {cleanTime.TotalMilliseconds,7:F0} ms   (floor + {cleanTime.TotalMilliseconds - floor:F0} ms)");
        Console.WriteLine($"  30% transient faults      {faultyTime.TotalMilliseconds,7:F0} ms   ({faults.Calls} calls for {faultyAnswer.Citations.Count} searches: "
            + $"{faults.Thrown} failed, {faults.Hung} timed out, all retried)");
        Console.WriteLine($"  critical path (the floor) {floor,7} ms");
        if (faultyAnswer.Text != answer.Text)
        {
            throw new InvalidOperationException("The run with faults produced a different answer.");
        }

        // Sources that agree: the condition is false and the fact-check is skipped, its latency saved.
        var skips = new SkipCounter();
        var agreeing = new FaultInjector(failureRate: 0, seed: 1, newsDisagrees: false);
        clock.Restart();
        Answer agreed = await MappedResearchAgent.RunAsync(Question, agreeing, new KilnOptions { Progress = skips });
        TimeSpan agreedTime = clock.Elapsed;
        int agreedFloor = floor - Latency.FactCheck;
        Console.WriteLine("== When the sources agree");
        Console.WriteLine(agreed.Text);
        Console.WriteLine($"  skipped: {string.Join(", ", skips.Skipped)}");
        Console.WriteLine($"  latency                   {agreedTime.TotalMilliseconds,7:F0} ms   (floor {agreedFloor} ms + "
            + $"{agreedTime.TotalMilliseconds - agreedFloor:F0} ms)");
        if (!skips.Skipped.Contains(nameof(MappedResearchAgent.FactCheck)) || agreed.Text.Contains("fact-check", StringComparison.Ordinal)
            || !answer.Text.Contains("fact-check", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The fact-check ran when the sources agreed, or was skipped when they did not.");
        }
    }

    // Progress reports arrive on the reporting thread, so a plain list under a lock sees every skip before RunAsync returns.
    private sealed class SkipCounter : IProgress<PipelineProgress>
    {
        private readonly System.Collections.Generic.List<string> _skipped = new();

        public System.Collections.Generic.IReadOnlyList<string> Skipped
        {
            get
            {
                lock (_skipped)
                {
                    return _skipped.ToArray();
                }
            }
        }

        public void Report(PipelineProgress value)
        {
            if (value.Skipped)
            {
                lock (_skipped)
                {
                    _skipped.Add(value.Node);
                }
            }
        }
    }

    // The same plan written as a naive agent loop: each tool call awaited before the next starts.
    private static async Task<Answer> RunOneAfterAnother(string question, CancellationToken ct)
    {
        SearchHits web = await ResearchAgent.SearchWeb(question, ct);
        SearchHits news = await ResearchAgent.SearchNews(question, ct);
        SearchHits papers = await ResearchAgent.SearchPapers(question, ct);
        Page webPage = await ResearchAgent.FetchWeb(web, ct);
        Page newsPage = await ResearchAgent.FetchNews(news, ct);
        Page paperPage = await ResearchAgent.FetchPapers(papers, ct);
        Digest webDigest = await ResearchAgent.SummarizeWeb(webPage, ct);
        Digest newsDigest = await ResearchAgent.SummarizeNews(newsPage, ct);
        Digest paperDigest = await ResearchAgent.SummarizePapers(paperPage, ct);
        Verdict verdict = await ResearchAgent.CrossCheck(webDigest, newsDigest, paperDigest, ct);
        string draft = await ResearchAgent.Draft(question, verdict, ct);
        return await ResearchAgent.Cite(draft, webPage, newsPage, paperPage, ct);
    }
}
