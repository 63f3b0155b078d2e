using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Orleans.TestSilo
{
    /// <summary>One item's result: its value, and where and when it was computed.</summary>
    public sealed record Scored(int Index, long Value, string Process, long FinishedTicks);

    /// <summary>A distributed map over numbers; each item sleeps <c>delayMs</c> (cooperatively) then scores its number.</summary>
    [Pipeline]
    public static partial class Spread
    {
        [Task]
        public static int[] Numbers(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => random.Next(-1000, 1000)).ToArray();
        }

        [Map(Distributed = true, MaxConcurrency = 12)]
        public static async Task<Scored> Score(int numbers, [Index] int i, string salt, int delayMs, CancellationToken ct)
        {
            if (delayMs > 0)
            {
                await Task.Delay(delayMs, ct);
            }

            return new Scored(i, Expected(numbers, i, salt), Environment.GetEnvironmentVariable("KILN_TEST_SILO") ?? "in-process", DateTime.UtcNow.Ticks);
        }

        [Task]
        public static long Total(Scored[] score) => score.Sum(s => s.Value);

        [Task, Output]
        public static Scored[] Items(Scored[] score) => score;

        /// <summary>What an item must come to, computed here for the tests' reference.</summary>
        public static long Expected(int number, int index, string salt) => (long)number * number + index * 7L + salt.Length;
    }

    /// <summary>A distributed task, a distributed map with an optional argument and a void map, beside local nodes.</summary>
    [Pipeline]
    public static partial class Mixed
    {
        [Task] public static List<string> Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();

        [Task] public static bool Shout(string text) => text.EndsWith('!');

        [Task, When(nameof(Shout))] public static string Suffix(string text) => "!!";

        [Task(Distributed = true)]
        public static Dictionary<string, int> Counts(List<string> words, int minLength) =>
            words.Where(w => w.Length >= minLength).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());

        [Map(Distributed = true, MaxConcurrency = 4)]
        public static string Decorate(string words, Optional<string> suffix, Dictionary<string, int> counts) =>
            words.ToUpperInvariant() + (counts.TryGetValue(words, out int n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-") + suffix.GetValueOrDefault("");

        [Map(Distributed = true)]
        public static void Touch(string words)
        {
        }

        [Task] public static string Joined(string[] decorate, [From(nameof(Counts))] Dictionary<string, int> counts) => string.Join(" ", decorate) + "|" + counts.Count;
    }

    /// <summary>Nodes that fail on the silo.</summary>
    [Pipeline]
    public static partial class Failing
    {
        private static int s_attempts;

        public static int Attempts => Volatile.Read(ref s_attempts);

        public static void Reset() => Volatile.Write(ref s_attempts, 0);

        [Task(Distributed = true, Retries = 2)]
        public static int Explode(int value)
        {
            Interlocked.Increment(ref s_attempts);
            throw new InvalidOperationException($"boom {value}");
        }
    }

    /// <summary>A map failing at one item.</summary>
    [Pipeline]
    public static partial class FailingItem
    {
        [Task] public static int[] Values(int count) => Enumerable.Range(0, count).ToArray();

        [Map(Distributed = true)]
        public static int Check(int values, int bad) => values == bad ? throw new ArgumentException($"item {values} is bad") : values * 2;
    }

    /// <summary>Items that wait until cancelled.</summary>
    [Pipeline]
    public static partial class Endless
    {
        private static int s_started;
        private static int s_cancelled;

        public static int Started => Volatile.Read(ref s_started);

        public static int Cancelled => Volatile.Read(ref s_cancelled);

        public static void Reset()
        {
            Volatile.Write(ref s_started, 0);
            Volatile.Write(ref s_cancelled, 0);
        }

        [Task] public static int[] Slots(int count) => Enumerable.Range(0, count).ToArray();

        [Map(Distributed = true, MaxConcurrency = 6)]
        public static async Task<int> Wait(int slots, CancellationToken ct)
        {
            Interlocked.Increment(ref s_started);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
                return slots;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref s_cancelled);
                throw;
            }
        }
    }

    /// <summary>A large argument and a large result.</summary>
    [Pipeline]
    public static partial class Large
    {
        [Task(Distributed = true)]
        public static string Reverse(string blob)
        {
            char[] chars = blob.ToCharArray();
            Array.Reverse(chars);
            return new string(chars);
        }
    }

    /// <summary>A type that serializes but does not read back: its property is the negation of what its constructor takes.</summary>
    public sealed class Lopsided
    {
        private readonly int _stored;

        public Lopsided(int value)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _stored = value;
        }

        public int Value => -_stored;
    }

    /// <summary>Sends a <see cref="Lopsided"/> to a silo.</summary>
    [Pipeline]
    public static partial class Unreadable
    {
        [Task] public static Lopsided Make(int seed) => new(seed);

        [Task(Distributed = true)]
        public static int Use(Lopsided make) => make.Value;
    }
}
