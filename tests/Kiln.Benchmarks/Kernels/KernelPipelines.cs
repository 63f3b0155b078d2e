using System;
using Kiln;

namespace Kiln.Benchmarks.Kernels;

/// <summary>Four element-wise kernels over one stream: fused, they read the input once and write the output once.</summary>
[Pipeline]
public static partial class Chain4
{
    [Task] public static float[] Source(float[] data) => data;

    [Kernel] public static float Scale(float source, float a, float b) => (source * a) + b;

    [Kernel] public static float Square(float scale) => scale * scale;

    [Kernel] public static float Shift(float square, float c) => square - c;

    [Kernel] public static float Clamp(float shift) => MathF.Max(shift, 0f);
}

/// <summary>Black-Scholes call and put prices, the classic GPU benchmark, as kernels over option streams.</summary>
[Pipeline]
public static partial class BlackScholes
{
    [Task] public static float[] Spot(float[] spots) => spots;

    [Task] public static float[] Strike(float[] strikes) => strikes;

    [Task] public static float[] Years(float[] times) => times;

    [Kernel]
    public static float Call(float spot, float strike, float years, float rate, float volatility) =>
        BlackScholesMath.Call(spot, strike, years, rate, volatility);
}

/// <summary>The per-option formula, shared by the kernel and the hand-written baseline.</summary>
public static class BlackScholesMath
{
    public static float Call(float spot, float strike, float years, float rate, float volatility)
    {
        float sqrtT = MathF.Sqrt(years);
        float d1 = (MathF.Log(spot / strike) + ((rate + (0.5f * volatility * volatility)) * years)) / (volatility * sqrtT);
        float d2 = d1 - (volatility * sqrtT);
        return (spot * Normal(d1)) - (strike * MathF.Exp(-rate * years) * Normal(d2));
    }

    // Abramowitz-Stegun approximation of the standard normal CDF, as in the CUDA SDK sample.
    public static float Normal(float d)
    {
        const float A1 = 0.31938153f, A2 = -0.356563782f, A3 = 1.781477937f, A4 = -1.821255978f, A5 = 1.330274429f;
        float k = 1f / (1f + (0.2316419f * MathF.Abs(d)));
        float cnd = 0.3989422804f * MathF.Exp(-0.5f * d * d) * k * (A1 + (k * (A2 + (k * (A3 + (k * (A4 + (k * A5))))))));
        return d > 0 ? 1f - cnd : cnd;
    }
}

/// <summary>Map-reduce: the sum of squares, fused into one pass.</summary>
[Pipeline]
public static partial class SumOfSquares
{
    [Task] public static float[] Values(float[] data) => data;

    [Kernel] public static float Squared(float values) => values * values;

    [Reduce(Identity = 0)] public static float Total(float acc, float squared) => acc + squared;
}
