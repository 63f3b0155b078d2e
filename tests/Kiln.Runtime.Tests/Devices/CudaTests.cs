using System;
using System.IO;
using System.Linq;
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
}
