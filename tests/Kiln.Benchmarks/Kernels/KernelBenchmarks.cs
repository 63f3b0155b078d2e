using System;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Kiln.Benchmarks.Kernels;

/// <summary>
/// Issue 3's CPU kernel benchmarks over 16M floats: the fused 4-kernel chain against the same chain unfused, a
/// hand-written parallel Vector&lt;T&gt; loop and a STREAM triad (the bandwidth limit) in the same run; Black-Scholes
/// against a hand-written parallel loop; sum of squares against LINQ, TensorPrimitives and hand loops. Every
/// variant that produces a stream allocates its output, as Kiln does.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int Length = 16 * 1024 * 1024;
    private const int Block = 16384;
    private float[] _x = null!;
    private float[] _y = null!;
    private float[] _z = null!;
    private float[] _spots = null!;
    private float[] _strikes = null!;
    private float[] _years = null!;
    private readonly KilnOptions _unfused = new() { Fusion = false, Device = DeviceKind.Cpu };
    private readonly KilnOptions _cpu = new() { Device = DeviceKind.Cpu };
    private readonly KilnOptions _openCl = new() { Device = DeviceKind.OpenCl };
    private readonly KilnOptions _openClUnfused = new() { Device = DeviceKind.OpenCl, Fusion = false };

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = Enumerable.Range(0, Length).Select(_ => (float)random.NextDouble()).ToArray();
        _y = Enumerable.Range(0, Length).Select(_ => (float)random.NextDouble()).ToArray();
        _z = new float[Length];
        _spots = Enumerable.Range(0, Length).Select(_ => 50f + (50f * (float)random.NextDouble())).ToArray();
        _strikes = Enumerable.Range(0, Length).Select(_ => 50f + (50f * (float)random.NextDouble())).ToArray();
        _years = Enumerable.Range(0, Length).Select(_ => 0.25f + (float)random.NextDouble()).ToArray();
    }

    [Benchmark(Description = "STREAM triad z = x + s*y (bandwidth limit)")]
    public float[] StreamTriad()
    {
        float[] x = _x, y = _y, z = _z;
        Parallel.For(0, Length / Block, b =>
        {
            var s = new Vector<float>(3f);
            Span<float> zs = z.AsSpan(b * Block, Block);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x.AsSpan(b * Block, Block));
            ReadOnlySpan<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y.AsSpan(b * Block, Block));
            Span<Vector<float>> zv = MemoryMarshal.Cast<float, Vector<float>>(zs);
            for (int i = 0; i < zv.Length; i++)
            {
                zv[i] = xv[i] + (s * yv[i]);
            }
        });
        return z;
    }

    [Benchmark(Baseline = true, Description = "4-kernel chain: hand-written parallel Vector<T>")]
    public float[] ChainHandWritten()
    {
        float[] x = _x;
        float[] output = GC.AllocateUninitializedArray<float>(Length);
        Parallel.For(0, Length / Block, b =>
        {
            var a = new Vector<float>(1.5f);
            var c = new Vector<float>(0.25f);
            var d = new Vector<float>(0.5f);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x.AsSpan(b * Block, Block));
            Span<Vector<float>> ov = MemoryMarshal.Cast<float, Vector<float>>(output.AsSpan(b * Block, Block));
            for (int i = 0; i < xv.Length; i++)
            {
                Vector<float> scaled = (xv[i] * a) + c;
                ov[i] = Vector.Max((scaled * scaled) - d, Vector<float>.Zero);
            }
        });
        return output;
    }

    [Benchmark(Description = "4-kernel chain: Kiln fused")]
    public float[] ChainFused() => Chain4.RunAsync(_x, 1.5f, 0.25f, 0.5f, _cpu).GetAwaiter().GetResult();

    [Benchmark(Description = "4-kernel chain: Kiln unfused")]
    public float[] ChainUnfused() => Chain4.RunAsync(_x, 1.5f, 0.25f, 0.5f, _unfused).GetAwaiter().GetResult();

    [Benchmark(Description = "Black-Scholes: hand-written parallel loop")]
    public float[] BlackScholesHandWritten()
    {
        float[] spots = _spots, strikes = _strikes, years = _years;
        float[] output = GC.AllocateUninitializedArray<float>(Length);
        Parallel.For(0, Length / Block, b =>
        {
            for (int i = b * Block, end = i + Block; i < end; i++)
            {
                output[i] = BlackScholesMath.Call(spots[i], strikes[i], years[i], 0.02f, 0.3f);
            }
        });
        return output;
    }

    [Benchmark(Description = "Black-Scholes: Kiln")]
    public float[] BlackScholesKiln() => BlackScholes.RunAsync(_spots, _strikes, _years, 0.02f, 0.3f, _cpu).GetAwaiter().GetResult();

    // PoCL runs OpenCL on these same two CPU cores: the numbers are for the record (correctness is what PoCL proves);
    // they include uploading the input and downloading the result each run.
    [Benchmark(Description = "4-kernel chain: OpenCL (PoCL) fused")]
    public float[] ChainOpenClFused() => Chain4.RunAsync(_x, 1.5f, 0.25f, 0.5f, _openCl).GetAwaiter().GetResult();

    [Benchmark(Description = "4-kernel chain: OpenCL (PoCL) unfused")]
    public float[] ChainOpenClUnfused() => Chain4.RunAsync(_x, 1.5f, 0.25f, 0.5f, _openClUnfused).GetAwaiter().GetResult();

    [Benchmark(Description = "Black-Scholes: OpenCL (PoCL)")]
    public float[] BlackScholesOpenCl() => BlackScholes.RunAsync(_spots, _strikes, _years, 0.02f, 0.3f, _openCl).GetAwaiter().GetResult();

    [Benchmark(Description = "Sum of squares: OpenCL (PoCL)")]
    public float SumOfSquaresOpenCl() => SumOfSquares.RunAsync(_x, _openCl).GetAwaiter().GetResult();

    [Benchmark(Description = "Sum of squares: Enumerable.Sum")]
    public float SumOfSquaresLinq() => _x.Sum(v => v * v);

    [Benchmark(Description = "Sum of squares: TensorPrimitives")]
    public float SumOfSquaresTensorPrimitives() => TensorPrimitives.SumOfSquares(_x);

    [Benchmark(Description = "Sum of squares: hand loop")]
    public float SumOfSquaresHandLoop()
    {
        float total = 0;
        foreach (float v in _x)
        {
            total += v * v;
        }

        return total;
    }

    [Benchmark(Description = "Sum of squares: Kiln map-reduce")]
    public float SumOfSquaresKiln() => SumOfSquares.RunAsync(_x, _cpu).GetAwaiter().GetResult();
}
