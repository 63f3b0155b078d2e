using System;
using Kiln;

namespace Kiln.DeviceCheck;

/// <summary>Every float and double to integer cast C# has; .NET 9+ saturates to int/uint/long/ulong and narrows from int.</summary>
[Pipeline]
public static partial class Conversions
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
/// Float comparisons with a constant on either side, and Min/Max reductions whose identity is an infinity, on NaN and
/// edge values: ILGPU 1.5.3 makes a compare with a constant left operand unordered (true for NaN), which the first H200
/// run showed as a Min reduction that lost its NaNs.
/// </summary>
[Pipeline]
public static partial class NaNCompares
{
    [Task] public static float[] Fs(float[] f) => f;
    [Task] public static double[] Ds(double[] d) => d;

    [Kernel, Output]
    public static int FCompared(float fs) =>
        (1f < fs ? 1 : 0) | (0.5f <= fs ? 2 : 0) | (-1f > fs ? 4 : 0) | (2f >= fs ? 8 : 0) | (fs < 3f ? 16 : 0) | (fs >= -3f ? 32 : 0) | (0.25f == fs ? 64 : 0) | (fs != 0f ? 128 : 0);

    [Kernel, Output]
    public static int DCompared(double ds) =>
        (1d < ds ? 1 : 0) | (0.5d <= ds ? 2 : 0) | (-1d > ds ? 4 : 0) | (2d >= ds ? 8 : 0) | (ds < 3d ? 16 : 0) | (ds >= -3d ? 32 : 0) | (0.25d == ds ? 64 : 0) | (ds != 0d ? 128 : 0);

    [Kernel, Output] public static float FClamped(float fs) => Math.Clamp(fs, -1f, 1f);
    [Kernel, Output] public static float FBounded(float fs) => MathF.Max(MathF.Min(2f, fs), -2f);
    [Kernel, Output] public static double DBounded(double ds) => Math.Min(Math.Max(-2d, ds), 2d);
    [Reduce(Identity = double.PositiveInfinity), Output] public static float FLowest(float acc, float fs) => MathF.Min(acc, fs);
    [Reduce(Identity = double.NegativeInfinity), Output] public static float FHighest(float acc, float fs) => MathF.Max(acc, fs);
    [Reduce(Identity = double.PositiveInfinity), Output] public static double DLowest(double acc, double ds) => Math.Min(acc, ds);
}

/// <summary>Integer quotients and remainders, which C# checks: x/0 throws DivideByZeroException, MinValue/-1 OverflowException.</summary>
[Pipeline]
public static partial class Division
{
    [Task] public static int[] Numerators(int[] n) => n;
    [Task] public static int[] Denominators(int[] d) => d;
    [Kernel, Output] public static int Quotient(int numerators, int denominators) => numerators / denominators;
    [Kernel, Output] public static int Remainder(int numerators, int denominators) => numerators % denominators;
}

/// <summary>Math.Sign of floats and doubles, which C# checks too: the sign of a NaN throws ArithmeticException.</summary>
[Pipeline]
public static partial class Signs
{
    [Task] public static float[] Values(float[] v) => v;
    [Task] public static double[] Wide(double[] w) => w;
    [Kernel, Output] public static int OfFloat(float values) => MathF.Sign(values);
    [Kernel, Output] public static int OfDouble(double wide) => Math.Sign(wide);
}

/// <summary>The same for long, where the divide sits in a helper the kernel calls.</summary>
[Pipeline]
public static partial class LongDivision
{
    [Task] public static long[] Wide(long[] w) => w;
    [Task] public static long[] Divisors(long[] v) => v;
    [Kernel] public static long Ratio(long wide, long divisors) => Divide(wide, divisors) + 1;

    private static long Divide(long a, long b) => a / b;
}

/// <summary>A gather with offsets on both sides; indices outside the stream clamp to its edges.</summary>
[Pipeline]
public static partial class Neighbours
{
    [Task] public static int[] Values(int[] v) => v;
    [Kernel] public static int Window([Index] int i, Gather<int> values, int radius) =>
        values[i - radius] - (3 * values[i]) + (7 * values[i + radius]) + values.Length;
}

/// <summary>Float and double gathers at fixed offsets, fused after an element-wise kernel's source.</summary>
[Pipeline]
public static partial class Stencil
{
    [Task] public static float[] Signal(float[] s) => s;
    [Kernel] public static float Scaled(float signal) => signal * 0.5f;
    [Kernel] public static float Smooth([Index] int i, Gather<float> scaled) => (scaled[i - 1] * 0.25f) + (scaled[i] * 0.5f) + (scaled[i + 1] * 0.25f);
}

