using System;
using Kiln;

// One pipeline per scalar type (the shape of tests/Kiln.Runtime.Tests/Kernels/ScalarTypePipelines.cs): two task streams
// and a uniform feed Mix; Tidy reads Mix with its index; a reduction folds Tidy. Integer bodies wrap; floats meet NaN,
// infinities and -0.
namespace Kiln.DeviceCheck;

[Pipeline]
public static partial class FloatStreams
{
    [Task] public static float[] Xs(float[] x) => x;
    [Task] public static float[] Ys(float[] y) => y;
    [Kernel, Output] public static float Mix(float xs, float ys, float k) => xs * k + ys / k - xs * ys;
    [Kernel, Output] public static float Tidy(float mix, float ys, [Index] int i) => mix < ys || mix >= ys ? (mix - ys) * 0.5f + i : -i;
    [Reduce(Identity = double.NegativeInfinity)] public static float Largest(float acc, float tidy) => MathF.Max(acc, tidy);
}

[Pipeline]
public static partial class DoubleStreams
{
    [Task] public static double[] Xs(double[] x) => x;
    [Task] public static double[] Ys(double[] y) => y;
    [Kernel, Output] public static double Mix(double xs, double ys, double k) => xs * k + ys / k - xs * ys;
    [Kernel, Output] public static double Tidy(double mix, double ys, [Index] int i) => mix < ys || mix >= ys ? (mix - ys) * 0.5 + i : -i;
    [Reduce(Identity = double.NegativeInfinity)] public static double Largest(double acc, double tidy) => Math.Max(acc, tidy);
}

[Pipeline]
public static partial class IntStreams
{
    [Task] public static int[] Xs(int[] x) => x;
    [Task] public static int[] Ys(int[] y) => y;
    [Kernel, Output] public static int Mix(int xs, int ys, int k) => xs * k + (ys ^ (xs >> 3)) - (ys << 5);
    [Kernel, Output] public static int Tidy(int mix, int ys, [Index] int i) => mix > ys ? mix - i * 7919 : ys * 31 + i;
    [Reduce(Identity = 0)] public static int Total(int acc, int tidy) => acc + tidy;
}

[Pipeline]
public static partial class UIntStreams
{
    [Task] public static uint[] Xs(uint[] x) => x;
    [Task] public static uint[] Ys(uint[] y) => y;
    [Kernel, Output] public static uint Mix(uint xs, uint ys, uint k) => xs * k + (ys ^ (xs >> 3)) - (ys << 5);
    [Kernel, Output] public static uint Tidy(uint mix, uint ys, [Index] int i) => mix > ys ? mix - (uint)i * 7919u : ys * 31u + (uint)i;
    [Reduce(Identity = 0)] public static uint Total(uint acc, uint tidy) => acc + tidy;
}

[Pipeline]
public static partial class LongStreams
{
    [Task] public static long[] Xs(long[] x) => x;
    [Task] public static long[] Ys(long[] y) => y;
    [Kernel, Output] public static long Mix(long xs, long ys, long k) => xs * k + (ys ^ (xs >> 3)) - (ys << 5);
    [Kernel, Output] public static long Tidy(long mix, long ys, [Index] int i) => mix > ys ? mix - i * 7919L : ys * 31L + i;
    [Reduce(Identity = 0)] public static long Total(long acc, long tidy) => acc + tidy;
}

[Pipeline]
public static partial class ULongStreams
{
    [Task] public static ulong[] Xs(ulong[] x) => x;
    [Task] public static ulong[] Ys(ulong[] y) => y;
    [Kernel, Output] public static ulong Mix(ulong xs, ulong ys, ulong k) => xs * k + (ys ^ (xs >> 3)) - (ys << 5);
    [Kernel, Output] public static ulong Tidy(ulong mix, ulong ys, [Index] int i) => mix > ys ? mix - (ulong)i * 7919UL : ys * 31UL + (ulong)i;
    [Reduce(Identity = 0)] public static ulong Total(ulong acc, ulong tidy) => acc + tidy;
}

[Pipeline]
public static partial class ShortStreams
{
    [Task] public static short[] Xs(short[] x) => x;
    [Task] public static short[] Ys(short[] y) => y;
    [Kernel, Output] public static short Mix(short xs, short ys, short k) => (short)(xs * k + (ys ^ (xs >> 3)) - (ys << 5));
    [Kernel, Output] public static short Tidy(short mix, short ys, [Index] int i) => (short)(mix > ys ? mix - i * 7919 : ys * 31 + i);
    [Reduce(Identity = 0)] public static short Total(short acc, short tidy) => (short)(acc + tidy);
}

[Pipeline]
public static partial class UShortStreams
{
    [Task] public static ushort[] Xs(ushort[] x) => x;
    [Task] public static ushort[] Ys(ushort[] y) => y;
    [Kernel, Output] public static ushort Mix(ushort xs, ushort ys, ushort k) => (ushort)(xs * k + (ys ^ (xs >> 3)) - (ys << 5));
    [Kernel, Output] public static ushort Tidy(ushort mix, ushort ys, [Index] int i) => (ushort)(mix > ys ? mix - i * 7919 : ys * 31 + i);
    [Reduce(Identity = 0)] public static ushort Total(ushort acc, ushort tidy) => (ushort)(acc + tidy);
}

[Pipeline]
public static partial class ByteStreams
{
    [Task] public static byte[] Xs(byte[] x) => x;
    [Task] public static byte[] Ys(byte[] y) => y;
    [Kernel, Output] public static byte Mix(byte xs, byte ys, byte k) => (byte)(xs * k + (ys ^ (xs >> 3)) - (ys << 5));
    [Kernel, Output] public static byte Tidy(byte mix, byte ys, [Index] int i) => (byte)(mix > ys ? mix - i * 7919 : ys * 31 + i);
    [Reduce(Identity = 0)] public static byte Total(byte acc, byte tidy) => (byte)(acc + tidy);
}

[Pipeline]
public static partial class SByteStreams
{
    [Task] public static sbyte[] Xs(sbyte[] x) => x;
    [Task] public static sbyte[] Ys(sbyte[] y) => y;
    [Kernel, Output] public static sbyte Mix(sbyte xs, sbyte ys, sbyte k) => (sbyte)(xs * k + (ys ^ (xs >> 3)) - (ys << 5));
    [Kernel, Output] public static sbyte Tidy(sbyte mix, sbyte ys, [Index] int i) => (sbyte)(mix > ys ? mix - i * 7919 : ys * 31 + i);
    [Reduce(Identity = 0)] public static sbyte Total(sbyte acc, sbyte tidy) => (sbyte)(acc + tidy);
}

[Pipeline]
public static partial class BoolStreams
{
    [Task] public static bool[] Xs(bool[] x) => x;
    [Task] public static bool[] Ys(bool[] y) => y;
    [Kernel, Output] public static bool Mix(bool xs, bool ys, bool k) => k ? xs & !ys : xs | ys;
    [Kernel, Output] public static bool Tidy(bool mix, bool ys, [Index] int i) => mix ^ (i % 3 == 0 & ys);
    [Reduce(Identity = 0)] public static bool Parity(bool acc, bool tidy) => acc ^ tidy;
}
