using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Execution;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

[Pipeline]
public static partial class DeviceMath
{
    [Task] public static float[] Xs(float[] x) => x;

    [Task] public static float[] Ys(float[] y) => y;

    [Kernel, Output] public static float Rounded(float xs) => MathF.Round(xs * 3.5f);

    [Kernel, Output] public static int Truncated(float xs) => (int)(xs * 1e9f);

    [Kernel, Output] public static float Remainder(float xs, float ys) => xs % ys;

    [Kernel, Output] public static float Larger(float xs, float ys) => MathF.Max(xs, ys);

    [Kernel, Output] public static float Smaller(float xs, float ys) => Math.Min(xs, ys);

    [Kernel, Output] public static int Modulo(float xs, float ys) => (int)xs % ((int)ys | 1);

    [Kernel, Output] public static float Curve(float xs, float ys) => MathF.Pow(MathF.Abs(xs), 0.45f) + MathF.Exp(-MathF.Abs(ys)) + MathF.Sqrt(MathF.Abs(xs * ys));
}

[Pipeline]
public static partial class DeviceSum
{
    [Task] public static float[] Values(float[] data) => data;

    [Kernel] public static float Scaled(float values, float factor) => values * factor;

    [Reduce(Identity = 0)] public static float Sum(float acc, float scaled) => acc + scaled;
}

[Pipeline]
public static partial class DeviceSpin
{
    // Schedules the caller's cancellation to land while the next node, the kernel, is running. A thread of its own,
    // not a timer: timers need a free pool thread, and a launch being waited on holds one.
    [Task] public static float[] Seeds(int count, CancellationTokenSource trigger)
    {
        new Thread(() =>
        {
            Thread.Sleep(50);
            trigger.Cancel();
        }) { IsBackground = true }.Start();
        return new float[count];
    }

    // Enough work per element that a launch lasts long enough to be cancelled while it runs.
    [Kernel]
    public static float Spin(float seeds, int rounds)
    {
        float value = seeds;
        for (int k = 0; k < rounds; k++)
        {
            value = (value * 0.999f) + 0.001f;
        }

        return value;
    }
}

[Pipeline]
public static partial class DeviceResidency
{
    [Task] public static float[] Source(float[] data) => data;

    [Kernel] public static float Brighten(float source, float gain) => source * gain;

    // A gather ends Brighten's group: its stream must pass from one launch to the next on the device.
    [Kernel] public static float Smooth([Index] int i, Gather<float> brighten) => (brighten[i - 1] + brighten[i] + brighten[i + 1]) / 3f;
}

public sealed class OpenClTests
{
    private static readonly KilnOptions OpenCl = new() { Device = DeviceKind.OpenCl };

    private static float[] Random(int seed, int length, float scale)
    {
        var random = new Random(seed);
        float[] values = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
        values[0] = float.NaN;
        values[1] = -0f;
        values[2] = 2.5f / 3.5f;
        values[3] = float.PositiveInfinity;
        return values;
    }

    [OpenClFact]
    public void An_OpenCL_device_is_found_with_a_name_and_memory()
    {
        DeviceInfo device = Assert.Single(Kiln.Devices.Available, d => d.Kind == DeviceKind.OpenCl);
        Assert.False(string.IsNullOrWhiteSpace(device.Name));
        Assert.True(device.MemoryBytes > 0);
    }

    [OpenClFact]
    public async Task Rounding_casts_remainders_and_min_max_follow_CSharp_exactly_on_OpenCL()
    {
        float[] x = Random(7, 50_000, 1e3f);
        float[] y = Random(8, 50_000, 50f);
        DeviceMath.Result result = await DeviceMath.RunAsync(x, y, OpenCl);

        for (int i = 0; i < x.Length; i++)
        {
            string at = $"element {i}: x={x[i]:R}, y={y[i]:R}";
            Assert.True(BitConverter.SingleToInt32Bits(MathF.Round(x[i] * 3.5f)) == BitConverter.SingleToInt32Bits(result.Rounded[i]), "Round " + at);
            Assert.True((int)(x[i] * 1e9f) == result.Truncated[i], "saturating cast " + at);
            Assert.True(SameFloat(x[i] % y[i], result.Remainder[i]), "% " + at);
            Assert.True(SameFloat(MathF.Max(x[i], y[i]), result.Larger[i]), "Max " + at);
            Assert.True(SameFloat(Math.Min(x[i], y[i]), result.Smaller[i]), "Min " + at);
            Assert.True((int)x[i] % ((int)y[i] | 1) == result.Modulo[i], "int % " + at);
        }
    }

