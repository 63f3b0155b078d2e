using System.Collections.Generic;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>Pipelines a user might have on screen mid-edit: broken syntax, wrong shapes, half-typed attributes.</summary>
public static class BrokenPipelines
{
    public const string Valid = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Kiln;

        namespace Shop;

        [Pipeline]
        public static partial class Orders
        {
            [Task] public static async Task<string> Fetch(Uri source, CancellationToken ct) { await Task.Delay(1, ct); return "1,2,3"; }
            [Task] public static int[] Parse(string fetch) => Array.ConvertAll(fetch.Split(','), int.Parse);
            [Task(Cost = 4)] public static int Sum([From(nameof(Parse))] int[] values) => values.Length;
            [Task] public static int[] Histogram(int[] parse, int bins) => new int[bins];
            [Task, After(nameof(Sum))] public static void Log(int sum) { }
            [Task, Output] public static string Render(int sum, int[] histogram) => $"{sum} {histogram.Length}";
        }
        """;

    private const string Usings = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Kiln;\n";

    private static string Wrap(string members) => Usings + "[Pipeline]\npublic static partial class P\n{\n" + members + "\n}\n";

    public static IEnumerable<(string Name, string Source)> All()
    {
        // Syntax errors.
        yield return ("missing closing brace", Usings + "[Pipeline] public static partial class P { [Task] public static int A() => 1;");
        yield return ("missing method body brace", Wrap("[Task] public static int A() { return 1;"));
        yield return ("missing semicolon", Wrap("[Task] public static int A() => 1\n[Task] public static int B(int a) => a;"));
        yield return ("missing return type", Wrap("[Task] public static A() => 1;"));
        yield return ("missing method name", Wrap("[Task] public static int () => 1;"));
        yield return ("missing parameter list", Wrap("[Task] public static int A => 1;"));
        yield return ("unclosed parameter list", Wrap("[Task] public static int A(int x => 1;"));
        yield return ("unclosed attribute", Wrap("[Task public static int A() => 1;"));
        yield return ("attribute on nothing", Wrap("[Task]"));
        yield return ("empty attribute list", Wrap("[] public static int A() => 1;"));
        yield return ("half-typed attribute", Wrap("[Ta] public static int A() => 1;"));
        yield return ("pipeline attribute alone", Usings + "[Pipeline]");
        yield return ("pipeline attribute on nothing in a namespace", Usings + "namespace N { [Pipeline] }");
        yield return ("class without name", Usings + "[Pipeline] public static partial class { [Task] public static int A() => 1; }");
        yield return ("garbage", Usings + "[Pipeline] @@@ ### class P {{{ [Task] static int");
        yield return ("only a using", "using Kiln;");
        yield return ("empty file", string.Empty);

        // Unknown types and members.
        yield return ("unknown return type", Wrap("[Task] public static Widget A() => null!;\n[Task] public static int B(Widget a) => 1;"));
        yield return ("unknown parameter type", Wrap("[Task] public static int A(Gadget gadget) => 1;"));
        yield return ("unknown generic return", Wrap("[Task] public static Task<Widget> A() => null!;"));
        yield return ("unknown attribute argument", Wrap("[Task(Cost = Missing.Value)] public static int A() => 1;"));
        yield return ("cost of the wrong type", Wrap("[Task(Cost = \"heavy\")] public static int A() => 1;"));
        yield return ("unknown named argument", Wrap("[Task(Weight = 3)] public static int A() => 1;"));
        yield return ("negative cost", Wrap("[Task(Cost = -5)] public static int A() => 1;"));

        // [From] and [After] arguments.
        yield return ("From without argument", Wrap("[Task] public static int A() => 1;\n[Task] public static int B([From] int x) => x;"));
        yield return ("From with null", Wrap("[Task] public static int A() => 1;\n[Task] public static int B([From(null)] int x) => x;"));
        yield return ("From with non-constant", Wrap("static string name = \"A\";\n[Task] public static int A() => 1;\n[Task] public static int B([From(name)] int x) => x;"));
        yield return ("From with an int", Wrap("[Task] public static int A() => 1;\n[Task] public static int B([From(42)] int x) => x;"));
        yield return ("From with two arguments", Wrap("[Task] public static int A() => 1;\n[Task] public static int B([From(\"A\", \"B\")] int x) => x;"));
        yield return ("From naming an unknown node", Wrap("[Task] public static int B([From(\"Nope\")] int x) => x;"));
        yield return ("From naming itself", Wrap("[Task] public static int B([From(nameof(B))] int x) => x;"));
        yield return ("After empty", Wrap("[Task] public static int A() => 1;\n[Task, After()] public static int B() => 2;"));
        yield return ("After with null", Wrap("[Task] public static int A() => 1;\n[Task, After(null)] public static int B() => 2;"));
        yield return ("After with a null element", Wrap("[Task] public static int A() => 1;\n[Task, After(\"A\", null)] public static int B() => 2;"));
        yield return ("After with non-constant", Wrap("static string name = \"A\";\n[Task] public static int A() => 1;\n[Task, After(name)] public static int B() => 2;"));
        yield return ("After naming an unknown node", Wrap("[Task, After(\"Nope\")] public static int B() => 2;"));
        yield return ("After naming itself", Wrap("[Task, After(nameof(B))] public static int B() => 2;"));
        yield return ("After with an array", Wrap("[Task] public static int A() => 1;\n[Task, After(new[] { \"A\" })] public static int B() => 2;"));

        // Declarations that are not static partial classes.
        yield return ("pipeline on a struct", Usings + "[Pipeline] public partial struct P { [Task] public static int A() => 1; }");
        yield return ("pipeline on a record", Usings + "[Pipeline] public partial record P { [Task] public static int A() => 1; }");
        yield return ("pipeline on a record struct", Usings + "[Pipeline] public partial record struct P { [Task] public static int A() => 1; }");
        yield return ("pipeline on an interface", Usings + "[Pipeline] public partial interface P { [Task] public static int A() => 1; }");
        yield return ("pipeline on an enum", Usings + "[Pipeline] public enum P { A }");
        yield return ("pipeline on a generic class", Usings + "[Pipeline] public static partial class P<T> { [Task] public static T A(T input) => input; }");
        yield return ("pipeline on a non-partial class", Usings + "[Pipeline] public static class P { [Task] public static int A() => 1; }");
        yield return ("pipeline on a non-static class", Usings + "[Pipeline] public partial class P { [Task] public static int A() => 1; }");
        yield return ("pipeline nested in a non-partial class", Usings + "public class Outer { [Pipeline] public static partial class P { [Task] public static int A() => 1; } }");
        yield return ("pipeline nested in a generic class", Usings + "public partial class Outer<T> { [Pipeline] public static partial class P { [Task] public static int A() => 1; } }");
        yield return ("pipeline nested in a struct", Usings + "public partial struct Outer { [Pipeline] public static partial class P { [Task] public static int A() => 1; } }");
        yield return ("pipeline nested in an interface", Usings + "public partial interface IOuter { [Pipeline] public static partial class P { [Task] public static int A() => 1; } }");
        yield return ("pipeline in a method", Usings + "public static class Outer { static void M() { [Pipeline] static int Local() => 1; } }");
        yield return ("pipeline on a delegate", Usings + "[Pipeline] public delegate int P();");
        yield return ("pipeline twice on one class", Usings + "[Pipeline] public static partial class P { [Task] public static int A() => 1; }\n[Pipeline] public static partial class P { [Task] public static int B(int a) => a; }");
        yield return ("partial class split over two parts", Usings + "[Pipeline] public static partial class P { [Task] public static int A() => 1; }\npublic static partial class P { [Task] public static int B(int a) => a; }");
        yield return ("two classes with one name in two namespaces", Usings + "namespace X { [Pipeline] public static partial class P { [Task] public static int A() => 1; } }\nnamespace Y { [Pipeline] public static partial class P { [Task] public static int A() => 1; } }");
        yield return ("pipeline class named like a generated member", Usings + "[Pipeline] public static partial class Result { [Task] public static int A() => 1; [Task] public static int B() => 2; }");

        // Node methods of the wrong shape.
        yield return ("ref parameter", Wrap("[Task] public static int A() => 1;\n[Task] public static int B(ref int a) => a;"));
        yield return ("out parameter", Wrap("[Task] public static void B(out int x) { x = 1; }"));
        yield return ("in parameter bound to a node", Wrap("[Task] public static int A() => 1;\n[Task] public static int B(in int a) => a;"));
        yield return ("ref return", Wrap("static int s;\n[Task] public static ref int A() => ref s;"));
        yield return ("params parameter", Wrap("[Task] public static int A(params int[] values) => values.Length;"));
        yield return ("optional parameter", Wrap("[Task] public static int A(int value = 3) => value;"));
        yield return ("pointer parameter", Wrap("[Task] public static unsafe int A(int* value) => *value;"));
        yield return ("generic method", Wrap("[Task] public static T A<T>(T input) => input;"));
        yield return ("instance method", Wrap("[Task] public int A() => 1;"));
        yield return ("abstract-like extern method", Wrap("[Task] public static extern int A();"));
        yield return ("partial method without body", Wrap("[Task] public static partial int A();"));
        yield return ("expression-bodied partial method", Wrap("[Task] public static partial int A() => 1;\npublic static partial int A();"));
        yield return ("partial void", Wrap("[Task] static partial void A();"));
        yield return ("constructor with Task", Wrap("[Task] static P() { }"));
        yield return ("operator with Task", Wrap("[Task] public static int operator +(P a, P b) => 1;"));
        yield return ("local function with Task", Wrap("public static void M() { [Task] static int Local() => 1; }"));
        yield return ("property with Task", Wrap("[Task] public static int A => 1;"));
        yield return ("two kinds on one method", Wrap("[Task, Kernel] public static float A(float x) => x;"));

        // Maps (SPEC section 10): whatever is wrong, the generated code compiles.
        yield return ("map over nothing", Wrap("[Map] public static int A() => 1;"));
        yield return ("map over an input array", Wrap("[Map] public static int A(int[] values) => values.Length;"));
        yield return ("map over a missing type", Wrap("[Task] public static Missing[] A() => null!;\n[Map] public static int B(Missing a) => 1;"));
        yield return ("map returning a ref struct", Wrap("[Task] public static int[] A() => new int[1];\n[Map] public static Span<int> B(int a) => default;"));
        yield return ("map returning a pointer", Wrap("[Task] public static int[] A() => new int[1];\n[Map] public static unsafe int* B(int a) => null;"));
        yield return ("map returning Task of a missing type", Wrap("[Task] public static int[] A() => new int[1];\n[Map] public static Task<Missing> B(int a) => null!;"));
        yield return ("map with negative settings", Wrap("[Task] public static int[] A() => new int[1];\n[Map(MaxConcurrency = -3, Retries = -1, TimeoutMs = -5)] public static int B(int a) => a;"));
        yield return ("map over a collection of collections", Wrap("[Task] public static int[][] A() => new int[1][];\n[Map] public static int B(int[] a) => a.Length;\n[Task] public static int C(int[] b) => b.Length;"));
        yield return ("map with a by-ref item", Wrap("[Task] public static int[] A() => new int[1];\n[Map] public static int B(ref int a) => a;"));
        yield return ("map reading itself", Wrap("[Map] public static int A(int a) => a;"));
        yield return ("map in a cycle", Wrap("[Map] public static int A(int b) => b;\n[Map] public static int B(int a) => a;"));
        yield return ("map on a reduction", Wrap("[Task] public static float[] A() => new float[1];\n[Reduce, Map] public static float B(float acc, float a) => acc + a;"));
        yield return ("generic map", Wrap("[Task] public static int[] A() => new int[1];\n[Map] public static T B<T>(T a) => a;"));
        yield return ("instance map", Wrap("[Task] public static int[] A() => new int[1];\n[Map] public int B(int a) => a;"));
        yield return ("retries on a task returning a ref struct", Wrap("[Task(Retries = 2)] public static Span<int> A() => default;"));
        yield return ("timeout on a void task beside a map", Wrap("[Task(TimeoutMs = 10)] public static void A() { }\n[Task] public static int[] B() => new int[1];\n[Map(Retries = 1)] public static async Task C(int b) => await Task.Yield();"));
        yield return ("map over a nullable list", Wrap("[Task] public static System.Collections.Generic.List<string?> A() => new();\n[Map] public static int B(string a) => a.Length;"));
        yield return ("iterator node", Wrap("[Task] public static System.Collections.Generic.IEnumerable<int> A() { yield return 1; }"));
        yield return ("async void node", Wrap("[Task] public static async void A() { await Task.Yield(); }"));
        yield return ("returns Task of Task", Wrap("[Task] public static Task<Task<int>> A() => Task.FromResult(Task.FromResult(1));\n[Task] public static int B(Task<int> a) => 1;"));
        yield return ("returns a tuple", Wrap("[Task] public static (int X, string Y) A() => (1, \"\");\n[Task] public static int B((int X, string Y) a) => a.X;"));
        yield return ("returns a nullable", Wrap("[Task] public static string? A() => null;\n[Task] public static int B(string? a) => a?.Length ?? 0;"));
        yield return ("returns dynamic", Wrap("[Task] public static dynamic A() => 1;\n[Task] public static int B(int a) => a;"));
        yield return ("returns a ref struct", Wrap("[Task] public static Span<int> A() => default;\n[Task] public static int B(Span<int> a) => a.Length;"));
        yield return ("returns a pointer", Wrap("[Task] public static unsafe int* A() => null;"));
        yield return ("returns an unbound generic", Wrap("[Task] public static Task<> A() => null!;"));
        yield return ("returns a type parameter of the class", Usings + "[Pipeline] public static partial class P<T> { [Task] public static T A() => default!; }");

        // Names.
        yield return ("duplicate names (overloads)", Wrap("[Task] public static int A() => 1;\n[Task] public static int A(int x) => x;\n[Task] public static int B(int a) => a;"));
        yield return ("names differing only in case", Wrap("[Task] public static int Load() => 1;\n[Task] public static int load() => 2;\n[Task] public static int Use(int LOAD) => LOAD;"));
        yield return ("unicode names", Wrap("[Task] public static int Größe() => 1;\n[Task] public static int 计算(int größe) => größe;\n[Task] public static string Ausgabe(int 计算) => $\"{计算}\";"));
        yield return ("keyword names", Wrap("[Task] public static int @class() => 1;\n[Task] public static int @event(int @class) => @class;"));
        yield return ("unicode escapes in names", Wrap("[Task] public static int \\u0041lpha() => 1;\n[Task] public static int Beta(int alpha) => alpha;"));
        yield return ("input named options", Wrap("[Task] public static int A(int options, int cancellationToken) => options;"));
        yield return ("input named like the run class", Wrap("[Task] public static int A(int __KilnRun) => __KilnRun;"));
        yield return ("node named like a generated member", Wrap("[Task] public static int RunAsync() => 1;\n[Task] public static int Graph() => 2;"));
        yield return ("node named Result with several sinks", Wrap("[Task] public static int Result() => 1;\n[Task] public static int Other() => 2;"));

        // Binding mistakes.
        yield return ("type mismatch", Wrap("[Task] public static int A() => 1;\n[Task] public static string B(string a) => a;"));
        yield return ("input types disagree", Wrap("[Task] public static int A(int size) => size;\n[Task] public static int B(string size) => 1;"));
        yield return ("binding to a void node", Wrap("[Task] public static void A() { }\n[Task] public static int B(int a) => a;"));
        yield return ("binding to a Task node", Wrap("[Task] public static Task A() => Task.CompletedTask;\n[Task] public static int B(int a) => a;"));
        yield return ("self cycle", Wrap("[Task] public static int A(int a) => a;"));
        yield return ("two-node cycle", Wrap("[Task] public static int A(int b) => b;\n[Task] public static int B(int a) => a;"));
        yield return ("cycle through After", Wrap("[Task, After(nameof(B))] public static int A() => 1;\n[Task] public static int B(int a) => a;"));
        yield return ("a cycle behind a valid prefix", Wrap("[Task] public static int S() => 1;\n[Task] public static int A(int s, int c) => s;\n[Task] public static int B(int a) => a;\n[Task] public static int C(int b) => b;"));

        // Attributes that only look like Kiln's.
        yield return ("Pipeline attribute from another namespace", "using System;\nnamespace Other { public sealed class PipelineAttribute : Attribute { } public sealed class TaskAttribute : Attribute { } }\nnamespace User { using Other; [Pipeline] public static partial class P { [Task] public static int A() => 1; } }");
        yield return ("Kiln namespace nested elsewhere", "using System;\nnamespace Outer.Kiln { public sealed class PipelineAttribute : Attribute { } }\nnamespace User { [Outer.Kiln.Pipeline] public static partial class P { } }");
        yield return ("Task attribute from another namespace in a Kiln pipeline", "using Kiln;\nnamespace Other { public sealed class TaskAttribute : System.Attribute { } }\nnamespace User { [Pipeline] public static partial class P { [Other.Task] public static int A() => 1; [Kiln.Task] public static int B() => 2; } }");
        yield return ("aliased attribute", "using Step = Kiln.TaskAttribute;\nusing Flow = Kiln.PipelineAttribute;\n[Flow] public static partial class P { [Step] public static int A() => 1; }");
        yield return ("fully qualified attributes", "[global::Kiln.Pipeline] public static partial class P { [global::Kiln.Task] public static int A() => 1; }");

        // Kernels, reductions and stages half-written.
        yield return ("kernel with a string", Wrap("[Kernel] public static string K(string s) => s;"));
        yield return ("kernel over a missing stream", Wrap("[Kernel] public static float K(float load) => load;"));
        yield return ("reduce without parameters", Wrap("[Reduce] public static float R() => 0;"));
        yield return ("reduce with identity of the wrong type", Wrap("[Task] public static float[] L() => new float[1];\n[Reduce(Identity = \"zero\")] public static float R(float acc, float l) => acc + l;"));
        yield return ("stage without pipes", Wrap("[Stage] public static Task S() => Task.CompletedTask;"));
        yield return ("index on a non-int", Wrap("[Task] public static float[] L() => new float[1];\n[Kernel] public static float K([Index] float i, float l) => l;"));
    }
}