/// <summary>Reductions whose result depends on the order of the fold (float and double sums): the device must give the CPU's fixed tree.</summary>
[Pipeline]
public static partial class Sums
{
    [Task] public static float[] Values(float[] v) => v;
    [Task] public static double[] Wides(double[] w) => w;
    [Kernel] public static float Squares(float values) => values * values;
    [Reduce, Output] public static float FloatSum(float acc, float values) => acc + values;
    [Reduce, Output] public static float SquareSum(float acc, float squares) => acc + squares;
    [Reduce, Output] public static double DoubleSum(double acc, double wides) => acc + wides;
    [Task] public static long[] Longs(long[] l) => l;
    [Reduce(Identity = 1), Output] public static long LongProduct(long acc, long longs) => acc * longs;
}

/// <summary>Math functions on the device; the largest difference from the CPU, in ulps, is reported per function.</summary>
[Pipeline]
public static partial class MathFunctions
{
    [Task] public static float[] Xs(float[] x) => x;
    [Kernel, Output] public static float Sin(float xs) => MathF.Sin(xs);
    [Kernel, Output] public static float Cos(float xs) => MathF.Cos(xs);
    [Kernel, Output] public static float Exp(float xs) => MathF.Exp(xs);
    [Kernel, Output] public static float Log(float xs) => MathF.Log(MathF.Abs(xs));
    [Kernel, Output] public static float Sqrt(float xs) => MathF.Sqrt(MathF.Abs(xs));
    [Kernel, Output] public static float Pow(float xs) => MathF.Pow(MathF.Abs(xs), 0.37f);
    [Kernel, Output] public static float Tanh(float xs) => MathF.Tanh(xs);
    [Kernel, Output] public static float Atan2(float xs) => MathF.Atan2(xs, 1.5f);
}

/// <summary>The benchmark chain ((x*1.5+0.25)^2-0.5)*3 as four kernels; fused, it reads 4 bytes and writes 4 per element.</summary>
[Pipeline]
public static partial class Chain
{
    [Task] public static float[] Source(float[] data) => data;
    [Kernel] public static float Scale(float source) => (source * 1.5f) + 0.25f;
    [Kernel] public static float Square(float scale) => scale * scale;
    [Kernel] public static float Shift(float square) => square - 0.5f;
    [Kernel] public static float Triple(float shift) => shift * 3f;
}

/// <summary>
/// The bandwidth ceiling as Kiln sees it: an identity kernel, one read and one write per element, through the same run
/// path as the chain (so the same transfers). It works on every device.
/// </summary>
[Pipeline]
public static partial class Copy
{
    [Task] public static float[] Source(float[] data) => data;
    [Kernel] public static float Copied(float source) => source;
}

/// <summary>One kernel, one group: what a run costs beyond its work, on 1K elements.</summary>
[Pipeline]
public static partial class Tiny
{
    [Task] public static float[] Source(float[] data) => data;
    [Kernel] public static float Bump(float source) => source + 1f;
}

/// <summary>A float sum of a large stream, run repeatedly to check that it is bit-identical each time.</summary>
[Pipeline]
public static partial class BigSum
{
    [Task] public static float[] Values(float[] v) => v;
    [Reduce] public static float Total(float acc, float values) => acc + values;
}

/// <summary>Black-Scholes call prices (the CUDA SDK sample's formula, Abramowitz-Stegun normal CDF).</summary>
[Pipeline]
public static partial class BlackScholes
{
    [Task] public static float[] Spot(float[] spots) => spots;
    [Task] public static float[] Strike(float[] strikes) => strikes;
    [Task] public static float[] Years(float[] times) => times;

    [Kernel]
    public static float Call(float spot, float strike, float years, float rate, float volatility)
    {
        float sqrtT = MathF.Sqrt(years);
        float d1 = (MathF.Log(spot / strike) + ((rate + (0.5f * volatility * volatility)) * years)) / (volatility * sqrtT);
        float d2 = d1 - (volatility * sqrtT);
        return (spot * Normal(d1)) - (strike * MathF.Exp(-rate * years) * Normal(d2));
    }

    /// <summary>The standard normal CDF, Abramowitz-Stegun.</summary>
    public static float Normal(float d)
    {
        const float A1 = 0.31938153f, A2 = -0.356563782f, A3 = 1.781477937f, A4 = -1.821255978f, A5 = 1.330274429f;
        float k = 1f / (1f + (0.2316419f * MathF.Abs(d)));
        float cnd = 0.3989422804f * MathF.Exp(-0.5f * d * d) * k * (A1 + (k * (A2 + (k * (A3 + (k * (A4 + (k * A5))))))));
        return d > 0 ? 1f - cnd : cnd;
    }
}
