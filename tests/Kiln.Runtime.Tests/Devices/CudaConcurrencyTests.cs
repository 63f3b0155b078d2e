using System;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Runtime.Tests.Kernels;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>Runs on one CUDA device at the same time are independent: each reads back its own results.</summary>
public sealed class CudaConcurrencyTests
{
    [CudaFact]
    public async Task Concurrent_runs_on_one_CUDA_device_each_get_their_own_results()
    {
        var cuda = new KilnOptions { Device = DeviceKind.Cuda };
        async Task Run(int worker)
        {
            for (int round = 0; round < 3; round++)
            {
                int seed = (worker * 100) + round;
                var random = new Random(seed);
                int length = random.Next(1, DeviceRequirements.CudaOnCpuMaxLength + 1);
                uint[] x = RandomScalars.Array(random, length, RandomScalars.UInt);
                uint[] y = RandomScalars.Array(random, length, RandomScalars.UInt);
                uint k = (uint)random.NextInt64(0, 1L << 32);
                UIntStreams.Result result = await UIntStreams.RunAsync(x, y, k, cuda);
                uint[] mix = x.Zip(y, (a, b) => UIntStreams.Mix(a, b, k)).ToArray();
                uint[] tidy = mix.Select((m, i) => UIntStreams.Tidy(m, y[i], i)).ToArray();
                StreamAssert.Elements(mix, result.Mix, $"seed {seed}, length {length}, Mix");
                StreamAssert.Elements(tidy, result.Tidy, $"seed {seed}, length {length}, Tidy");
                StreamAssert.Equal(tidy.Aggregate(0u, UIntStreams.Total), result.Total, $"seed {seed}, length {length}, Total");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 3).Select(w => Task.Run(() => Run(w))));
    }
}
