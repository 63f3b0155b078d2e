using System;
using System.Linq;
using System.Numerics;
using System.Threading.Tasks;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

/// <summary>
/// Differential tests: for every scalar type, the pipeline's streams and reduction equal the kernel methods called
/// as ordinary C# per element, at lengths around the vector width and the CPU block size, fused and unfused,
/// sequential and parallel.
/// </summary>
public class ScalarTypeTests
{
    // 16384 is the CPU backend's block: lengths around it and its multiples exercise partial blocks and the fold tree.
    private const int Block = 16384;
    private const int Large = (1 << 20) + 3;

    private delegate Task<(T[] Mix, T[] Tidy, T Folded)> Run<T>(T[] x, T[] y, T k, KilnOptions options);

    private static int[] Lengths(int vectorCount) =>
        new[] { 0, 1, vectorCount - 1, vectorCount, vectorCount + 1, DeviceRequirements.CudaOnCpuMaxLength - 1, Block - 1, Block, Block + 1, (3 * Block) + 7, Large }
            .Distinct().ToArray();

    private static async Task Check<T>(
        int seed,
        int vectorCount,
        Func<Random, T> next,
        T[] uniforms,
        Run<T> run,
        Func<T, T, T, T> mix,
        Func<T, T, int, T> tidy,
        Func<T, T, T> fold,
        T identity)
    {
        int[] lengths = Lengths(vectorCount);
        for (int n = 0; n < lengths.Length; n++)
        {
            int length = lengths[n];
            var random = new Random(seed + length);
            T[] x = RandomScalars.Array(random, length, next);
            T[] y = RandomScalars.Array(random, length, next);
            T k = uniforms[n % uniforms.Length];

            var expectedMix = new T[length];
            var expectedTidy = new T[length];
            T expectedFolded = identity;
            for (int i = 0; i < length; i++)
            {
                expectedMix[i] = mix(x[i], y[i], k);
                expectedTidy[i] = tidy(expectedMix[i], y[i], i);
                expectedFolded = fold(expectedFolded, expectedTidy[i]);
            }

            // The vector-width edges are the CPU loop's; CUDA on ILGPU's CPU accelerator takes 0, 1, one more than a
            // vector and 999 (three groups of 256 and a partial fourth).
            bool simulatedCuda = length != vectorCount - 1 && length != vectorCount;
            foreach (KilnOptions options in StreamAssert.Options(length, simulatedCuda))
            {
                string context = $"{typeof(T).Name}, seed {seed + length}, length {length}, k {StreamAssert.Show(k)}, {StreamAssert.Describe(options)}";
                (T[] actualMix, T[] actualTidy, T actualFolded) = await run(x, y, k, options);
                StreamAssert.Elements(expectedMix, actualMix, context + ", Mix");
                StreamAssert.Elements(expectedTidy, actualTidy, context + ", Tidy");
                StreamAssert.Equal(expectedFolded, actualFolded, context + ", reduction");
            }
        }
    }

    [Fact]
    public Task Float_kernels_match_per_element_CSharp_including_NaN_infinities_and_negative_zero() => Check(
        1001, Vector<float>.Count, RandomScalars.Float, new[] { 1.5f, -0f, -0.75f, float.PositiveInfinity, 3e-39f },
        async (x, y, k, o) => { var r = await FloatStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Largest); },
        FloatStreams.Mix, FloatStreams.Tidy, FloatStreams.Largest, float.NegativeInfinity);

    [Fact]
    public Task Double_kernels_match_per_element_CSharp_including_NaN_infinities_and_negative_zero() => Check(
        1002, Vector<double>.Count, RandomScalars.Double, new[] { 1.5, -0d, -0.75, double.NegativeInfinity, 1e-310 },
        async (x, y, k, o) => { var r = await DoubleStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Largest); },
        DoubleStreams.Mix, DoubleStreams.Tidy, DoubleStreams.Largest, double.NegativeInfinity);

    [Fact]
    public Task Int_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1003, Vector<int>.Count, RandomScalars.Int, new[] { 3, int.MaxValue, -7, int.MinValue },
        async (x, y, k, o) => { var r = await IntStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        IntStreams.Mix, IntStreams.Tidy, IntStreams.Total, 0);

    [Fact]
    public Task UInt_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1004, Vector<uint>.Count, RandomScalars.UInt, new[] { 3u, uint.MaxValue, 0x80000001u },
        async (x, y, k, o) => { var r = await UIntStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        UIntStreams.Mix, UIntStreams.Tidy, UIntStreams.Total, 0u);

    [Fact]
    public Task Long_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1005, Vector<long>.Count, RandomScalars.Long, new[] { 3L, long.MaxValue, -7L, long.MinValue },
        async (x, y, k, o) => { var r = await LongStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        LongStreams.Mix, LongStreams.Tidy, LongStreams.Total, 0L);

    [Fact]
    public Task ULong_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1006, Vector<ulong>.Count, RandomScalars.ULong, new[] { 3UL, ulong.MaxValue, 0x8000000000000001UL },
        async (x, y, k, o) => { var r = await ULongStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        ULongStreams.Mix, ULongStreams.Tidy, ULongStreams.Total, 0UL);

    [Fact]
    public Task Short_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1007, Vector<short>.Count, RandomScalars.Short, new short[] { 3, short.MaxValue, -7, short.MinValue },
        async (x, y, k, o) => { var r = await ShortStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        ShortStreams.Mix, ShortStreams.Tidy, ShortStreams.Total, (short)0);

    [Fact]
    public Task UShort_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1008, Vector<ushort>.Count, RandomScalars.UShort, new ushort[] { 3, ushort.MaxValue, 0x8001 },
        async (x, y, k, o) => { var r = await UShortStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        UShortStreams.Mix, UShortStreams.Tidy, UShortStreams.Total, (ushort)0);

    [Fact]
    public Task Byte_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1009, Vector<byte>.Count, RandomScalars.Byte, new byte[] { 3, byte.MaxValue, 0x81 },
        async (x, y, k, o) => { var r = await ByteStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        ByteStreams.Mix, ByteStreams.Tidy, ByteStreams.Total, (byte)0);

    [Fact]
    public Task SByte_kernels_wrap_on_overflow_as_CSharp_does() => Check(
        1010, Vector<sbyte>.Count, RandomScalars.SByte, new sbyte[] { 3, sbyte.MaxValue, -7, sbyte.MinValue },
        async (x, y, k, o) => { var r = await SByteStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Total); },
        SByteStreams.Mix, SByteStreams.Tidy, SByteStreams.Total, (sbyte)0);

    [Fact]
    public Task Bool_kernels_match_per_element_CSharp() => Check(
        1011, Vector<byte>.Count, RandomScalars.Bool, new[] { true, false },
        async (x, y, k, o) => { var r = await BoolStreams.RunAsync(x, y, k, o); return (r.Mix, r.Tidy, r.Parity); },
        BoolStreams.Mix, BoolStreams.Tidy, BoolStreams.Parity, false);
}
