using System;
using System.Linq;

namespace Kiln.DeviceCheck;

/// <summary>
/// The DAGs of Dags.cs recomputed per element from their formulas, written out again here (not by calling the kernel
/// methods), with gathers clamped by hand. Every reduction in them gives the same in any order (min, max, wrapping
/// sum, xor, wrapping product), so a sequential fold is the reference.
/// </summary>
internal static class DagReference
{
    private static T At<T>(T[] values, int index) => values[Math.Min(Math.Max(index, 0), values.Length - 1)];

    public static void Check1(Check check, float[] inF, int[] inI, int ui, Dag1.Result r, string context)
    {
        int n = inF.Length;
        float[] n0 = Enumerable.Range(0, n).Select(i => MathF.Min((0.75f + inF[i]) * 0.5f - inI[i], i) + 1f).ToArray();
        int[] n1 = Enumerable.Range(0, n).Select(i => unchecked(((3 * 31) - inI[i]) ^ ((int)n0[i] << 3))).ToArray();
        float n2 = n0.Aggregate(float.NegativeInfinity, MathF.Max);
        float[] n3 = Enumerable.Range(0, n).Select(i => ((MathF.Max(-1.25f, n0[i]) * 0.75f) + n2) * 0.5f - At(inF, i - 2)).ToArray();
        int n4 = n1.Aggregate(0, (a, b) => unchecked(a + b));
        int[] n5 = Enumerable.Range(0, n).Select(i => unchecked((((-2 >> 2) + (n1[i] * 7)) + ui) ^ (n4 << 3))).ToArray();
        check.Elements(n0, r.N0, context + ", N0");
        check.Elements(n1, r.N1, context + ", N1");
        check.Equal(n2, r.N2, context + ", N2 (max)");
        check.Elements(n3, r.N3, context + ", N3 (gather, reduction as uniform)");
        check.Equal(n4, r.N4, context + ", N4 (sum)");
        check.Elements(n5, r.N5, context + ", N5");
    }

    public static void Check2(Check check, float[] inF, int[] inI, float uf, Dag2.Result r, string context)
    {
        int n = inF.Length;
        int[] n0 = Enumerable.Range(0, n).Select(i => unchecked((((1 + inI[i]) * 31 - At(inI, i + 3)) >> 2) + (i * 7))).ToArray();
        float[] n1 = Enumerable.Range(0, n).Select(i => (MathF.Min(2f + n0[i], inF[i]) + 1f) * 0.5f - uf).ToArray();
        float[] n2 = Enumerable.Range(0, n).Select(i => (MathF.Max(-0.5f, n1[i]) * 0.75f) + At(n1, i - 1)).ToArray();
        int n3 = n0.Aggregate(int.MinValue, Math.Max);
        float n4 = n2.Aggregate(float.PositiveInfinity, MathF.Min);
        int[] n5 = Enumerable.Range(0, n).Select(i => unchecked(((0 ^ (inI[i] << 3)) + n3) * 31 - (int)n4)).ToArray();
        check.Elements(n0, r.N0, context + ", N0 (int gather)");
        check.Elements(n1, r.N1, context + ", N1");
        check.Elements(n2, r.N2, context + ", N2 (gather of a kernel)");
        check.Equal(n3, r.N3, context + ", N3 (max)");
        check.Equal(n4, r.N4, context + ", N4 (min)");
        check.Elements(n5, r.N5, context + ", N5");
    }

    public static void Check3(Check check, float[] inF, int[] inI, float uf, Dag3.Result r, string context)
    {
        int n = inF.Length;
        float[] n0 = inF.Select(x => 0.25f * 0.5f - x).ToArray();
        float[] n1 = n0.Select(x => (MathF.Max(1.5f, x) * 0.75f) + uf).ToArray();
        int[] n2 = Enumerable.Range(0, n).Select(i => unchecked((((-3 + (int)n1[i]) >> 2) + (inI[i] * 7)) ^ (i << 3))).ToArray();
        float[] n3 = Enumerable.Range(0, n).Select(i => MathF.Min(-2f, n1[i]) + 1f + n2[i]).ToArray();
        check.Elements(n3, r.N3, context + ", N3 (chain of four)");
        check.Equal(n2.Aggregate(0, (a, b) => a ^ b), r.N4, context + ", N4 (xor)");
        check.Equal(n2.Aggregate(1, (a, b) => unchecked(a * b)), r.N5, context + ", N5 (product)");
    }
}
