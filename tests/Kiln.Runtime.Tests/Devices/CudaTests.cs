using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ILGPU;
using Kiln.Execution;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>
/// CUDA runs of the same pipelines as the OpenCL tests, through the generated ILGPU kernels: on a GPU where
/// KILN_REQUIRE_CUDA=1, else on ILGPU's CPU accelerator (KILN_CUDA_ACCELERATOR=cpu, set by <see cref="CudaOnCpu"/>),
/// which is slow, so the sizes are small there.
/// </summary>
public sealed class CudaTests
{
    private static readonly KilnOptions Cuda = new() { Device = DeviceKind.Cuda };

    private static int Size(int onGpu) => DeviceRequirements.CudaOnCpuAccelerator ? Math.Min(onGpu, 20_011) : onGpu;

    [CudaFact]
    public async Task Element_wise_kernels_on_CUDA_match_CSharp_exactly()
    {
        var random = new Random(21);
        int count = Size(100_003);
        float[] x = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2000) - 1000).ToArray();
        float[] y = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 100) - 50).ToArray();
        DeviceMath.Result result = await DeviceMath.RunAsync(x, y, Cuda);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(MathF.Round(x[i] * 3.5f)), BitConverter.SingleToInt32Bits(result.Rounded[i]));
            Assert.Equal((int)(x[i] * 1e9f), result.Truncated[i]);
            Assert.Equal((int)x[i] % ((int)y[i] | 1), result.Modulo[i]);
        }
    }

    [CudaFact]
    public async Task A_CUDA_reduction_folds_the_fixed_tree_and_gives_the_same_bits_every_run()
    {
        float[] data = Enumerable.Range(0, Size(1_000_003)).Select(i => (i % 1000) / 1000f).ToArray();
        float first = await DeviceSum.RunAsync(data, 1.5f, Cuda);

        // The partials as the kernel computes them: groups of 256 folded pairwise (s = 128, 64, ... 1), then on the host.
        int groups = (data.Length + 255) / 256;
        var partials = new float[groups];
        for (int g = 0; g < groups; g++)
        {
            var tree = new float[256];
            for (int lid = 0; lid < 256; lid++)
            {
                int i = (g * 256) + lid;
                tree[lid] = i < data.Length ? 0f + (data[i] * 1.5f) : 0f;
            }

            for (int s = 128; s > 0; s >>= 1)
            {
                for (int lid = 0; lid < s; lid++)
                {
                    tree[lid] += tree[lid + s];
                }
            }

            partials[g] = tree[0];
        }

        float expected = KernelLoop.Combine(partials, 0f, static (a, b) => a + b);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(first));
        for (int run = 0; run < 3; run++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(first), BitConverter.SingleToInt32Bits(await DeviceSum.RunAsync(data, 1.5f, Cuda)));
        }
    }

    [CudaFact]
    public void A_kernel_ILGPU_cannot_compile_throws_naming_the_call_and_the_kernel()
    {
        var device = CudaDevice.All[0];
        var backend = (IlgpuBackend)device.Attach(static d => new IlgpuBackend(d));
        DeviceException error = Assert.Throws<DeviceException>(() => backend.Run<BrokenArguments>(Broken, new BrokenArguments(), "Tests.BrokenCuda", "broken", 1, 256));
        Assert.Equal("LoadKernel", error.Call);
        Assert.Equal("broken", error.Kernel);
        Assert.Contains("Tests.BrokenCuda", error.Message, StringComparison.Ordinal);
    }

    public struct BrokenArguments
    {
        public int Length;
    }

    // A class allocation: ILGPU compiles no managed objects into a kernel.
    private static void Broken(BrokenArguments arguments)
    {
        var text = new System.Text.StringBuilder();
        text.Append(arguments.Length);
    }

    [CudaFact]
    public void Running_out_of_device_memory_names_the_failing_call()
    {
        var device = CudaDevice.All[0];
        device.Attach(static d => new IlgpuBackend(d));
        DeviceFaults.AssertOutOfMemory(device, "Allocate1D");
    }

    [CudaFact]
    public async Task Cancelling_during_a_launch_ends_the_run_with_OperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();

        // The launch must outlast the 50 ms before the cancellation: far more work on a GPU than on the CPU accelerator.
        (int count, int rounds) = DeviceRequirements.CudaOnCpuAccelerator ? (1 << 12, 20_000) : (1 << 24, 2_000_000);
        Task<float[]> run = Task.Run(() => DeviceSpin.RunAsync(count, cancellation, rounds, Cuda, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(cancellation.IsCancellationRequested);
    }
}

/// <summary>
/// Tests that reset the CUDA context. A reset frees the memory of every run in flight on the GPU (their next call fails),
/// so these run alone, after the rest.
/// </summary>
[CollectionDefinition(nameof(CudaContextResets), DisableParallelization = true)]
public sealed class CudaContextResets
{
}

[Collection(nameof(CudaContextResets))]
public sealed class CudaFaultTests
{
    private static readonly KilnOptions Cuda = new() { Device = DeviceKind.Cuda };

    public struct FaultingArguments
    {
        public ArrayView<float> Output;
    }

    // Writes far past its buffer, at an address no allocation maps: an illegal address, which leaves a CUDA context unusable.
    private static void Faulting(FaultingArguments arguments) => arguments.Output[arguments.Output.Length * 1_000_000_000L] = 1f;

    [CudaGpuFact]
    public async Task A_kernel_that_faults_fails_with_the_CUDA_error_and_the_next_run_works_on_a_reset_context()
    {
        var device = CudaDevice.All[0];
        var backend = (IlgpuBackend)device.Attach(static d => new IlgpuBackend(d));
        DeviceBuffer stale = device.Allocate(sizeof(float) * 256, "Tests.Stale");
        using (DeviceBuffer buffer = device.Allocate(sizeof(float) * 256, "Tests.Faulting"))
        {
            DeviceException error = Assert.Throws<DeviceException>(() => backend.Run(
                Faulting, new FaultingArguments { Output = backend.View<float>(buffer, "faulting") }, "Tests.Faulting", "faulting", 1, 256));
            Assert.Equal("faulting", error.Kernel);
            Assert.Contains("reset", error.Message, StringComparison.Ordinal);
            Assert.StartsWith("CUDA_ERROR_", error.CodeName, StringComparison.Ordinal);
        }

        // Memory from before the reset is gone: using it fails, freeing it is a no-op.
        DeviceException gone = Assert.Throws<DeviceException>(() => device.Write<float>(stale, new float[256], "Tests.Stale"));
        Assert.Equal("CUDA_ERROR_CONTEXT_IS_DESTROYED", gone.CodeName);
        stale.Dispose();

        float[] data = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
        Assert.Equal(data.Sum(v => (double)v * 2), await DeviceSum.RunAsync(data, 2f, Cuda), 3);
    }
}
