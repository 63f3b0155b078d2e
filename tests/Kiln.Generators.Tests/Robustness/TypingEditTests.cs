using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>
/// Edits a user makes while typing (an overload, an input renamed, a node renamed to a generated member's name, a
/// type made private, a node made generic, an attribute deleted...), applied at random to valid pipelines: the
/// generated code never has an error or warning of its own, and the generator never throws.
/// </summary>
public class TypingEditTests(ITestOutputHelper output)
{
    private const int Seed = 3141;
    private const int Cases = 300;

    private static readonly string[] Pipelines =
    {
        BrokenPipelines.Valid,
        Mistakes.Usings + """
            using System.Linq;
            namespace Shop;

            [Pipeline]
            public static partial class Report
            {
                public sealed record Summary(int Count, int Total);

                [Task] public static int[] Parse(string text, int bins) => text.Split(',').Select(int.Parse).Take(bins).ToArray();
                [Task] public static Summary Summarize(int[] parse) => new(parse.Length, parse.Sum());
                [Task] public static int[] Histogram(int[] parse, int bins) => new int[bins];
                [Task] public static async Task<string> Render(Summary summarize, int[] histogram, CancellationToken ct) { await Task.Yield(); return $"{summarize.Count} {histogram.Length}"; }
                [Task, Output] public static Summary Final(Summary summarize) => summarize;
            }
            """,
        Mistakes.Usings + """
            internal sealed class Frame { public float[] Pixels = new float[4]; }

            [Pipeline]
            public static partial class Tone
            {
                [Task] internal static Frame Decode(int width) => new Frame { Pixels = new float[width] };
                [Task] internal static float[] Load(Frame decode) => decode.Pixels;
                [Kernel] public static float Exposure(float load, float ev) => load * MathF.Pow(2f, ev);
                [Kernel] public static float Gamma(float exposure, float gamma) => MathF.Pow(exposure, 1f / gamma);
                [Reduce(Identity = 0)] public static float Total(float acc, float gamma) => acc + gamma;
                [Task] public static string Encode(float[] gamma, float total) => $"{gamma.Length} {total}";
            }
            """,
        Mistakes.Usings + """
            using System.Collections.Generic;
            using System.Linq;
            public sealed record Page(string Url, int Words);

            [Pipeline]
            public static partial class Crawl
            {
                [Task] public static List<string> Plan(string question, int width) => Enumerable.Range(0, width).Select(i => question + i).ToList();
                [Task] public static bool Deep(int width) => width > 3;
                [Map(Distributed = true, Retries = 1, MaxConcurrency = 4)] public static async Task<Page> Fetch(string plan, [Index] int i, CancellationToken ct) { await Task.Yield(); return new Page(plan, i); }
                [Task(Distributed = true), When(nameof(Deep))] public static int Rank(Page[] fetch, int width) => fetch.Length * width;
                [Task] public static string Answer(Page[] fetch, Optional<int> rank) => $"{fetch.Length} {rank}";
            }
            """,
    };

    private static readonly string[] GeneratedNames = { "Graph", "RunAsync", "Result", "__KilnRun", "ToString", "Equals", "@class", "Task", "Token", "s_plan" };

    private delegate string? Edit(string source, Random random);

    private static readonly (string Name, Edit Apply)[] Edits =
    {
        ("overload a node", (s, r) => Pick(Nodes(s), r) is { } node ? Insert(s, $"[Task] public static int {node}(long overload) => 0;") : null),
        ("rename an input to options", (s, r) => Pick(Inputs(s), r) is { } input ? Word(s, input, "options") : null),
        ("rename an input to cancellationToken", (s, r) => Pick(Inputs(s), r) is { } input ? Word(s, input, "cancellationToken") : null),
        ("rename an input to kilnOptions", (s, r) => Pick(Inputs(s), r) is { } input ? Word(s, input, "kilnOptions") : null),
        ("rename a node to a generated name", (s, r) => Pick(Nodes(s), r) is { } node ? Rename(s, node, GeneratedNames[r.Next(GeneratedNames.Length)]) : null),
        ("make a type private", (s, r) => Replace(s, new Regex(@"(public|internal) sealed (record|class)"), "private sealed $2", r)),
        ("make a type internal", (s, r) => Replace(s, new Regex(@"public sealed (record|class)"), "internal sealed $1", r)),
        ("make a node generic", (s, r) => Pick(Nodes(s), r) is { } node ? new Regex($@"\b{node}\(").Replace(s, node + "<T>(", 1) : null),
        ("make a node private", (s, r) => Replace(s, new Regex(@"\] public static"), "] private static", r)),
        ("delete a node attribute", (s, r) => Replace(s, new Regex(@"\[(Task|Kernel|Reduce)[^\]]*\]"), string.Empty, r)),
        ("delete [Pipeline]", (s, r) => s.Replace("[Pipeline]", string.Empty, StringComparison.Ordinal)),
        ("make the class non-static", (s, r) => s.Replace("public static partial class", "public partial class", StringComparison.Ordinal)),
        ("make the class generic", (s, r) => new Regex(@"(static partial class \w+)").Replace(s, "$1<TItem>", 1)),
        ("make an input a Span", (s, r) => Pick(Inputs(s), r) is { } input ? new Regex($@"\w+ {input}\b").Replace(s, $"Span<int> {input}", 1) : null),
        ("make an input a missing type", (s, r) => Pick(Inputs(s), r) is { } input ? new Regex($@"\w+ {input}\b").Replace(s, $"Widget {input}", 1) : null),
        ("make an output a missing type", (s, r) => Replace(s, new Regex(@"static (int|string|float|Summary|Frame)\b"), "static Gadget", r)),
        ("add a helper named Graph", (s, r) => Insert(s, "private static int Graph => 1;")),
        ("add a nested type named Result", (s, r) => Insert(s, "public sealed class Result { }")),
        ("add a ref parameter", (s, r) => Pick(Inputs(s), r) is { } input ? new Regex($@"(\w+) {input}\b").Replace(s, $"ref $1 {input}", 1) : null),
        ("make a node async void", (s, r) => Replace(s, new Regex(@"static (int|string|float) (\w+)\("), "static async void $2(", r)),
        ("delete a parameter list", (s, r) => Replace(s, new Regex(@"\([^()]*\) =>"), " =>", r)),
        ("make the class file-local", (s, r) => s.Replace("public static partial class", "file static partial class", StringComparison.Ordinal)),
        ("make a type file-local", (s, r) => Replace(s, new Regex(@"(public|internal) sealed (record|class)"), "file sealed $2", r)),
        ("keyword as a node name", (s, r) => Pick(Nodes(s), r) is { } node ? Rename(s, node, "@class") : null),
    };

