using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Execution;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>
/// The generated CUDA C compiles with NVRTC, the compiler <see cref="CudaDevice"/> uses, which needs no GPU: every CUDA
/// source the generator embedded in this test assembly is compiled for the architectures of Volta, Ampere and Hopper,
/// and each kernel it declares must be an entry point of the PTX.
/// </summary>
public sealed class NvrtcTests
{
    private static readonly int[] Architectures = { 70, 80, 90 };

    private static IReadOnlyList<(string Name, string Source)> GeneratedCudaSources() => CudaSources.In(typeof(NvrtcTests).Assembly);

    [NvrtcFact]
    public void Every_generated_CUDA_source_compiles_to_PTX_with_an_entry_point_per_kernel()
    {
        IReadOnlyList<(string Field, string Source)> sources = GeneratedCudaSources();

        // The device tests alone declare dozens of pipelines; a handful would mean the lookup above went wrong.
        Assert.True(sources.Count >= 40, $"found only {sources.Count} generated CUDA sources");
        foreach ((string name, string source) in sources)
        {
            foreach (int architecture in Architectures)
            {
                CudaSources.AssertCompiles(name, source, architecture);
            }
        }
    }

    [NvrtcFact]
    public void Conversions_compile_to_PTX_saturating_cvt_and_no_fused_multiply_add_is_contracted()
    {
        string source = GeneratedCudaSources().Single(s => s.Source.Contains("// FInt\n", StringComparison.Ordinal)).Source;
        string ptx = CudaSources.AssertCompiles("FInt", source, 90);
        Assert.Contains("cvt.rzi.s32.f32", ptx, StringComparison.Ordinal);

        // FloatStreams.Mix is xs * k + ys / k - xs * ys: each product must round before the sum, as in C#. With
        // --fmad=false NVRTC writes explicitly rounded mul.rn/add.rn, which ptxas may not contract into fma either.
        string mix = GeneratedCudaSources().First(s => s.Source.Contains("pipeline Kiln.Runtime.Tests.Kernels.FloatStreams,", StringComparison.Ordinal)).Source;
        Assert.Contains("(((p0 * p2) + (p1 / p2)) - (p0 * p1))", mix, StringComparison.Ordinal);
        string mixPtx = CudaSources.AssertCompiles("FloatStreams", mix, 90);
        Assert.DoesNotContain("fma.", mixPtx, StringComparison.Ordinal);
        Assert.Contains("mul.rn.f32", mixPtx, StringComparison.Ordinal);
        Assert.Contains("add.rn.f32", mixPtx, StringComparison.Ordinal);
    }

    [NvrtcFact]
    public void A_source_that_does_not_compile_throws_with_NVRTC_s_log_naming_the_source()
    {
        const string Broken = "extern \"C\" __global__ void kiln_group0(int length, float* o1)\n{\n    o1[0] = kiln_undefined_helper(length);\n}\n";
        DeviceException failure = Assert.Throws<DeviceException>(() => CudaCompiler.CompileToPtx("Broken.Group0", Broken, 90));
        Assert.Equal("nvrtcCompileProgram", failure.Call);
        Assert.Equal("NVRTC_ERROR_COMPILATION", failure.CodeName);
        Assert.Equal(DeviceKind.Cuda, failure.Device);
        Assert.Contains("Broken.Group0", failure.Message, StringComparison.Ordinal);
        Assert.Contains("kiln_undefined_helper", failure.Message, StringComparison.Ordinal);
    }
}
