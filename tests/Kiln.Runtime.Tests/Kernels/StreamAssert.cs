using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

/// <summary>Element-by-element comparison that says where streams differ, with floats compared as C# produces them.</summary>
internal static class StreamAssert
{
    /// <summary>Bitwise equality, except that any NaN equals any NaN (payloads are not part of C#'s semantics).</summary>
    public static bool Same<T>(T expected, T actual)
    {
        // typeof checks fold away per instantiation, so comparing a million elements does not box.
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

    public static void Equal<T>(T expected, T actual, string context)
    {
        Assert.True(Same(expected, actual), $"{context}: expected {Show(expected)}, got {Show(actual)}");
    }

    public static void Elements<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: expected {expected.Count} elements, got {actual.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            if (!Same(expected[i], actual[i]))
            {
                Assert.Fail($"{context}: element {i} of {expected.Count}: expected {Show(expected[i])}, got {Show(actual[i])}");
            }
        }
    }

    public static string Show<T>(T value) => value switch
    {
        float f => $"{f:R} (0x{BitConverter.SingleToInt32Bits(f):X8})",
        double d => $"{d:R} (0x{BitConverter.DoubleToInt64Bits(d):X16})",
        _ => value?.ToString() ?? "null",
    };

    public static string Describe(KilnOptions options) => $"Device={options.Device}, Fusion={options.Fusion}, MaxDegreeOfParallelism={options.MaxDegreeOfParallelism}";

    private static readonly KilnOptions[] CpuOptions =
    {
        new KilnOptions { Fusion = true, MaxDegreeOfParallelism = 4, Device = DeviceKind.Cpu },
        new KilnOptions { Fusion = false, MaxDegreeOfParallelism = 1, Device = DeviceKind.Cpu },
        new KilnOptions { Fusion = true, MaxDegreeOfParallelism = 1, Device = DeviceKind.Cpu },
        new KilnOptions { Fusion = false, MaxDegreeOfParallelism = 4, Device = DeviceKind.Cpu },
    };

    /// <summary>
    /// Every way to run a differential case of <paramref name="length"/> elements; every result must be the same. The CPU
    /// backend's shapes (fused and unfused, sequential and parallel), plus fused and unfused on every device the machine
    /// has (or CI requires), so the same suites check the generated OpenCL C and ILGPU kernels against per-element C#.
    /// On ILGPU's CPU accelerator, CUDA takes only lengths up to <see cref="DeviceRequirements.CudaOnCpuMaxLength"/>, and
    /// not where <paramref name="cudaOnCpuAccelerator"/> is false.
    /// </summary>
    public static IReadOnlyList<KilnOptions> Options(int length, bool cudaOnCpuAccelerator = true) =>
        CpuOptions.Concat(DeviceRequirements.DeviceOptions(length, cudaOnCpuAccelerator)).ToArray();

    public static IReadOnlyList<string[]> Groups(PipelineGraph graph) =>
        graph.FusionGroups.Select(g => g.Nodes.ToArray()).ToList();
}
