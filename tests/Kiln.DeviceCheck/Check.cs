using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Kiln.DeviceCheck;

/// <summary>One suite's checks: counts them and keeps the first failures, each with where and what.</summary>
internal sealed class Check
{
    private readonly List<string> failures = new();

    public Check(string name) => Name = name;

    public string Name { get; }

    public int Passed { get; private set; }

    public int Total { get; private set; }

    public IReadOnlyList<string> Failures => failures;

    /// <summary>Extra lines printed under the suite's PASS/FAIL line (measurements that are reported, not judged).</summary>
    public List<string> Notes { get; } = new();

    public void Expect(bool ok, string message)
    {
        Total++;
        if (ok)
        {
            Passed++;
        }
        else if (failures.Count < 5)
        {
            failures.Add(message);
        }
    }

    /// <summary>Element-wise comparison; one check per stream, failing at the first element that differs.</summary>
    public void Elements<T>(T[] expected, T[] actual, string context)
    {
        if (expected.Length != actual.Length)
        {
            Expect(false, $"{context}: expected {expected.Length} elements, got {actual.Length}");
            return;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (!Same(expected[i], actual[i]))
            {
                Expect(false, $"{context}: element {i} of {expected.Length}: expected {Show(expected[i])}, got {Show(actual[i])}");
                return;
            }
        }

        Expect(true, context);
    }

    public void Equal<T>(T expected, T actual, string context) =>
        Expect(Same(expected, actual), $"{context}: expected {Show(expected)}, got {Show(actual)}");

    /// <summary>Runs <paramref name="action"/> and expects the run to fail with PipelineException wrapping <typeparamref name="TInner"/>.</summary>
    public async Task Throws<TInner>(Func<Task> action, string context)
        where TInner : Exception
    {
        try
        {
            await action();
            Expect(false, $"{context}: expected PipelineException({typeof(TInner).Name}), the run succeeded");
        }
        catch (PipelineException failure)
        {
            Expect(failure.InnerException is TInner, $"{context}: expected PipelineException({typeof(TInner).Name}), got PipelineException({failure.InnerException?.GetType().Name}: {failure.InnerException?.Message})");
        }
        catch (Exception other)
        {
            Expect(false, $"{context}: expected PipelineException({typeof(TInner).Name}), got {other.GetType().Name}: {other.Message}");
        }
    }

    /// <summary>Bitwise equality, except that any NaN equals any NaN (payloads are not part of C#'s semantics).</summary>
    public static bool Same<T>(T expected, T actual)
    {
        if (typeof(T) == typeof(float))
        {
            float e = Unsafe.As<T, float>(ref expected), a = Unsafe.As<T, float>(ref actual);
            return BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a) || (float.IsNaN(e) && float.IsNaN(a));
        }

        if (typeof(T) == typeof(double))
        {
            double e = Unsafe.As<T, double>(ref expected), a = Unsafe.As<T, double>(ref actual);
            return BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a) || (double.IsNaN(e) && double.IsNaN(a));
        }

        return EqualityComparer<T>.Default.Equals(expected, actual);
    }

    public static string Show<T>(T value) => value switch
    {
        float f => string.Create(CultureInfo.InvariantCulture, $"{f:R} (0x{BitConverter.SingleToInt32Bits(f):X8})"),
        double d => string.Create(CultureInfo.InvariantCulture, $"{d:R} (0x{BitConverter.DoubleToInt64Bits(d):X16})"),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };
}
