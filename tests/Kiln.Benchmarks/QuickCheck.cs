using System;
using System.Diagnostics;

namespace Kiln.Benchmarks;

/// <summary>
/// `--quick`: a few seconds of Stopwatch timing per shape, for iterating on the executor. The numbers reported in
/// docs/performance.md come from BenchmarkDotNet, not from this.
/// </summary>
public static class QuickCheck
{
    public static void Run()
    {
        var benchmarks = new SchedulingBenchmarks();
        foreach (SchedulingBenchmarks.GraphShape shape in Enum.GetValues<SchedulingBenchmarks.GraphShape>())
        {
            benchmarks.Shape = shape;
            Console.WriteLine($"{shape,-12} direct {Time(benchmarks.Direct),7:F1} ns/task   kiln {Time(benchmarks.Kiln),7:F1} ns/task   tasks {Time(benchmarks.Tasks),7:F1} ns/task");
        }
    }

    private static double Time(Action run)
    {
        for (int i = 0; i < 200; i++)
        {
            run();
        }

        double best = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            const int Iterations = 300;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Iterations; i++)
            {
                run();
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / Iterations / 1024);
        }

        return best;
    }
}