    [OpenClFact]
    public async Task Transcendental_functions_stay_within_a_few_ulps_of_CSharp_on_OpenCL()
    {
        float[] x = Random(9, 50_000, 100f);
        float[] y = Random(10, 50_000, 10f);
        DeviceMath.Result result = await DeviceMath.RunAsync(x, y, OpenCl);

        for (int i = 0; i < x.Length; i++)
        {
            float expected = DeviceMath.Curve(x[i], y[i]);
            float actual = result.Curve[i];
            if (float.IsNaN(expected) || float.IsInfinity(expected))
            {
                Assert.True(SameFloat(expected, actual), $"element {i}: expected {expected}, got {actual}");
                continue;
            }

            int ulps = Math.Abs(BitConverter.SingleToInt32Bits(expected) - BitConverter.SingleToInt32Bits(actual));
            Assert.True(ulps <= 8, $"element {i}: x={x[i]:R}, y={y[i]:R}: expected {expected:R}, got {actual:R} ({ulps} ulps)");
        }
    }

    [OpenClFact]
    public async Task A_float_reduction_on_OpenCL_gives_the_same_bits_every_run()
    {
        float[] data = Random(11, 1_000_003, 1f).Select(v => float.IsFinite(v) ? v : 0.5f).ToArray();
        float first = await DeviceSum.RunAsync(data, 1.25f, OpenCl);
        double reference = data.Sum(v => (double)(v * 1.25f));
        Assert.True(Math.Abs(first - reference) < 1e-2 * Math.Max(1, Math.Abs(reference)), $"sum {first} vs {reference}");
        for (int run = 0; run < 10; run++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(await DeviceSum.RunAsync(data, 1.25f, OpenCl)));
        }
    }

    [OpenClFact]
    public async Task The_trace_names_the_OpenCL_device_the_kernels_ran_on()
    {
        string path = Path.Combine(Path.GetTempPath(), "kiln-opencl-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            await DeviceSum.RunAsync(new float[1000], 2f, new KilnOptions { Device = DeviceKind.OpenCl, TracePath = path });
            using JsonDocument trace = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement scaled = trace.RootElement.GetProperty("traceEvents").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "Scaled");
            string device = Kiln.Devices.Available.First(d => d.Kind == DeviceKind.OpenCl).Name;
            Assert.Equal(device, scaled.GetProperty("args").GetProperty("device").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [OpenClFact]
    public async Task A_stream_passed_between_device_groups_stays_on_the_device_and_only_sinks_come_back()
    {
        string path = Path.Combine(Path.GetTempPath(), "kiln-residency-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            float[] data = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
            float[] smooth = await DeviceResidency.RunAsync(data, 2f, new KilnOptions { Device = DeviceKind.OpenCl, TracePath = path });

            Assert.Equal(2, DeviceResidency.Graph.FusionGroups.Count);
            for (int i = 0; i < data.Length; i++)
            {
                Assert.Equal(DeviceResidency.Smooth(i, new Gather<float>(data.Select(v => v * 2f).ToArray())), smooth[i]);
            }

            using JsonDocument trace = JsonDocument.Parse(File.ReadAllText(path));
            var transfers = trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "transfer")
                .Select(e => e.GetProperty("name").GetString())
                .ToList();
            int source = Array.IndexOf(DeviceResidency.Graph.Nodes.Select(n => n.Name).ToArray(), nameof(DeviceResidency.Source));
            int smoothNode = Array.IndexOf(DeviceResidency.Graph.Nodes.Select(n => n.Name).ToArray(), nameof(DeviceResidency.Smooth));
            Assert.Equal(new[] { $"upload node {source}", $"download node {smoothNode}" }, transfers.Order(StringComparer.Ordinal).Reverse().ToArray());
            Assert.Equal(2, trace.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Count(e => e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "launch"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_explicitly_requested_device_that_is_missing_throws_DeviceUnavailableException_saying_what_was_looked_for()
    {
        DeviceKind missing = DeviceRequirements.HasCuda ? DeviceKind.OpenCl : DeviceKind.Cuda;
        if (missing == DeviceKind.OpenCl && DeviceRequirements.HasOpenCl)
        {
            return; // Both devices present: nothing is missing on this machine.
        }

        DeviceUnavailableException error = await Assert.ThrowsAsync<DeviceUnavailableException>(
            () => DeviceSum.RunAsync(new float[10], 1f, new KilnOptions { Device = missing }));
        Assert.Equal(missing, error.Device);
        Assert.Contains(missing == DeviceKind.Cuda ? "CUDA" : "OpenCL", error.Message, StringComparison.Ordinal);
    }

    [OpenClFact]
    public void A_kernel_that_fails_to_compile_throws_with_the_compiler_log_and_the_source_name()
    {
        DeviceFaults.AssertCompileFailure(
            OpenClDevice.All[0], "Tests.BrokenSource", "__kernel void broken(int length) { this is not C; }", "clBuildProgram", "CL_BUILD_PROGRAM_FAILURE");
    }

    [OpenClFact]
    public void Running_out_of_device_memory_names_the_failing_call()
    {
        DeviceFaults.AssertOutOfMemory(OpenClDevice.All[0], "clCreateBuffer");
    }

    [OpenClFact]
    public async Task Cancelling_during_a_launch_ends_the_run_with_OperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();

        // RunAsync runs its first units on the calling thread, so start it on another.
        Task<float[]> run = Task.Run(() => DeviceSpin.RunAsync(1 << 14, cancellation, 100_000, OpenCl, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(cancellation.IsCancellationRequested);
    }

    [Fact]
    public async Task Cancelling_during_a_long_CPU_kernel_loop_stops_it_between_blocks()
    {
        using var cancellation = new CancellationTokenSource();

        // Hundreds of blocks, each seconds' worth of work in total: finishing instead of stopping would take minutes.
        Task<float[]> run = Task.Run(() => DeviceSpin.RunAsync(200 * 16384, cancellation, 20_000, new KilnOptions { Device = DeviceKind.Cpu, MaxDegreeOfParallelism = 1 }, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private static bool SameFloat(float expected, float actual) =>
        float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);
}

/// <summary>The device libraries each OS names: the OpenCL ICD loader and the NVIDIA driver that ILGPU and Kiln's probe use.</summary>
public sealed class DeviceLibraryTests
{
    [Fact]
    public void The_OpenCL_ICD_loader_is_libOpenCL_so_1_on_Linux_and_OpenCL_dll_on_Windows()
    {
        Assert.Equal("libOpenCL.so.1", OpenCl.LibraryName(windows: false));
        Assert.Equal("OpenCL.dll", OpenCl.LibraryName(windows: true));
    }

    [Fact]
    public void The_CUDA_driver_is_libcuda_so_1_on_Linux_and_nvcuda_dll_on_Windows()
    {
        Assert.Equal("libcuda.so.1", CudaDriver.LibraryName(windows: false));
        Assert.Equal("nvcuda.dll", CudaDriver.LibraryName(windows: true));
    }

    [Fact]
    public void Without_an_NVIDIA_driver_the_probe_finds_no_GPU_and_says_which_library_it_looked_for()
    {
        (System.Collections.Generic.IReadOnlyList<DeviceInfo> found, string absence) = CudaDriver.Probe();
        if (found.Count > 0)
        {
            Assert.All(found, d => Assert.True(d.IsGpu && d.Kind == DeviceKind.Cuda && d.Name.Length > 0));
            Assert.Empty(absence);
            return;
        }

        Assert.NotEmpty(absence);
        Assert.True(absence.Contains(CudaDriver.LibraryName(OperatingSystem.IsWindows()), StringComparison.Ordinal) || absence.Contains("cu", StringComparison.Ordinal), absence);
    }
}
