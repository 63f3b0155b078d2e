using System;
using Kiln;

namespace ImageTone;

/// <summary>
/// Tone-maps an interleaved RGB radiance image: exposure → filmic curve → gamma run as one fused loop; a 3×3 box blur
/// gathers the gamma-encoded image (so it starts a new group) and fuses with the mean-brightness reduction;
/// tasks turn the blurred stream into a histogram and 8-bit pixels.
/// </summary>
[Pipeline]
public static partial class Tone
{
    /// <summary>The scene as a stream the kernels read (kernels read streams that nodes produce).</summary>
    [Task] public static float[] Radiance(float[] photo) => photo;

    [Kernel] public static float Exposure(float radiance, float ev) => radiance * MathF.Pow(2f, ev);

    /// <summary>A filmic curve (Narkowicz's ACES fit): soft shoulder for the sun, a little toe in the shadows.</summary>
    [Kernel]
    public static float Curve(float exposure)
    {
        float x = MathF.Max(exposure, 0f);
        float mapped = x * ((2.51f * x) + 0.03f) / ((x * ((2.43f * x) + 0.59f)) + 0.14f);
        return MathF.Min(mapped, 1f);
    }

    // 'gamma' here is the pipeline input (a parameter named as its own node does not bind to it).
    [Kernel] public static float Gamma(float curve, float gamma) => MathF.Pow(curve, 1f / gamma);

    /// <summary>3×3 box blur of one channel; at the image's edges the edge pixels repeat.</summary>
    [Kernel]
    public static float Blur([Index] int i, Gather<float> gamma, int width)
    {
        int stride = 3 * width;
        int x = (i % stride) / 3;
        int left = x > 0 ? -3 : 0;
        int right = x < width - 1 ? 3 : 0;
        int up = i >= stride ? -stride : 0;
        int down = i + stride < gamma.Length ? stride : 0;
        float above = gamma[i + up + left] + gamma[i + up] + gamma[i + up + right];
        float level = gamma[i + left] + gamma[i] + gamma[i + right];
        float below = gamma[i + down + left] + gamma[i + down] + gamma[i + down + right];
        return (above + level + below) / 9f;
    }

    [Reduce(Identity = 0)] public static float Brightness(float acc, float blur) => acc + blur;

    /// <summary>Luminance histogram in <paramref name="bins"/> bins (a task: reductions fold to one scalar, not to bins).</summary>
    [Task]
    public static int[] Histogram(float[] blur, int bins)
    {
        var counts = new int[bins];
        for (int p = 0; p + 2 < blur.Length; p += 3)
        {
            float luminance = (0.2126f * blur[p]) + (0.7152f * blur[p + 1]) + (0.0722f * blur[p + 2]);
            counts[Math.Clamp((int)(luminance * bins), 0, bins - 1)]++;
        }

        return counts;
    }

    [Task]
    public static byte[] Pixels(float[] blur)
    {
        var bytes = new byte[blur.Length];
        for (int p = 0; p < blur.Length; p++)
        {
            bytes[p] = (byte)Math.Clamp((int)MathF.Round(blur[p] * 255f), 0, 255);
        }

        return bytes;
    }
}
