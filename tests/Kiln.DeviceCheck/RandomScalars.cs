using System;

namespace Kiln.DeviceCheck;

/// <summary>Random scalars that hit the edges often: NaN, infinities, negative zero, subnormals, MinValue/MaxValue.</summary>
internal static class RandomScalars
{
    private static readonly float[] SpecialFloats =
    {
        float.NaN, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)), float.PositiveInfinity, float.NegativeInfinity,
        -0f, 0f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1e-40f, 1f, -1f,
    };

    private static readonly double[] SpecialDoubles =
    {
        double.NaN, BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001UL)), double.PositiveInfinity, double.NegativeInfinity,
        -0d, 0d, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 1e-310, 1d, -1d,
    };

    public static float Float(Random random) => random.Next(12) == 0
        ? SpecialFloats[random.Next(SpecialFloats.Length)]
        : (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-20, 40)));

    public static double Double(Random random) => random.Next(12) == 0
        ? SpecialDoubles[random.Next(SpecialDoubles.Length)]
        : (random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-60, 300));

    public static long Long(Random random) => Pick(random, new[] { long.MaxValue, long.MinValue, long.MaxValue - 1, -1L, 0L, 1L }, r => r.NextInt64(long.MinValue, long.MaxValue));

    public static ulong ULong(Random random) => Pick(random, new[] { ulong.MaxValue, 0UL, 1UL, ulong.MaxValue - 1, 1UL << 63 }, r => unchecked((ulong)r.NextInt64(long.MinValue, long.MaxValue)));

    public static int Int(Random random) => Pick(random, new[] { int.MaxValue, int.MinValue, int.MaxValue - 1, -1, 0, 1 }, r => unchecked((int)r.NextInt64()));

    public static uint UInt(Random random) => Pick(random, new[] { uint.MaxValue, 0u, 1u, uint.MaxValue - 1, 1u << 31 }, r => unchecked((uint)r.NextInt64()));

    public static short Short(Random random) => Pick(random, new[] { short.MaxValue, short.MinValue, (short)-1, (short)0, (short)1 }, r => unchecked((short)r.Next()));

    public static ushort UShort(Random random) => Pick(random, new[] { ushort.MaxValue, (ushort)0, (ushort)1, (ushort)0x8000 }, r => unchecked((ushort)r.Next()));

    public static byte Byte(Random random) => Pick(random, new[] { byte.MaxValue, (byte)0, (byte)1, (byte)0x80 }, r => unchecked((byte)r.Next()));

    public static sbyte SByte(Random random) => Pick(random, new[] { sbyte.MaxValue, sbyte.MinValue, (sbyte)-1, (sbyte)0, (sbyte)1 }, r => unchecked((sbyte)r.Next()));

    private static T Pick<T>(Random random, T[] edges, Func<Random, T> uniform) =>
        random.Next(8) == 0 ? edges[random.Next(edges.Length)] : uniform(random);

    public static bool Bool(Random random) => random.Next(2) == 0;

    public static T[] Array<T>(Random random, int length, Func<Random, T> next)
    {
        var items = new T[length];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = next(random);
        }

        return items;
    }
}
