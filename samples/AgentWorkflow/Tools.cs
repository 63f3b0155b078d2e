using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AgentWorkflow;

/// <summary>What a search tool returns: the query and the best hit.</summary>
public sealed record SearchHits(string Source, string Query, string TopUrl);

/// <summary>A fetched page.</summary>
public sealed record Page(string Url, string Text);

/// <summary>A model-written summary of one source.</summary>
public sealed record Digest(string Source, string Url, string Claim);

/// <summary>Claims the sources agree on, and those they dispute.</summary>
public sealed record Verdict(IReadOnlyList<string> Agreed, IReadOnlyList<string> Disputed);

/// <summary>The answer the agent gives, with its sources.</summary>
public sealed record Answer(string Text, IReadOnlyList<string> Citations);

/// <summary>
/// Simulated latencies of the tool calls, in milliseconds: what a search API, a page fetch and a model call take.
/// Constants, so that <c>[Task(Cost = ...)]</c> can use them and the build-time critical path is by latency.
/// </summary>
public static class Latency
{
    public const int SearchWeb = 300;
    public const int SearchNews = 250;
    public const int SearchPapers = 350;
    public const int FetchWeb = 200;
    public const int FetchNews = 150;
    public const int FetchPapers = 400;
    public const int SummarizeWeb = 250;
    public const int SummarizeNews = 200;
    public const int SummarizePapers = 300;
    public const int CrossCheck = 200;
    public const int Draft = 350;
    public const int Cite = 50;

    // The mapped agent (MappedAgent.cs): a planner, one search-and-fetch per query, each attempt limited to 600 ms.
    public const int Plan = 150;
    public const int SearchAndFetch = 300;
    public const int SearchTimeout = 600;
    public const int FactCheck = 250;

    /// <summary>Latency by node name, to add up the critical path the generator reports.</summary>
    public static IReadOnlyDictionary<string, int> ByNode { get; } = new Dictionary<string, int>
    {
        [nameof(SearchWeb)] = SearchWeb,
        [nameof(SearchNews)] = SearchNews,
        [nameof(SearchPapers)] = SearchPapers,
        [nameof(FetchWeb)] = FetchWeb,
        [nameof(FetchNews)] = FetchNews,
        [nameof(FetchPapers)] = FetchPapers,
        [nameof(SummarizeWeb)] = SummarizeWeb,
        [nameof(SummarizeNews)] = SummarizeNews,
        [nameof(SummarizePapers)] = SummarizePapers,
        [nameof(CrossCheck)] = CrossCheck,
        [nameof(Draft)] = Draft,
        [nameof(Cite)] = Cite,
    };
}

/// <summary>Stand-ins for the real tools: each waits its latency (holding no thread) and returns plausible data.</summary>
public static class Tools
{
    public static async Task<SearchHits> Search(string source, string query, int latencyMs, CancellationToken ct)
    {
        await Task.Delay(latencyMs, ct).ConfigureAwait(false);
        string slug = string.Join('-', query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4));
        return new SearchHits(source, query, $"https://{source}.example/{slug}");
    }

    public static async Task<Page> Fetch(SearchHits hits, int latencyMs, CancellationToken ct)
    {
        await Task.Delay(latencyMs, ct).ConfigureAwait(false);
        return new Page(hits.TopUrl, $"[{hits.Source}] Sodium-ion cells cost less per kWh than LFP at grid scale; cycle life is {(hits.Source == "news" ? "disputed" : "about 4,000 cycles")}.");
    }

    public static async Task<Digest> Summarize(string source, Page page, int latencyMs, CancellationToken ct)
    {
        await Task.Delay(latencyMs, ct).ConfigureAwait(false);
        return new Digest(source, page.Url, page.Text[(page.Text.IndexOf(']') + 2)..]);
    }
}
