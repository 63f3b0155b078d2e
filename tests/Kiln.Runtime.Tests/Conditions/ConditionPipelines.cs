using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Conditions;

// Disputed decides: FactCheck runs when it returns true, Accept when it returns false; Answer takes whichever ran.
[Pipeline]
public static partial class Branching
{
    [Task] public static bool Disputed(int score) => score > 5;

    [Task, When(nameof(Disputed))] public static async Task<string> FactCheck(int score) { await Task.Yield(); return "checked " + score; }

    [Task, When(nameof(Disputed), false)] public static string Accept(int score) => "accepted " + score;

    [Task] public static string Answer(Optional<string> factCheck, Optional<string> accept) => factCheck.HasValue ? factCheck.Value : accept.Value;
}

// First is conditional; Second and Third read it without Optional, so they are skipped with it. Last takes Third as
// Optional and runs after it ([After] on a skipped node is satisfied).
[Pipeline]
public static partial class SkipChain
{
    [Task] public static bool Gate(bool enabled) => enabled;

    [Task, When(nameof(Gate))] public static int First(int x, ConcurrentQueue<string> log) { log.Enqueue("First"); return x + 1; }

    [Task] public static async ValueTask<int> Second(int first, ConcurrentQueue<string> log) { await Task.Yield(); log.Enqueue("Second"); return first * 2; }

    [Task] public static int Third(int second, ConcurrentQueue<string> log) { log.Enqueue("Third"); return second + 1; }

    [Task, After(nameof(Third))] public static int Last(Optional<int> third, int x, ConcurrentQueue<string> log) { log.Enqueue("Last"); return third.GetValueOrDefault(-x); }
}

// A condition node that is itself conditional: when Outer is false, Inner is skipped, and so is Guarded.
[Pipeline]
public static partial class NestedCondition
{
    [Task] public static bool Outer(bool outerValue) => outerValue;

    [Task, When(nameof(Outer))] public static bool Inner(bool innerValue) => innerValue;

    [Task, When(nameof(Inner))] public static string Guarded(ConcurrentQueue<string> log) { log.Enqueue("Guarded"); return "ran"; }

    [Task] public static string Report(Optional<string> guarded) => guarded.GetValueOrDefault("skipped");
}

// [After] on a node that a condition skips: Later still runs, after it.
[Pipeline]
public static partial class AfterSkipped
{
    [Task] public static bool Flag(bool on) => on;

    [Task, When(nameof(Flag))] public static void Side(ConcurrentQueue<string> log) => log.Enqueue("Side");

    [Task, After(nameof(Side))] public static string Later(ConcurrentQueue<string> log) { log.Enqueue("Later"); return "later"; }
}

// Two sinks, one of which can be skipped: Result.Value is Optional<int>, Result.Always is int.
[Pipeline]
public static partial class SkippableSinks
{
    [Task] public static bool Flag(bool on) => on;

    [Task, When(nameof(Flag))] public static int Value(int x) => x * 10;

    [Task] public static int Always(int x) => x + 1;
}

// One sink that can be skipped: RunAsync returns Task<Optional<int>>.
[Pipeline]
public static partial class SkippableSink
{
    [Task] public static bool Flag(bool on) => on;

    [Task, When(nameof(Flag), false)] public static async Task<int> Value(int x) { await Task.Yield(); return x * 10; }
}
