using System;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Kiln.Testing;
using Xunit;

namespace Kiln.Generators.Tests.Durability;

/// <summary>
/// The JSON context a durable pipeline gets (SPEC section 11): for random values of every supported kind of type, it
/// writes exactly what System.Text.Json's reflection serializer writes, and reads back what it wrote.
/// </summary>
public class JsonContextTests
{
    private const int Seed = 20261128;
    private const int Rounds = 40;

    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Kiln;

        namespace Durable;

        public enum Colour { Red, Green = 5, Blue }
        public sealed record Point3(double X, double Y, double Z);
        public sealed record Page(string Url, int[] Words, Colour Colour)
        {
            public string? Note { get; init; }
            public int Length => Words.Length;
        }
        public sealed class Mutable
        {
            public int Count { get; set; }
            [JsonPropertyName("label_text")] public string Label { get; set; } = "";
            public List<double> Readings { get; set; } = new();
        }
        public struct Cell
        {
            public Cell(int row, int column) { Row = row; Column = column; }
            public int Row { get; }
            public int Column { get; }
            public long Stamp { get; set; }
        }
        public class Base { public int Id { get; set; } }
        public sealed class Derived : Base { public string Name { get; set; } = ""; [JsonIgnore] public int Secret { get; set; } }
        public sealed class Tree { public int Value { get; set; } public List<Tree> Children { get; set; } = new(); }
        public sealed record Mixed(
            byte[] Bytes, DateTime When, DateTimeOffset Offset, TimeSpan Span, Guid Id, decimal Money, char Letter, float Ratio,
            long Big, ulong Huge, short Small, sbyte Tiny, bool Flag, DateTime? Maybe, Colour? Tint, Uri Link, Version Release,
            DateOnly Day, TimeOnly Time);

        [Pipeline(Durable = true)]
        public static partial class Store
        {
            [Task] public static int Count(int seed) => seed;
            [Task] public static double Ratio(int count) => count;
            [Task] public static string Text(int count) => "";
            [Task] public static Colour Tint(int count) => default;
            [Task] public static int[] Numbers(int count) => new int[0];
            [Task] public static List<string> Names(int count) => new();
            [Task] public static IReadOnlyList<Page> Pages(int count) => new Page[0];
            [Task] public static Dictionary<string, int> Counts(int count) => new();
            [Task] public static IReadOnlyDictionary<Guid, Point3> Points(int count) => new Dictionary<Guid, Point3>();
            [Task] public static Mutable Bag(int count) => new();
            [Task] public static Cell[] Cells(int count) => new Cell[0];
            [Task] public static Derived Child(int count) => new();
            [Task] public static Tree Forest(int count) => new();
            [Task] public static Task<Mixed> Everything(int count) => Task.FromResult<Mixed>(null!);
            [Task] public static double[][] Jagged(int count) => new double[0][];
            [Task] public static IEnumerable<long?> Sparse(int count) => new long?[0];
            [Task] public static Dictionary<Colour, List<Point3>> ByColour(int count) => new();
        }

