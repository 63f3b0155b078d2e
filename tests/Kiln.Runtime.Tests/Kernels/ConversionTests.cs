using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Kernels;

[Pipeline]
public static partial class FloatConversions
{
    [Task] public static float[] Fs(float[] f) => f;
    [Task] public static double[] Ds(double[] d) => d;
    [Kernel, Output] public static sbyte FSByte(float fs) => (sbyte)fs;
    [Kernel, Output] public static byte FByte(float fs) => (byte)fs;
    [Kernel, Output] public static short FShort(float fs) => (short)fs;
    [Kernel, Output] public static ushort FUShort(float fs) => (ushort)fs;
    [Kernel, Output] public static int FInt(float fs) => (int)fs;
    [Kernel, Output] public static uint FUInt(float fs) => (uint)fs;
    [Kernel, Output] public static long FLong(float fs) => (long)fs;
    [Kernel, Output] public static ulong FULong(float fs) => (ulong)fs;
    [Kernel, Output] public static sbyte DSByte(double ds) => (sbyte)ds;
    [Kernel, Output] public static byte DByte(double ds) => (byte)ds;
    [Kernel, Output] public static short DShort(double ds) => (short)ds;
    [Kernel, Output] public static ushort DUShort(double ds) => (ushort)ds;
    [Kernel, Output] public static int DInt(double ds) => (int)ds;
    [Kernel, Output] public static uint DUInt(double ds) => (uint)ds;
    [Kernel, Output] public static long DLong(double ds) => (long)ds;
    [Kernel, Output] public static ulong DULong(double ds) => (ulong)ds;
}

/// <summary>
/// Floating-point to integer casts as .NET 9+ defines them: truncate toward zero, saturate to int, uint, long or
/// ulong, NaN gives 0, and a cast to a smaller integer takes the low bits of the saturated <c>int</c>
/// (<c>(byte)300.7f</c> is 44). C's casts are undefined out of range, and OpenCL's <c>convert_uchar_sat</c> would
/// give 255, so every backend is checked against C# on the edges.
/// </summary>
public class ConversionTests
{
    private static readonly float[] FloatEdges =
    {
        300.7f, -5.5f, 1e20f, -1e20f, 70000f, -40000f, 2147483520f, 2147483648f, -2147483648f, -2147483904f,
        4294967040f, 4294967296f, 9.2233715e18f, 9.223372e18f, 1.8446743e19f, 1.8446744e19f, 127.9f, 128f, -128.9f, -129f,
        255.9f, 256f, 32767.9f, 32768f, 65535.9f, 65536f, -0.99f, 0.99f,
    };

    private static readonly double[] DoubleEdges =
    {
        300.7, -5.5, 1e300, -1e300, 2147483647.9, 2147483648.0, -2147483648.9, -2147483649.0, 4294967295.9, 4294967296.0,
        9223372036854774784.0, 9223372036854775808.0, -9223372036854775808.0, -9223372036854777856.0,
        18446744073709549568.0, 18446744073709551616.0, -0.99, 0.99, 65535.9, -1e-300,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(70_001)]
    public async Task Float_to_integer_casts_match_CSharp_on_every_backend(int length)
    {
        var random = new Random(4100 + length);
        float[] f = Enumerable.Range(0, length)
            .Select(i => random.Next(3) == 0 ? FloatEdges[random.Next(FloatEdges.Length)] : RandomScalars.Float(random))
            .ToArray();
        double[] d = Enumerable.Range(0, length)
            .Select(i => random.Next(3) == 0 ? DoubleEdges[random.Next(DoubleEdges.Length)] : RandomScalars.Double(random) / Math.Pow(2, random.Next(200, 300)))
            .ToArray();

        foreach (KilnOptions options in StreamAssert.Options(length))
        {
            string context = $"length {length}, {StreamAssert.Describe(options)}";
            FloatConversions.Result result = await FloatConversions.RunAsync(f, d, options);
            Check(f, x => (sbyte)x, result.FSByte, context + ", (sbyte)float");
            Check(f, x => (byte)x, result.FByte, context + ", (byte)float");
            Check(f, x => (short)x, result.FShort, context + ", (short)float");
            Check(f, x => (ushort)x, result.FUShort, context + ", (ushort)float");
            Check(f, x => (int)x, result.FInt, context + ", (int)float");
            Check(f, x => (uint)x, result.FUInt, context + ", (uint)float");
            Check(f, x => (long)x, result.FLong, context + ", (long)float");
            Check(f, x => (ulong)x, result.FULong, context + ", (ulong)float");
            Check(d, x => (sbyte)x, result.DSByte, context + ", (sbyte)double");
            Check(d, x => (byte)x, result.DByte, context + ", (byte)double");
            Check(d, x => (short)x, result.DShort, context + ", (short)double");
            Check(d, x => (ushort)x, result.DUShort, context + ", (ushort)double");
            Check(d, x => (int)x, result.DInt, context + ", (int)double");
            Check(d, x => (uint)x, result.DUInt, context + ", (uint)double");
            Check(d, x => (long)x, result.DLong, context + ", (long)double");
            Check(d, x => (ulong)x, result.DULong, context + ", (ulong)double");
        }
    }

    private static void Check<TFrom, TTo>(TFrom[] source, Func<TFrom, TTo> cast, IReadOnlyList<TTo> actual, string context)
    {
        TTo[] expected = source.Select(cast).ToArray();
        Assert.True(expected.Length == actual.Count, $"{context}: expected {expected.Length} elements, got {actual.Count}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (!EqualityComparer<TTo>.Default.Equals(expected[i], actual[i]))
            {
                Assert.Fail($"{context}: element {i} ({StreamAssert.Show(source[i])}): expected {expected[i]}, got {actual[i]}");
            }
        }
    }
}
