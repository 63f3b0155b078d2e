using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace AgentWorkflow;

/// <summary>
/// An agent's plan for one question, as a DAG of tool calls: three searches, a fetch and a summary per search,
/// then cross-check, draft and cite. The build-time schedule runs every call as soon as its inputs exist, like
/// parallel function calling, but for the whole plan rather than one turn. <c>Cost</c> is each call's latency, so
/// <c>Graph.CriticalPath</c> is the chain of calls that bounds the answer's latency.
/// </summary>
[Pipeline]
public static partial class ResearchAgent
{
    [Task(Cost = Latency.SearchWeb)]
    public static Task<SearchHits> SearchWeb(string question, CancellationToken ct) => Tools.Search("web", question, Latency.SearchWeb, ct);

    [Task(Cost = Latency.SearchNews)]
    public static Task<SearchHits> SearchNews(string question, CancellationToken ct) => Tools.Search("news", question, Latency.SearchNews, ct);

    [Task(Cost = Latency.SearchPapers)]
    public static Task<SearchHits> SearchPapers(string question, CancellationToken ct) => Tools.Search("papers", question, Latency.SearchPapers, ct);

    [Task(Cost = Latency.FetchWeb)]
    public static Task<Page> FetchWeb(SearchHits searchWeb, CancellationToken ct) => Tools.Fetch(searchWeb, Latency.FetchWeb, ct);

    [Task(Cost = Latency.FetchNews)]
    public static Task<Page> FetchNews(SearchHits searchNews, CancellationToken ct) => Tools.Fetch(searchNews, Latency.FetchNews, ct);

    [Task(Cost = Latency.FetchPapers)]
    public static Task<Page> FetchPapers(SearchHits searchPapers, CancellationToken ct) => Tools.Fetch(searchPapers, Latency.FetchPapers, ct);

    [Task(Cost = Latency.SummarizeWeb)]
    public static Task<Digest> SummarizeWeb(Page fetchWeb, CancellationToken ct) => Tools.Summarize("web", fetchWeb, Latency.SummarizeWeb, ct);

    [Task(Cost = Latency.SummarizeNews)]
    public static Task<Digest> SummarizeNews(Page fetchNews, CancellationToken ct) => Tools.Summarize("news", fetchNews, Latency.SummarizeNews, ct);

    [Task(Cost = Latency.SummarizePapers)]
    public static Task<Digest> SummarizePapers(Page fetchPapers, CancellationToken ct) => Tools.Summarize("papers", fetchPapers, Latency.SummarizePapers, ct);

    /// <summary>A model call that compares the three digests.</summary>
    [Task(Cost = Latency.CrossCheck)]
    public static async Task<Verdict> CrossCheck(Digest summarizeWeb, Digest summarizeNews, Digest summarizePapers, CancellationToken ct)
    {
        await Task.Delay(Latency.CrossCheck, ct).ConfigureAwait(false);
        Digest[] digests = { summarizeWeb, summarizeNews, summarizePapers };
        string[] agreed = digests.Select(d => d.Claim.Split(';')[0]).Distinct().ToArray();
        string[] disputed = digests.Where(d => d.Claim.Contains("disputed")).Select(d => $"cycle life ({d.Source})").ToArray();
        return new Verdict(agreed, disputed);
    }

    /// <summary>A model call that writes the answer from the verdict.</summary>
    [Task(Cost = Latency.Draft)]
    public static async Task<string> Draft(string question, Verdict crossCheck, CancellationToken ct)
    {
        await Task.Delay(Latency.Draft, ct).ConfigureAwait(false);
        string caveat = crossCheck.Disputed.Count == 0 ? string.Empty : $" Sources disagree on: {string.Join(", ", crossCheck.Disputed)}.";
        return $"Q: {question}\nA: {string.Join("; ", crossCheck.Agreed)}.{caveat}";
    }

    /// <summary>Attaches the fetched pages as citations.</summary>
    [Task(Cost = Latency.Cite)]
    public static async Task<Answer> Cite(string draft, Page fetchWeb, Page fetchNews, Page fetchPapers, CancellationToken ct)
    {
        await Task.Delay(Latency.Cite, ct).ConfigureAwait(false);
        return new Answer(draft, new List<string> { fetchWeb.Url, fetchNews.Url, fetchPapers.Url });
    }
}
