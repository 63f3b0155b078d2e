using System;

namespace ImageTone;

/// <summary>A photo-like HDR landscape in linear light: sky gradient, a low sun with a glow, two ranges of hills, grain.</summary>
public static class Scene
{
    /// <summary>Interleaved linear RGB, row-major, top row first; the sun's core is well above 1.</summary>
    public static float[] Render(int width, int height, int seed)
    {
        var random = new Random(seed);
        var rgb = new float[width * height * 3];
        float sunX = 0.68f * width, sunY = 0.42f * height, sunRadius = 0.035f * width;
        for (int y = 0; y < height; y++)
        {
            float v = y / (float)(height - 1);
            for (int x = 0; x < width; x++)
            {
                float u = x / (float)(width - 1);

                // Sky: deep blue overhead to warm haze at the horizon.
                float t = MathF.Pow(v / 0.62f, 1.6f);
                float r = Lerp(0.05f, 0.95f, t), g = Lerp(0.12f, 0.55f, t), b = Lerp(0.45f, 0.30f, t);

                // Sun: a hot disc and a wide glow around it.
                float d = MathF.Sqrt(((x - sunX) * (x - sunX)) + ((y - sunY) * (y - sunY)));
                float glow = 0.9f * MathF.Exp(-d / (4f * sunRadius));
                r += glow * 1.0f;
                g += glow * 0.7f;
                b += glow * 0.35f;
                if (d < sunRadius)
                {
                    r = 6f;
                    g = 5.2f;
                    b = 3.6f;
                }

                // Far hills (hazy blue-green), then near hills (dark green), each a sum of sines.
                float far = 0.60f + (0.05f * MathF.Sin((u * 7f) + 1f)) + (0.025f * MathF.Sin((u * 19f) + 2f));
                float near = 0.74f + (0.07f * MathF.Sin((u * 4f) + 0.3f)) + (0.02f * MathF.Sin(u * 23f));
                if (v > near)
                {
                    float depth = (v - near) / (1f - near);
                    r = Lerp(0.10f, 0.04f, depth);
                    g = Lerp(0.22f, 0.09f, depth);
                    b = Lerp(0.06f, 0.03f, depth);
                }
                else if (v > far)
                {
                    float depth = (v - far) / (near - far);
                    r = Lerp(0.35f, 0.18f, depth);
                    g = Lerp(0.42f, 0.30f, depth);
                    b = Lerp(0.45f, 0.28f, depth);
                }

                // Film grain, proportional to brightness.
                float grain = 1f + (0.06f * ((float)random.NextDouble() - 0.5f));
                int p = 3 * ((y * width) + x);
                rgb[p] = r * grain;
                rgb[p + 1] = g * grain;
                rgb[p + 2] = b * grain;
            }
        }

        return rgb;
    }

    private static float Lerp(float a, float b, float t) => a + ((b - a) * Math.Clamp(t, 0f, 1f));
}
