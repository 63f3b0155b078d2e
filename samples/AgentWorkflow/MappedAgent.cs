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

    [Task(Cost = Latency.Draft)]
    public static async Task<Answer> Compose(string question, Page[] search, CancellationToken ct)
    {
        await Task.Delay(Latency.Draft, ct).ConfigureAwait(false);
        string text = $"Q: {question}\nA: {search.Length} sources read; " + string.Join("; ", search.Select(p => p.Text).Distinct().Take(2));
        return new Answer(text, search.Select(p => p.Url).ToList());
    }
}

/// <summary>
/// A search tool that fails a share of its calls, transiently: some throw at once, some hang past the attempt's
/// <c>TimeoutMs</c> (and give up when their token is cancelled, as a well-behaved HTTP client does). Seeded, so a run
/// is repeatable.
/// </summary>
public sealed class FaultInjector(double failureRate, int seed)
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
        return new Page($"https://{source}.example/{item}", "sodium-ion costs less per kWh than LFP at grid scale");
    }
}
