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
/// in contexts of their own as the PTX tests do, while several threads copy and launch on the run's CUDA device. Before
/// <see cref="IlgpuBackend"/> pinned the host memory, the first test got wrong or all-zero round trips within seconds,
/// and often crashed the test host (a download written into memory the GC had reused).
/// </summary>
public sealed class CudaHostCopyStressTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Workers = 3;

    // The rounds each worker runs at the least, so that every worker has raced the collector before the test judges.
    private const int MinRounds = 3;

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
    private static Task[] Disturb(int collectorPause, CancellationToken stop)
    {
        Task collector = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
                    if (collectorPause == 0)
                    {
                        Thread.Yield();
                    }
                    else
                    {
                        Thread.Sleep(collectorPause);
                    }
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

    /// <summary>
    /// Runs <paramref name="warmUp"/> (the accelerator's creation and the kernels' first load, slow under the disturbance),
    /// then <paramref name="round"/> on <see cref="Workers"/> threads, each with its own seeded random numbers, for about
    /// <see cref="Budget"/> (and at least <see cref="MinRounds"/> rounds each) alongside <see cref="Disturb"/>; a round returns
    /// what it got wrong, or null.
    /// </summary>
    private void Stress(Action warmUp, Func<int, int, Random, string?> round, int collectorPause)
    {
        warmUp();
        var failures = new ConcurrentQueue<string>();
        int rounds = 0;
        int collections = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        Task[] disturbers = Disturb(collectorPause, stop.Token);
        try
        {
            Task.WaitAll(Enumerable.Range(0, Workers)
                .Select(worker => Task.Factory.StartNew(
                    () =>
                    {
                        var random = new Random(8_000 + worker);
                        // At least MinRounds each, however slow a loaded machine makes them (a CI run starved the
                        // workers to one round in 9 s), then as many as the budget allows.
                        for (int r = 0; r < MinRounds || clock.Elapsed < Budget; r++)
                        {
                            if (round(worker, r, random) is { } failure)
                            {
                                failures.Enqueue(failure);
                            }

                            Interlocked.Increment(ref rounds);
                        }
                    },
                    TaskCreationOptions.LongRunning))
                .ToArray());
        }
        finally
        {
            stop.Cancel();
            Task.WaitAll(disturbers);
        }

        output.WriteLine($"{rounds} rounds on {Workers} threads in {clock.Elapsed.TotalSeconds:F1} s, {GC.CollectionCount(0) - collections} gen-0 collections");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {rounds} rounds got wrong results, first: {failures.FirstOrDefault()}");
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
        const int MaxLength = 2_000;
        var pool = RandomScalars.Array(new Random(8), MaxLength, RandomScalars.UInt);
        var buffers = Enumerable.Range(0, Workers).Select(_ => device.Allocate(MaxLength * sizeof(uint), "Tests.Stress")).ToArray();
        try
        {
            // Most of a round is the copies, of arrays that have just been made (young, so a gen-0 collection moves them).
            string? RoundTrip(int worker, int round, Random random)
            {
                int start = random.Next(0, MaxLength);
                uint[] data = pool.AsSpan(start, random.Next(1, MaxLength - start + 1)).ToArray();
                device.Write<uint>(buffers[Math.Max(worker, 0)], data, "Tests.Stress");
                var back = new uint[data.Length];
                device.Read<uint>(buffers[Math.Max(worker, 0)], back, "Tests.Stress");
                return Mismatch(data, back, $"worker {worker}, round {round}, elements {start} to {start + data.Length - 1} of the pool");
            }

            Stress(() => Assert.Null(RoundTrip(-1, 0, new Random(1))), RoundTrip, collectorPause: 0);
        }
        finally
        {
            foreach (DeviceBuffer buffer in buffers)
            {
                buffer.Dispose();
            }
        }
    }

    [CudaFact]
    public void Kernels_on_CUDA_read_and_write_the_right_data_while_the_GC_moves_the_host_arrays()
    {
        CudaDevice device = CudaDevice.All[0];
        var backend = (IlgpuBackend)device.Attach(static d => new IlgpuBackend(d));
        string? Launch(int worker, int round, Random random)
        {
            int length = random.Next(1, DeviceRequirements.CudaOnCpuMaxLength + 1);
            uint factor = (uint)random.NextInt64(0, 1L << 32);
            uint[] x = RandomScalars.Array(random, length, RandomScalars.UInt);
            using DeviceBuffer input = device.Allocate((long)length * sizeof(uint), "Tests.Affine");
            using DeviceBuffer outputBuffer = device.Allocate((long)length * sizeof(uint), "Tests.Affine");
            device.Write<uint>(input, x, "Tests.Affine");
            var arguments = new AffineArguments
            {
                Length = length,
                Input = backend.View<uint>(input, "affine"),
                Output = backend.View<uint>(outputBuffer, "affine"),
                Factor = factor,
            };
            int groups = (length + DeviceLaunch.GroupSize - 1) / DeviceLaunch.GroupSize;
            backend.Run(Affine, arguments, "Tests.Affine", "affine", groups, DeviceLaunch.GroupSize);
            uint[] y = GC.AllocateUninitializedArray<uint>(length);
            device.Read<uint>(outputBuffer, y, "Tests.Affine");
            uint[] expected = x.Select((v, i) => Reference(v, factor, i)).ToArray();
            return Mismatch(expected, y, $"worker {worker}, round {round}, length {length}, factor {factor}");
        }

        Stress(() => Assert.Null(Launch(-1, 0, new Random(1))), Launch, collectorPause: 20);
    }

    [CudaFact]
    public void Pipelines_on_CUDA_give_the_CPU_results_while_the_GC_moves_the_host_arrays()
    {
        var cuda = new KilnOptions { Device = DeviceKind.Cuda };
        string? Run(int worker, int round, Random random)
        {
            int length = random.Next(1, DeviceRequirements.CudaOnCpuMaxLength + 1);
            uint[] x = RandomScalars.Array(random, length, RandomScalars.UInt);
            uint[] y = RandomScalars.Array(random, length, RandomScalars.UInt);
            uint k = (uint)random.NextInt64(0, 1L << 32);
            UIntStreams.Result result = UIntStreams.RunAsync(x, y, k, cuda).GetAwaiter().GetResult();
            uint[] mix = x.Zip(y, (a, b) => UIntStreams.Mix(a, b, k)).ToArray();
            uint[] tidy = mix.Select((m, i) => UIntStreams.Tidy(m, y[i], i)).ToArray();
            uint total = tidy.Aggregate(0u, UIntStreams.Total);
            string where = $"worker {worker}, round {round}, length {length}";
            return Mismatch(mix, result.Mix, where + ", Mix")
                ?? Mismatch(tidy, result.Tidy, where + ", Tidy")
                ?? (total == result.Total ? null : $"{where}, Total: {result.Total}, expected {total}");
        }

        Stress(() => Assert.Null(Run(-1, 0, new Random(1))), Run, collectorPause: 20);
    }
}
