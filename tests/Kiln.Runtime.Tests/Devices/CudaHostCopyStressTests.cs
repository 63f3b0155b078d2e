using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using ILGPU;
using Kiln.Execution;
using Kiln.Runtime.Tests.Kernels;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>
/// CUDA copies between managed arrays and device memory while the GC moves those arrays (issue #8). ILGPU's
/// <c>CopyFromCPU(ref T, long)</c> and <c>CopyToCPU(ref T, long)</c> take "the base address of the pinned CPU buffer":
/// they turn the reference into a raw pointer, allocate a wrapper buffer for it, then copy. An unpinned array that a
/// compacting GC moves in between is read from, or written to, its old address: the data lands in freed memory and the
/// array keeps what it had (zeros for a fresh download array). These tests force compacting collections, and compile PTX
/// in contexts of their own as the PTX tests do, while several threads copy and launch on the run's CUDA device.
/// </summary>
public sealed class CudaHostCopyStressTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Workers = 3;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    public struct AffineArguments
    {
        public int Length;
        public ArrayView<uint> Input;
        public ArrayView<uint> Output;
        public uint Factor;
    }

    // Explicitly grouped, as the generated kernels are.
    private static void Affine(AffineArguments arguments)
    {
        int i = Grid.GlobalIndex.X;
        if (i < arguments.Length)
        {
            arguments.Output[i] = Reference(arguments.Input[i], arguments.Factor, i);
        }
    }

    private static uint Reference(uint x, uint factor, int i) => unchecked((x * factor) + (uint)i);

    /// <summary>
    /// Work that moves young objects while the workers copy: forced, compacting gen-0 collections (the window between
    /// ILGPU taking the address and copying is a few allocations wide, so most runs need many collections to hit it),
    /// and PTX compilation of the generated kernels in a context of its own, as PtxTests does.
    /// </summary>
    private static Task[] Disturb(CancellationToken stop)
    {
        Task collector = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
                    Thread.Yield();
                }
            },
            TaskCreationOptions.LongRunning);
        Task compiler = Task.Factory.StartNew(
            () =>
            {
                IReadOnlyList<MethodInfo> kernels = PtxTests.GeneratedKernels(typeof(PtxTests).Assembly);
                for (int k = 0; !stop.IsCancellationRequested; k = (k + 1) % kernels.Count)
                {
                    using Context context = PtxTests.NewContext();
                    Assert.Contains(".entry", PtxTests.Compile(context, kernels[k], ILGPU.Runtime.Cuda.CudaArchitecture.SM_80), StringComparison.Ordinal);
                }
            },
            TaskCreationOptions.LongRunning);
        return new[] { collector, compiler };
    }

    /// <summary>Runs <paramref name="work"/> on <see cref="Workers"/> threads (seeded per worker) alongside <see cref="Disturb"/>.</summary>
    private void Stress(Action<int, Random, ConcurrentQueue<string>> work)
    {
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        Task[] disturbers = Disturb(stop.Token);
        int gcs = GC.CollectionCount(0);
        var sw = Stopwatch.StartNew();
        try
        {
            Task[] workers = Enumerable.Range(0, Workers)
                .Select(w => Task.Factory.StartNew(() => work(w, new Random(8_000 + w), failures), TaskCreationOptions.LongRunning))
                .ToArray();
            Task.WaitAll(workers);
        }
        finally
        {
            output.WriteLine($"DIAG workers {sw.Elapsed} gcs {GC.CollectionCount(0) - gcs}");
            stop.Cancel();
            Task.WaitAll(disturbers);
            output.WriteLine($"DIAG disturbers {sw.Elapsed}");
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} wrong results, first: {failures.FirstOrDefault()}");
    }

    /// <summary>The first element where <paramref name="actual"/> differs, described, or null.</summary>
    private static string? Mismatch(uint[] expected, uint[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                int zeros = actual.Count(v => v == 0);
                return $"{what}: element {i} of {expected.Length} is {actual[i]}, expected {expected[i]} ({zeros} zero elements in the result)";
            }
        }

        return null;
    }

    [CudaFact]
    public void Uploads_and_downloads_on_CUDA_keep_their_data_while_the_GC_moves_the_host_arrays()
    {
        CudaDevice device = CudaDevice.All[0];
        device.Attach(static d => new IlgpuBackend(d));
        int rounds = 0;
        Stress((worker, random, failures) =>
        {
            var clock = Stopwatch.StartNew();
            for (int round = 0; clock.Elapsed < Budget; round++)
            {
                Interlocked.Increment(ref rounds);
                int length = random.Next(1, 2_001);
                uint[] data = RandomScalars.Array(random, length, RandomScalars.UInt);
                using DeviceBuffer buffer = device.Allocate((long)length * sizeof(uint), "Tests.Stress");
                device.Write<uint>(buffer, data, "Tests.Stress");
                var back = new uint[length];
                device.Read<uint>(buffer, back, "Tests.Stress");
                if (Mismatch(data, back, $"worker {worker}, round {round}, length {length}") is { } failure)
                {
                    failures.Enqueue(failure);
                }
            }
        });
        output.WriteLine($"DIAG rounds {rounds}");
        Assert.True(rounds >= Workers, $"only {rounds} rounds ran");
    }

    [CudaFact]
    public void Kernels_on_CUDA_read_and_write_the_right_data_while_the_GC_moves_the_host_arrays()
    {
        CudaDevice device = CudaDevice.All[0];
        var backend = (IlgpuBackend)device.Attach(static d => new IlgpuBackend(d));
        int launches = 0;
        Stress((worker, random, failures) =>
        {
            var clock = Stopwatch.StartNew();
            for (int round = 0; clock.Elapsed < Budget; round++)
            {
                int length = random.Next(1, DeviceRequirements.CudaOnCpuMaxLength + 1);
                uint factor = (uint)random.NextInt64(0, 1L << 32);
                uint[] x = RandomScalars.Array(random, length, RandomScalars.UInt);
                using DeviceBuffer input = device.Allocate((long)length * sizeof(uint), "Tests.Affine");
                using DeviceBuffer output = device.Allocate((long)length * sizeof(uint), "Tests.Affine");
                device.Write<uint>(input, x, "Tests.Affine");
                var arguments = new AffineArguments
                {
                    Length = length,
                    Input = backend.View<uint>(input, "affine"),
                    Output = backend.View<uint>(output, "affine"),
                    Factor = factor,
                };
                int groups = (length + DeviceLaunch.GroupSize - 1) / DeviceLaunch.GroupSize;
                backend.Run(Affine, arguments, "Tests.Affine", "affine", groups, DeviceLaunch.GroupSize);
                Interlocked.Increment(ref launches);
                uint[] y = GC.AllocateUninitializedArray<uint>(length);
                device.Read<uint>(output, y, "Tests.Affine");
                uint[] expected = x.Select((v, i) => Reference(v, factor, i)).ToArray();
                if (Mismatch(expected, y, $"worker {worker}, round {round}, length {length}, factor {factor}") is { } failure)
                {
                    failures.Enqueue(failure);
                }
            }
        });
        Assert.True(launches >= Workers, $"only {launches} launches ran");
    }

    [CudaFact]
    public async Task Pipelines_on_CUDA_give_the_CPU_results_while_the_GC_moves_the_host_arrays()
    {
        var cuda = new KilnOptions { Device = DeviceKind.Cuda };
        int runs = 0;
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        Task[] disturbers = Disturb(stop.Token);
        try
        {
            async Task Run(int worker)
            {
                var clock = Stopwatch.StartNew();
                for (int round = 0; clock.Elapsed < Budget; round++)
                {
                    int seed = 9_000 + (worker * 1_000) + round;
                    var random = new Random(seed);
                    int length = random.Next(1, DeviceRequirements.CudaOnCpuMaxLength + 1);
                    uint[] x = RandomScalars.Array(random, length, RandomScalars.UInt);
                    uint[] y = RandomScalars.Array(random, length, RandomScalars.UInt);
                    uint k = (uint)random.NextInt64(0, 1L << 32);
                    UIntStreams.Result result = await UIntStreams.RunAsync(x, y, k, cuda);
                    Interlocked.Increment(ref runs);
                    uint[] mix = x.Zip(y, (a, b) => UIntStreams.Mix(a, b, k)).ToArray();
                    uint[] tidy = mix.Select((m, i) => UIntStreams.Tidy(m, y[i], i)).ToArray();
                    string where = $"seed {seed}, length {length}";
                    if ((Mismatch(mix, result.Mix, where + ", Mix") ?? Mismatch(tidy, result.Tidy, where + ", Tidy")) is { } failure)
                    {
                        failures.Enqueue(failure);
                    }
                    else if (tidy.Aggregate(0u, UIntStreams.Total) != result.Total)
                    {
                        failures.Enqueue($"{where}, Total: {result.Total}, expected {tidy.Aggregate(0u, UIntStreams.Total)}");
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => Run(w))));
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(disturbers);
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} wrong results, first: {failures.FirstOrDefault()}");
        Assert.True(runs >= Workers, $"only {runs} runs ran");
    }
}