        public static class Samples
        {
            public static object[] Make(int seed)
            {
                var r = new Random(seed);
                string S() => new string(Enumerable.Range(0, r.Next(0, 8)).Select(_ => (char)r.Next(32, 0x2FF)).ToArray());
                double D() => r.Next(10) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => -0.0, _ => r.NextDouble() * 1e6 - 5e5 };
                Colour C() => (Colour)new[] { 0, 5, 6, 42 }[r.Next(4)];
                Point3 P() => new(D(), D(), r.NextDouble());
                Page Pg() => new(S(), Enumerable.Range(0, r.Next(4)).Select(_ => r.Next()).ToArray(), C()) { Note = r.Next(2) == 0 ? null : S() };
                Tree T(int depth) => new() { Value = r.Next(), Children = depth == 0 ? new() : Enumerable.Range(0, r.Next(3)).Select(_ => T(depth - 1)).ToList() };
                var bytes = new byte[r.Next(0, 20)];
                r.NextBytes(bytes);
                return new object[]
                {
                    r.Next(int.MinValue, int.MaxValue),
                    D(),
                    S(),
                    C(),
                    Enumerable.Range(0, r.Next(5)).Select(_ => r.Next()).ToArray(),
                    Enumerable.Range(0, r.Next(5)).Select(_ => S()).ToList(),
                    (IReadOnlyList<Page>)Enumerable.Range(0, r.Next(4)).Select(_ => Pg()).ToList(),
                    Enumerable.Range(0, r.Next(5)).Select(i => (S() + i, r.Next())).ToDictionary(p => p.Item1, p => p.Item2),
                    (IReadOnlyDictionary<Guid, Point3>)Enumerable.Range(0, r.Next(4)).ToDictionary(_ => Guid.NewGuid(), _ => P()),
                    new Mutable { Count = r.Next(), Label = S(), Readings = Enumerable.Range(0, r.Next(4)).Select(_ => D()).ToList() },
                    Enumerable.Range(0, r.Next(4)).Select(_ => new Cell(r.Next(), r.Next()) { Stamp = r.NextInt64() }).ToArray(),
                    new Derived { Id = r.Next(), Name = S(), Secret = r.Next() },
                    T(3),
                    new Mixed(bytes, new DateTime(r.NextInt64(DateTime.MaxValue.Ticks), DateTimeKind.Utc), DateTimeOffset.FromUnixTimeMilliseconds(r.NextInt64(1L << 40)),
                        TimeSpan.FromTicks(r.NextInt64()), Guid.NewGuid(), (decimal)r.NextDouble() * 1000m, (char)r.Next(32, 127), (float)D(),
                        r.NextInt64(), (ulong)r.NextInt64(), (short)r.Next(short.MinValue, short.MaxValue), (sbyte)r.Next(-128, 127), r.Next(2) == 0,
                        r.Next(2) == 0 ? null : DateTime.UnixEpoch.AddSeconds(r.Next()), r.Next(2) == 0 ? null : C(),
                        new Uri("https://example.org/" + r.Next()), new Version(r.Next(9), r.Next(9), r.Next(9)),
                        DateOnly.FromDayNumber(r.Next(700000)), TimeOnly.FromTimeSpan(TimeSpan.FromSeconds(r.Next(86399)))),
                    Enumerable.Range(0, r.Next(4)).Select(_ => Enumerable.Range(0, r.Next(3)).Select(_ => D()).ToArray()).ToArray(),
                    Enumerable.Range(0, r.Next(5)).Select(_ => r.Next(2) == 0 ? (long?)null : r.NextInt64()).ToArray(),
                    Enumerable.Range(0, r.Next(3)).Select(i => (Colour)i).Distinct().ToDictionary(c => c, _ => Enumerable.Range(0, r.Next(3)).Select(_ => P()).ToList()),
                };
            }

            public static Type[] Types => typeof(Store).GetMethods().Where(m => m.DeclaringType == typeof(Store) && m.Name != "RunAsync" && !m.IsSpecialName)
                .Select(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>) ? m.ReturnType.GetGenericArguments()[0] : m.ReturnType)
                .ToArray();
        }
        """;

    [Fact]
    public void The_generated_context_writes_what_reflection_writes_and_reads_back_what_it_wrote()
    {
        GeneratedResult generated = KilnCompilation.Generate(Source);
        Assert.Empty(generated.GeneratorDiagnostics);
        Assert.Empty(KilnCompilation.Analyze(generated.Output).Where(d => d.Id.StartsWith("KILN", StringComparison.Ordinal)).Select(d => d.ToString()));
        Assert.Contains(generated.Sources.Keys, k => k.EndsWith(".Kiln.Json.g.cs", StringComparison.Ordinal));
        Assembly assembly = KilnCompilation.Load(generated.Output);

        Type context = assembly.GetTypes().Single(t => t.Namespace == "Kiln.Generated.Json" && !t.IsNested);
        var json = (JsonSerializerContext)context.GetProperty("Default")!.GetValue(null)!;
        var reflection = new JsonSerializerOptions
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };

        Type samples = assembly.GetType("Durable.Samples", throwOnError: true)!;
        var types = (Type[])samples.GetProperty("Types")!.GetValue(null)!;
        MethodInfo make = samples.GetMethod("Make")!;
        for (int round = 0; round < Rounds; round++)
        {
            var values = (object[])make.Invoke(null, new object[] { Seed + round })!;
            Assert.Equal(types.Length, values.Length);
            for (int i = 0; i < types.Length; i++)
            {
                JsonTypeInfo info = json.GetTypeInfo(types[i]) ?? throw new Xunit.Sdk.XunitException($"no metadata for {types[i]}");
                string written = JsonSerializer.Serialize(values[i], info);
                string expected = JsonSerializer.Serialize(values[i], types[i], reflection);
                Assert.True(expected == written, $"{types[i]} (seed {Seed + round}):\n  reflection {expected}\n  generated  {written}");

                object? read = JsonSerializer.Deserialize(written, info);
                string again = JsonSerializer.Serialize(read, info);
                Assert.True(written == again, $"{types[i]} did not read back (seed {Seed + round}):\n  wrote  {written}\n  reread {again}");
            }
        }
    }

    [Fact]
    public void A_pipeline_that_is_not_durable_gets_no_context()
    {
        GeneratedResult generated = KilnCompilation.Generate(Source.Replace("[Pipeline(Durable = true)]", "[Pipeline]", StringComparison.Ordinal));

        Assert.DoesNotContain(generated.Sources.Keys, k => k.EndsWith(".Kiln.Json.g.cs", StringComparison.Ordinal));
    }
}
