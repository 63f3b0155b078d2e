using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace AgentWorkflow;

/// <summary>
/// The same agent with a plan it writes itself: the planner returns queries, the searches are a <c>[Map]</c> over
/// them (at most four at once), and the search tool is flaky, so each search has <c>Retries</c> and a
/// <c>TimeoutMs</c> per attempt. A failing search cancels the others and fails the run only once its retries are spent.
/// A fact-check runs only when the sources disagree (<c>[When]</c>); the answer takes it as <c>Optional&lt;string&gt;</c>.
/// </summary>
[Pipeline]
public static partial class MappedResearchAgent
{
    [Task(Cost = Latency.Plan)]
    public static async Task<string[]> Plan(string question, CancellationToken ct)
    {
        await Task.Delay(Latency.Plan, ct).ConfigureAwait(false);
        return new[] { "web", "news", "papers", "patents", "forums", "standards" }.Select(source => $"{source}: {question}").ToArray();
    }

    [Map(MaxConcurrency = 4, Retries = 4, TimeoutMs = Latency.SearchTimeout, Cost = Latency.SearchAndFetch)]
    public static Task<Page> Search(string plan, [Index] int i, FaultInjector faults, CancellationToken ct) =>
        faults.CallAsync(i, plan, ct);

    /// <summary>Whether the pages disagree: the condition of the fact-check.</summary>
    [Task]
    public static bool Disputed(Page[] search) => search.Select(p => p.Text).Distinct().Count() > 1;

    /// <summary>A model call that settles a disagreement; it runs only when the sources disagree.</summary>
    [Task(Cost = Latency.FactCheck), When(nameof(Disputed))]
    public static async Task<string> FactCheck(Page[] search, CancellationToken ct)
    {
        await Task.Delay(Latency.FactCheck, ct).ConfigureAwait(false);
        var claims = search.GroupBy(p => p.Text).OrderByDescending(g => g.Count()).ToList();
        return $"fact-check: {claims[0].Count()} of {search.Length} sources agree that {claims[0].Key}";
    }

    /// <summary>Writes the answer; <paramref name="factCheck"/> is <c>None</c> when the fact-check was skipped.</summary>
    [Task(Cost = Latency.Draft)]
    public static async Task<Answer> Compose(string question, Page[] search, Optional<string> factCheck, CancellationToken ct)
    {
        await Task.Delay(Latency.Draft, ct).ConfigureAwait(false);
        string text = $"Q: {question}\nA: {search.Length} sources read; " + string.Join("; ", search.Select(p => p.Text).Distinct().Take(2));
        if (factCheck.HasValue)
        {
            text += $"\n   ({factCheck.Value})";
        }

        return new Answer(text, search.Select(p => p.Url).ToList());
    }
}

/// <summary>
/// A search tool that fails a share of its calls, transiently: some throw at once, some hang past the attempt's
/// <c>TimeoutMs</c> (and give up when their token is cancelled, as a well-behaved HTTP client does). Seeded, so a run
/// is repeatable.
/// </summary>
public sealed class FaultInjector(double failureRate, int seed, bool newsDisagrees = true)
{
    private readonly Random _random = new(seed);
    private int _calls;
    private int _thrown;
    private int _hung;

    public int Calls => Volatile.Read(ref _calls);

    public int Thrown => Volatile.Read(ref _thrown);

    public int Hung => Volatile.Read(ref _hung);

    public async Task<Page> CallAsync(int item, string query, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        double roll;
        lock (_random)
        {
            roll = _random.NextDouble();
        }

        if (roll < failureRate / 2)
        {
            Interlocked.Increment(ref _thrown);
            await Task.Delay(Latency.SearchAndFetch / 4, ct).ConfigureAwait(false);
            throw new InvalidOperationException($"search {item} failed: 503 Service Unavailable");
        }

        if (roll < failureRate)
        {
            Interlocked.Increment(ref _hung);
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }

        await Task.Delay(Latency.SearchAndFetch, ct).ConfigureAwait(false);
        string source = query[..query.IndexOf(':')];
        string claim = newsDisagrees && source == "news"
            ? "sodium-ion's cycle life is disputed"
            : "sodium-ion costs less per kWh than LFP at grid scale";
        return new Page($"https://{source}.example/{item}", claim);
    }
}
