using System;
using Kiln;

namespace Kiln.DeviceCheck;

// Three fixed kernel DAGs in the form tests/Kiln.Generators.Tests/Kernels/FusionDifferentialTests.cs generates at random
// (float and int kernels folding their operands into a constant: streams, gathers at small offsets, uniforms, the
// index, reductions feeding later kernels). Kernels must be compiled by the generator when this program is built, so
// the DAGs here are a fixed set chosen from that space rather than new random ones per run; the inputs are random.
// DagReference.cs recomputes every node per element from the formulas, not by calling these methods.

[Pipeline]
public static partial class Dag1
{
    [Task] public static float[] SourceF(float[] inF) => inF;
    [Task] public static int[] SourceI(int[] inI) => inI;

    [Kernel, Output]
    public static float N0(float sourcef, int sourcei, [Index] int i)
    {
        float acc = 0.75f;
        acc = acc + sourcef;
        acc = acc * 0.5f - (float)sourcei;
        acc = MathF.Min(acc, (float)i) + 1f;
        return acc;
    }

    [Kernel, Output]
    public static int N1(int sourcei, float n0)
    {
        int acc = 3;
        acc = acc * 31 - sourcei;
        acc = acc ^ ((int)n0 << 3);
        return acc;
    }

    [Reduce(Identity = double.NegativeInfinity), Output] public static float N2(float acc, float n0) => MathF.Max(acc, n0);

    [Kernel, Output]
    public static float N3(float n0, float n2, [From("SourceF")] Gather<float> gsourcef, [Index] int i)
    {
        float acc = -1.25f;
        acc = MathF.Max(acc, n0) * 0.75f;
        acc = acc + n2;
        acc = acc * 0.5f - gsourcef[i + (-2)];
        return acc;
    }

    [Reduce(Identity = 0), Output] public static int N4(int acc, int n1) => acc + n1;

    [Kernel, Output]
    public static int N5(int n1, int ui, int n4)
    {
        int acc = -2;
        acc = (acc >> 2) + n1 * 7;
        acc = acc + ui;
        acc = acc ^ (n4 << 3);
        return acc;
    }
}

[Pipeline]
public static partial class Dag2
{
    [Task] public static float[] SourceF(float[] inF) => inF;
    [Task] public static int[] SourceI(int[] inI) => inI;

    [Kernel, Output]
    public static int N0(int sourcei, [From("SourceI")] Gather<int> gsourcei, [Index] int i)
    {
        int acc = 1;
        acc = acc + sourcei;
        acc = acc * 31 - gsourcei[i + 3];
        acc = (acc >> 2) + i * 7;
        return acc;
    }

    [Kernel, Output]
    public static float N1(int n0, float sourcef, float uf)
    {
        float acc = 2f;
        acc = acc + (float)n0;
        acc = MathF.Min(acc, sourcef) + 1f;
        acc = acc * 0.5f - uf;
        return acc;
    }

    [Kernel, Output]
    public static float N2(float n1, [From("N1")] Gather<float> gn1, [Index] int i)
    {
        float acc = -0.5f;
        acc = MathF.Max(acc, n1) * 0.75f;
        acc = acc + gn1[i + (-1)];
        return acc;
    }

    [Reduce(Identity = int.MinValue), Output] public static int N3(int acc, int n0) => Math.Max(acc, n0);

    [Reduce(Identity = double.PositiveInfinity), Output] public static float N4(float acc, float n2) => MathF.Min(acc, n2);

    [Kernel, Output]
    public static int N5(int sourcei, int n3, float n4)
    {
        int acc = 0;
        acc = acc ^ (sourcei << 3);
        acc = acc + n3;
        acc = acc * 31 - (int)n4;
        return acc;
    }
}

[Pipeline]
public static partial class Dag3
{
    [Task] public static float[] SourceF(float[] inF) => inF;
    [Task] public static int[] SourceI(int[] inI) => inI;

    [Kernel]
    public static float N0(float sourcef)
    {
        float acc = 0.25f;
        acc = acc * 0.5f - sourcef;
        return acc;
    }

    [Kernel]
    public static float N1(float n0, float uf)
    {
        float acc = 1.5f;
        acc = MathF.Max(acc, n0) * 0.75f;
        acc = acc + uf;
        return acc;
    }

    [Kernel]
    public static int N2(float n1, int sourcei, [Index] int i)
    {
        int acc = -3;
        acc = acc + (int)n1;
        acc = (acc >> 2) + sourcei * 7;
        acc = acc ^ (i << 3);
        return acc;
    }

    [Kernel, Output]
    public static float N3(float n1, int n2)
    {
        float acc = -2f;
        acc = MathF.Min(acc, n1) + 1f;
        acc = acc + (float)n2;
        return acc;
    }

    [Reduce(Identity = 0), Output] public static int N4(int acc, int n2) => acc ^ n2;

    [Reduce(Identity = 1), Output] public static int N5(int acc, int n2) => acc * n2;
}
