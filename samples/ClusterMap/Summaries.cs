using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace ClusterMap
{
    /// <summary>A document to summarize.</summary>
    public sealed record Document(int Id, string Text);

    /// <summary>What one item came to, and which process computed it.</summary>
    public sealed record Summary(int Id, int Words, int Longest, string Worker);

    /// <summary>
    /// Summarizes documents: the map runs on the cluster's silos when <c>KilnOptions.Cluster</c> is set, here when not.
    /// </summary>
    [Pipeline]
    public static partial class Summaries
    {
        /// <summary>The name of this process's silo, or "local".</summary>
        public static string Worker { get; set; } = "local";

        [Task]
        public static Document[] Documents(int count) =>
            Enumerable.Range(0, count)
                .Select(i => new Document(i, string.Join(' ', Enumerable.Range(0, 50 + (i * 37 % 200)).Select(w => new string('a', 1 + ((w * 7 + i) % 12))))))
                .ToArray();

        // Each item "takes a while" (workMs of cooperative waiting), as a call to a model or a service would.
        [Map(Distributed = true, MaxConcurrency = 12, Retries = 1)]
        public static async Task<Summary> Summarize(Document documents, int workMs, CancellationToken ct)
        {
            await Task.Delay(workMs, ct);
            string[] words = documents.Text.Split(' ');
            return new Summary(documents.Id, words.Length, words.Max(w => w.Length), Worker);
        }

        [Task]
        public static string Report(Summary[] summarize) =>
            $"{summarize.Length} documents, {summarize.Sum(s => s.Words)} words; by worker: "
            + string.Join(", ", summarize.GroupBy(s => s.Worker).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"));
    }
}
