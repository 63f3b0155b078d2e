using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Execution;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>CUDA runs of the same pipelines as the OpenCL tests; they skip with a reason where there is no CUDA GPU.</summary>
public sealed class CudaTests
{
    private static readonly KilnOptions Cuda = new() { Device = DeviceKind.Cuda };

    [CudaFact]
    public async Task Element_wise_kernels_on_CUDA_match_CSharp_exactly()
    {
        var random = new Random(21);
        float[] x = Enumerable.Range(0, 100_003).Select(_ => (float)(random.NextDouble() * 2000) - 1000).ToArray();
        float[] y = Enumerable.Range(0, 100_003).Select(_ => (float)(random.NextDouble() * 100) - 50).ToArray();
        DeviceMath.Result result = await DeviceMath.RunAsync(x, y, Cuda);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(MathF.Round(x[i] * 3.5f)), BitConverter.SingleToInt32Bits(result.Rounded[i]));
            Assert.Equal((int)(x[i] * 1e9f), result.Truncated[i]);
            Assert.Equal((int)x[i] % ((int)y[i] | 1), result.Modulo[i]);
        }
    }

    [CudaFact]
    public async Task A_CUDA_reduction_gives_the_same_bits_every_run_and_the_second_process_loads_cached_PTX()
    {
        float[] data = Enumerable.Range(0, 1_000_003).Select(i => (i % 1000) / 1000f).ToArray();
        float first = await DeviceSum.RunAsync(data, 1.5f, Cuda);
        for (int run = 0; run < 5; run++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(await DeviceSum.RunAsync(data, 1.5f, Cuda)));
        }

        Assert.NotEmpty(Directory.GetFiles(CudaDevice.CacheDirectory, "*.ptx"));
    }

    [CudaFact]
    public void A_kernel_that_fails_to_compile_throws_with_NVRTC_s_log_and_the_source_name()
    {
        DeviceFaults.AssertCompileFailure(
            CudaDevice.All[0], "Tests.BrokenCuda", "extern \"C\" __global__ void broken(int length) { this is not C; }", "nvrtcCompileProgram", "NVRTC_ERROR_COMPILATION");
    }

    [CudaFact]
    public void Running_out_of_device_memory_names_the_failing_call_and_the_CUDA_error()
    {
        DeviceException error = DeviceFaults.AssertOutOfMemory(CudaDevice.All[0], "cuMemAlloc");
        Assert.Equal("CUDA_ERROR_OUT_OF_MEMORY", error.CodeName);
    }

    [CudaFact]
    public async Task Cancelling_during_a_launch_ends_the_run_with_OperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();

        // The launch must outlast the 50 ms before the cancellation: far more work on a GPU than on the emulator.
        bool emulated = CudaDevice.All[0].Info.Name.Contains("emulator", StringComparison.OrdinalIgnoreCase);
        (int count, int rounds) = emulated ? (1 << 14, 20_000) : (1 << 24, 2_000_000);
        Task<float[]> run = Task.Run(() => DeviceSpin.RunAsync(count, cancellation, rounds, Cuda, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(cancellation.IsCancellationRequested);
    }
}

/// <summary>
/// Tests that reset the CUDA context. A reset frees the memory of every run in flight on the GPU (their next call fails,
/// as the CUDA documentation says of a reset while others use the device), so these run alone, after the rest.
/// </summary>
[CollectionDefinition(nameof(CudaContextResets), DisableParallelization = true)]
public sealed class CudaContextResets
{
}

[Collection(nameof(CudaContextResets))]
public sealed class CudaFaultTests
{
    private static readonly KilnOptions Cuda = new() { Device = DeviceKind.Cuda };

    [CudaGpuFact]
    public async Task A_kernel_that_faults_fails_with_the_CUDA_error_and_the_next_run_works_on_a_reset_context()
    {
        ComputeDevice device = CudaDevice.All[0];
        DeviceBuffer stale = device.Allocate(sizeof(float) * 256, "Tests.Stale");
        using (DeviceBuffer buffer = device.Allocate(sizeof(float) * 256, "Tests.Faulting"))
        {
            // Writes to address 16, which no process or GPU maps: an illegal address, which leaves a CUDA context
            // unusable. (An address far past the buffer may be mapped memory in a busy process: then the emulator
            // would scribble over it instead of faulting.)
            const string Faulting = "extern \"C\" __global__ void faulting(int length, float* o) { *(volatile float*)((unsigned long long)length * 16ULL) = o[0]; }";
            DeviceException error = Assert.Throws<DeviceException>(() => device.Launch(
                "Tests.Faulting", Faulting, "faulting", 1, 1, new[] { KernelArgument.Of(1), KernelArgument.Of(buffer) }, CancellationToken.None));
            Assert.Equal("faulting", error.Kernel);
            Assert.Contains("reset", error.Message, StringComparison.Ordinal);
            Assert.StartsWith("CUDA_ERROR_", error.CodeName, StringComparison.Ordinal);
        }

        // Memory from before the reset is gone (its address may be another run's by now): using it fails, freeing it is a no-op.
        DeviceException gone = Assert.Throws<DeviceException>(() => device.Write<float>(stale, new float[256], "Tests.Stale"));
        Assert.Equal("CUDA_ERROR_CONTEXT_IS_DESTROYED", gone.CodeName);
        stale.Dispose();

        float[] data = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
        Assert.Equal(data.Sum(v => (double)v * 2), await DeviceSum.RunAsync(data, 2f, Cuda), 3);
    }
}
