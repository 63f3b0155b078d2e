using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln;

namespace ResumableIngest;

/// <summary>One input file's orders, summed.</summary>
public sealed record FileTotals(string File, int Orders, decimal Amount, string TopCustomer);

/// <summary>The whole batch.</summary>
public sealed record BatchReport(int Files, int Orders, decimal Amount, string TopCustomer, string Digest);

/// <summary>
/// A durable ingest: list the batch's files, parse each (a map: one item per file, each stored as it completes), then
/// total and report. Killed at any point, a rerun with the same run id restores what completed and does only the rest.
/// </summary>
[Pipeline(Durable = true)]
public static partial class Ingest
{
    private static int s_parsed;

    /// <summary>Files parsed by this process (restored ones are not).</summary>
    public static int ParsedHere => Volatile.Read(ref s_parsed);

    [Task]
    public static string[] Files(string directory) =>
        Directory.GetFiles(directory, "orders-*.csv").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    [Map(MaxConcurrency = 4, Retries = 2)]
    public static async Task<FileTotals> Parse(string files, int delayMs, CancellationToken cancellationToken)
    {
        // Stands in for slow work per file: a remote parser, a model call.
        await Task.Delay(delayMs, cancellationToken);
        int orders = 0;
        decimal amount = 0;
        var byCustomer = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (string line in await File.ReadAllLinesAsync(files, cancellationToken))
        {
            string[] fields = line.Split(',');
            decimal value = decimal.Parse(fields[1], CultureInfo.InvariantCulture);
            orders++;
            amount += value;
            byCustomer[fields[0]] = byCustomer.GetValueOrDefault(fields[0]) + value;
        }

        Interlocked.Increment(ref s_parsed);
        string top = byCustomer.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).FirstOrDefault() ?? "-";
        return new FileTotals(Path.GetFileName(files), orders, amount, top);
    }

    [Task]
    public static decimal Amount(FileTotals[] parse) => parse.Sum(t => t.Amount);

    [Task]
    public static string Digest(FileTotals[] parse)
    {
        ulong hash = 14695981039346656037UL;
        foreach (FileTotals totals in parse)
        {
            foreach (char c in $"{totals.File}|{totals.Orders}|{totals.Amount.ToString(CultureInfo.InvariantCulture)}|{totals.TopCustomer};")
            {
                hash = (hash ^ c) * 1099511628211UL;
            }
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    [Task]
    public static BatchReport Report(FileTotals[] parse, decimal amount, string digest) =>
        new(parse.Length, parse.Sum(t => t.Orders), amount,
            parse.GroupBy(t => t.TopCustomer).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key,
            digest);
}