    [Fact]
    public void Random_typing_edits_of_valid_pipelines_never_break_generated_code()
    {
        var random = new Random(Seed);
        var watch = Stopwatch.StartNew();
        var failures = new List<string>();
        int edited = 0;
        for (int i = 0; i < Cases; i++)
        {
            string source = Pipelines[random.Next(Pipelines.Length)];
            int count = random.Next(1, 4);
            var applied = new List<string>();
            for (int e = 0; e < count; e++)
            {
                var (name, apply) = Edits[random.Next(Edits.Length)];
                if (apply(source, random) is { } changed && changed != source)
                {
                    source = changed;
                    applied.Add(name);
                }
            }

            if (applied.Count == 0)
            {
                continue;
            }

            edited++;
            GeneratedCodeCheck check = GeneratedCodeCheck.Of(source);
            if (check.GeneratedProblems.Count > 0 || check.KilnIds.Contains("AD0001"))
            {
                failures.Add($"seed {Seed}, case {i} ({string.Join(", ", applied)}):\n{source}\n{check.Describe()}");
            }
        }

        output.WriteLine($"{edited} edited pipelines in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(edited >= Cases * 9 / 10, $"only {edited} cases had an edit");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)) + $"\n({failures.Count} of {edited} failed)");
    }

    [Fact]
    public void The_pipelines_the_edits_start_from_are_valid()
    {
        foreach (string source in Pipelines)
        {
            GeneratedCodeCheck check = GeneratedCodeCheck.Of(source);

            Assert.Empty(check.Result.Errors);
            Assert.DoesNotContain(check.KilnIds, id => id != "KILN200");
        }
    }

    private static IReadOnlyList<string> Nodes(string source) =>
        Regex.Matches(source, @"\[(?:Task|Kernel|Reduce|Stage)[^\]]*\]\s*(?:public |private |internal )?static (?:async )?[\w<>\[\]?,.]+ (\w+)\(")
            .Select(m => m.Groups[1].Value).Distinct().ToList();

    // A parameter that names no node: an input.
    private static IReadOnlyList<string> Inputs(string source)
    {
        var nodes = new HashSet<string>(Nodes(source), StringComparer.OrdinalIgnoreCase);
        return Regex.Matches(source, @"[(,]\s*(?:\[[^\]]*\]\s*)?[\w<>\[\]?]+ (\w+)(?=[,)])")
            .Select(m => m.Groups[1].Value)
            .Where(n => !nodes.Contains(n) && n is not ("ct" or "acc" or "overload"))
            .Distinct()
            .ToList();
    }

    private static string? Pick(IReadOnlyList<string> names, Random random) => names.Count == 0 ? null : names[random.Next(names.Count)];

    private static string Word(string source, string from, string to) => Regex.Replace(source, $@"\b{Regex.Escape(from)}\b", to);

    // A node renamed everywhere: its declaration, nameof, and the parameters binding to it by name.
    private static string Rename(string source, string from, string to)
    {
        string lower = char.ToLowerInvariant(from[0]) + from.Substring(1);
        string toLower = to.StartsWith('@') ? to : char.ToLowerInvariant(to[0]) + to.Substring(1);
        return Word(Word(source, from, to), lower, toLower);
    }

    private static string Insert(string source, string member)
    {
        int brace = source.IndexOf('{', source.IndexOf("partial class", StringComparison.Ordinal));
        return brace < 0 ? source : source.Insert(brace + 1, "\n    " + member);
    }

    private static string? Replace(string source, Regex pattern, string replacement, Random random)
    {
        MatchCollection matches = pattern.Matches(source);
        if (matches.Count == 0)
        {
            return null;
        }

        Match match = matches[random.Next(matches.Count)];
        return source.Substring(0, match.Index) + match.Result(replacement) + source.Substring(match.Index + match.Length);
    }
}
