using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>
/// One minimal mistake per KILN error rule, as members of a pipeline class. Every name a mistake declares ends in a
/// suffix, so any set of distinct mistakes can share one class without binding to each other.
/// </summary>
/// <param name="Id">The KILN error the mistake must get.</param>
/// <param name="Name">What the mistake is.</param>
/// <param name="Members">The class's members for a suffix.</param>
/// <param name="ClassHeader">A class declaration replacing the valid one, for a mistake in the class itself; null otherwise.</param>
public sealed record Mistake(string Id, string Name, Func<string, string> Members, string? ClassHeader = null)
{
    public override string ToString() => $"{Id} {Name}";
}

public static class Mistakes
{
    public const string Usings = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing System.IO.Pipelines;\nusing Kiln;\n";

    private const string ValidHeader = "public static partial class P";

    public static IReadOnlyList<Mistake> All { get; } = new Mistake[]
    {
        new("KILN001", "two-node cycle", s => $"[Task] public static int Cy{s}(int cz{s}) => cz{s};\n[Task] public static int Cz{s}(int cy{s}) => cy{s};"),
        new("KILN002", "pipeline class not static", s => $"[Task] public static int Ns{s}() => 1;", "public partial class P"),
        new("KILN002", "pipeline class generic", s => $"[Task] public static int Gc{s}() => 1;", "public static partial class P<TItem>"),
        new("KILN003", "generic node", s => $"[Task] public static T Gen{s}<T>(T gen{s}In) => gen{s}In;"),
        new("KILN004", "parameter type mismatch", s => $"[Task] public static int Mm{s}() => 1;\n[Task] public static string Mn{s}(string mm{s}) => mm{s};"),
        new("KILN005", "one input with two types", s => $"[Task] public static int Ia{s}(int in{s}) => in{s};\n[Task] public static int Ib{s}(string in{s}) => 1;"),
        new("KILN006", "[From] names no node", s => $"[Task] public static int Fr{s}([From(\"Nowhere{s}\")] int x) => x;"),
        new("KILN007", "binds to a void node", s => $"[Task] public static void Vo{s}() {{ }}\n[Task] public static int Vw{s}(int vo{s}) => vo{s};"),
        new("KILN008", "two overloads of one node", s => $"[Task] public static int Twice{s}(int tw{s}) => tw{s} * 2;\n[Task] public static int Twice{s}(string tw{s}S) => 2;"),
        new("KILN009", "kernel over strings", s => $"[Kernel] public static string Ks{s}(string ks{s}In) => ks{s}In;"),
        new("KILN010", "reduction without parameters", s => $"[Reduce] public static float Rd{s}() => 0;"),
        new("KILN011", "stage without pipes", s => $"[Stage] public static Task St{s}() => Task.CompletedTask;"),
        new("KILN012", "task and kernel at once", s => $"[Task, Kernel] public static float Tk{s}(float tk{s}In) => tk{s}In;"),
        new("KILN006", "[When] names no node", s => $"[Task, When(\"Nowhere{s}\")] public static int Wn{s}() => 1;"),
        new("KILN013", "[When] on an int node", s => $"[Task] public static int Wi{s}() => 1;\n[Task, When(nameof(Wi{s}))] public static int Wj{s}() => 2;"),
        new("KILN013", "[When] on a void node, its skippable sink in the result", s => $"[Task] public static void Wv{s}() {{ }}\n[Task, When(nameof(Wv{s}), false)] public static int Ww{s}() => 2;"),
        new("KILN015", "[When] on a kernel", s => Stream(s) + $"[Task] public static bool Wb{s}() => true;\n[Kernel, When(nameof(Wb{s}))] public static float Wk{s}(float ld{s}) => ld{s};"),
        new("KILN015", "[When] on a stage", s => $"[Task] public static bool Wc{s}() => true;\n[Stage, When(nameof(Wc{s}))] public static async Task Ws{s}(PipeReader input{s}, PipeWriter output) => await input{s}.CopyToAsync(output);"),
        new("KILN014", "map over no collection", s => $"[Map] public static int Mp{s}(int mp{s}In) => mp{s}In;"),
        new("KILN014", "map over two collections", s => $"[Task] public static int[] Ma{s}() => new int[2];\n[Task] public static string[] Mb{s}() => new string[2];\n[Map] public static int Mc{s}(int ma{s}, string mb{s}) => ma{s};"),
        new("KILN014", "map index that is a string", s => $"[Task] public static int[] Md{s}() => new int[2];\n[Map] public static int Me{s}(int md{s}, [Index] string at{s}) => md{s};"),
        new("KILN015", "map on a kernel", s => Stream(s) + $"[Kernel, Map] public static float Km{s}(float ld{s}) => ld{s};"),
        new("KILN015", "map on a stage", s => $"[Stage, Map] public static Task<int> Sm{s}(PipeReader sm{s}In) => Task.FromResult(1);"),
        new("KILN101", "allocation in a kernel", s => Stream(s) + $"[Kernel] public static float Ka{s}(float ld{s}) {{ var taps = new float[3]; return ld{s} + taps[0]; }}"),
        new("KILN102", "throw in a kernel", s => Stream(s) + $"[Kernel] public static float Kt{s}(float ld{s}) => ld{s} >= 0 ? ld{s} : throw new InvalidOperationException();"),
        new("KILN103", "call without device counterpart", s => Stream(s) + $"[Kernel] public static int Kc{s}(float ld{s}) => (int)ld{s} + Environment.ProcessorCount;"),
        new("KILN104", "foreach in a kernel", s => Stream(s) + $"[Kernel] public static float Kf{s}(float ld{s}) {{ float sum = ld{s}; foreach (float tap in new[] {{ 1f, 2f }}) sum += tap; return sum; }}"),
        new("KILN105", "recursion in a kernel", s => Stream(s) + $"[Kernel] public static float Kr{s}(float ld{s}) => Halve{s}(ld{s});\nprivate static float Halve{s}(float v) => v < 1 ? v : Halve{s}(v / 2);"),
        new("KILN106", "decimal in a kernel", s => Stream(s) + $"[Kernel] public static float Kd{s}(float ld{s}) {{ decimal exact = 1.5m; return ld{s} + (float)exact; }}"),
        new("KILN107", "static field in a kernel", s => Stream(s) + $"private static float s_scale{s} = 2f;\n[Kernel] public static float Ksf{s}(float ld{s}) => ld{s} * s_scale{s};"),
        new("KILN017", "node named Graph", _ => "[Task] public static int Graph() => 1;"),
        new("KILN017", "node named RunAsync", _ => "[Task] public static int RunAsync(int runInput) => runInput;"),
        new("KILN017", "node named Result beside another sink", s => $"[Task] public static int Result() => 1;\n[Task] public static int Other{s}() => 2;"),
        new("KILN017", "helper method named __KilnRun", _ => "private static void __KilnRun() { }"),
        new("KILN017", "sink named ToString beside another sink", s => $"[Task] public static int ToString(int ts{s}) => ts{s};\n[Task] public static int Other{s}() => 2;"),
        new("KILN018", "sink returns a private type", s => $"private sealed class Secret{s} {{ }}\n[Task] private static Secret{s} Hidden{s}() => new();"),
        new("KILN018", "input of a private type", s => $"private struct Key{s} {{ }}\n[Task] private static int Lock{s}(Key{s} key{s}) => 1;"),
        new("KILN019", "sink returns a Span", s => $"[Task] public static Span<int> Sp{s}() => default;"),
        new("KILN019", "input is a ReadOnlySpan", s => $"[Task] public static int Rs{s}(ReadOnlySpan<char> text{s}) => text{s}.Length;"),
    };

    /// <summary>The valid part every pipeline of these tests starts from: a task chain with one input.</summary>
    public static string ValidMembers => "[Task] public static int Base(int seed) => seed + 1;\n[Task] public static string Show(int @base) => @base.ToString();";

    /// <summary>A pipeline with the valid members and <paramref name="mistakes"/>, each with its own suffix.</summary>
    public static string Pipeline(IReadOnlyList<Mistake> mistakes)
    {
        string header = mistakes.Select(m => m.ClassHeader).FirstOrDefault(h => h is not null) ?? ValidHeader;
        string members = string.Join("\n", mistakes.Select((m, i) => m.Members("M" + i)));
        return Usings + "namespace Shop;\n[Pipeline]\n" + header + "\n{\n" + ValidMembers + "\n" + members + "\n}\n";
    }

    // A float stream for a kernel to read, named ld{s} like the kernels' parameter.
    private static string Stream(string s) => $"[Task] public static float[] Ld{s}() => new float[4];\n";
}
