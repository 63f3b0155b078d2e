using System.Linq;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Kiln.Generators.Tests.Device;

/// <summary>
/// The OpenCL C the generator embeds for a fusion group, and the ILGPU kernel (C#) it writes for CUDA, keep C#'s
/// semantics where OpenCL C or ILGPU's PTX differ. Each test names one rule and checks the construct each uses for it.
/// </summary>
public class DeviceTranslationTests
{
    private const string Pipeline = """
        using System;
        using Kiln;

        [Pipeline]
        public static partial class Shapes
        {
            [Task] public static int[] Counts(int[] counts) => counts;
            [Task] public static float[] Levels(float[] levels) => levels;
            [Kernel] public static int Wrapped(int counts, int step) => counts * step + int.MaxValue;
            [Kernel, Output] public static int Quantized(float levels) => (int)(levels * 255f);
            [Kernel, Output] public static byte Shade(double precise) => (byte)precise;
            [Kernel, Output] public static int Ratio(int counts, int step) => counts / step % 7;
            [Kernel, Output] public static float Peaked(float levels) => MathF.Max(MathF.Sqrt(levels), float.NaN);
            [Kernel, Output] public static float Shifted([Index] int i, Gather<float> peaked) => peaked[i + 1] - peaked[i - 1];
            [Reduce(Identity = 0)] public static int Total(int acc, int wrapped) => acc + wrapped;
            [Kernel, Output] public static double Precise(float levels) => Math.Round((double)levels);
        }
        """;

    /// <summary>The OpenCL C constant and the ILGPU kernel class (its C# text) of the group holding <paramref name="groupMember"/>.</summary>
    private static (string OpenCl, string Cuda) Sources(string groupMember)
    {
        GeneratedResult result = KilnCompilation.Generate(Pipeline);
        Assert.Empty(result.Errors);
        Compilation output = result.Output;
        string? openCl = null;
        string? cuda = null;
        foreach (SyntaxTree tree in output.SyntaxTrees)
        {
            SemanticModel model = output.GetSemanticModel(tree);
            foreach (VariableDeclaratorSyntax variable in tree.GetRoot().DescendantNodes().OfType<VariableDeclaratorSyntax>())
            {
                if (variable.Identifier.Text.EndsWith("OpenCl", System.StringComparison.Ordinal)
                    && model.GetDeclaredSymbol(variable) is IFieldSymbol { HasConstantValue: true, ConstantValue: string text }
                    && text.Contains("// " + groupMember + "\n", System.StringComparison.Ordinal))
                {
                    openCl = text;
                }
            }

            foreach (ClassDeclarationSyntax type in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                string text = type.ToFullString();
                if (type.Identifier.Text.StartsWith("__KilnCuda", System.StringComparison.Ordinal)
                    && text.Contains("// " + groupMember + "\n", System.StringComparison.Ordinal))
                {
                    cuda = text;
                }
            }
        }

        return (openCl ?? throw new Xunit.Sdk.XunitException($"No OpenCL C for a group containing {groupMember}."),
            cuda ?? throw new Xunit.Sdk.XunitException($"No ILGPU kernel class for a group containing {groupMember}."));
    }

    [Fact]
    public void Signed_integer_arithmetic_wraps_through_unsigned_arithmetic_in_OpenCL_and_is_unchecked_CSharp_for_ILGPU()
    {
        var (openCl, cuda) = Sources("Wrapped");
        Assert.Contains("((int)((uint)(p0) * (uint)(p1)))", openCl, System.StringComparison.Ordinal);
        Assert.Contains("(p0 * p1)", cuda, System.StringComparison.Ordinal);
        Assert.Contains("unchecked", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Float_to_int_casts_saturate_and_map_NaN_to_zero_as_in_CSharp()
    {
        var (openCl, cuda) = Sources("Quantized");
        Assert.Contains("convert_int_sat_rtz(", openCl, System.StringComparison.Ordinal);

        // ILGPU's cvt.rzi gives 0x80000000 for NaN on a GPU: the helper gives 0 first, then saturates as C# does.
        Assert.Contains("ToIntFloat((p0 * 255f))", cuda, System.StringComparison.Ordinal);
        Assert.Contains("private static int ToIntFloat(float x) { if (NaNFloat(x)) return 0; if (x < -2147483648.0f) return int.MinValue; if (x >= 2147483648.0f) return int.MaxValue; return (int)x; }", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_division_goes_through_checked_helpers_that_set_the_fault_flag_instead_of_trapping()
    {
        var (openCl, cuda) = Sources("Ratio");
        Assert.Contains("kiln_rem_int(kiln_div_int(p0, p1, kiln_fault), 7, kiln_fault)", openCl, System.StringComparison.Ordinal);
        Assert.Contains("Rem_int(Div_int(p0, p1, kiln_fault), 7, kiln_fault)", cuda, System.StringComparison.Ordinal);
        Assert.Contains("if (b == 0) { *kiln_fault = 1; return 0; }", openCl, System.StringComparison.Ordinal);
        Assert.Contains("if (b == 0) { kiln_fault[0] = 1; return 0; }", cuda, System.StringComparison.Ordinal);
        Assert.Contains(", __global int* kiln_fault)", openCl, System.StringComparison.Ordinal);
        Assert.Contains(", global::ILGPU.ArrayView<int> kiln_fault)", cuda, System.StringComparison.Ordinal);

        // A group with nothing to check takes no flag, so its launch reads nothing back.
        var (peakedOpenCl, peakedCuda) = Sources("Peaked");
        Assert.DoesNotContain("kiln_fault", peakedOpenCl, System.StringComparison.Ordinal);
        Assert.DoesNotContain("kiln_fault", peakedCuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Casts_to_small_integers_take_the_low_bits_of_the_saturated_int_as_in_CSharp()
    {
        var (openCl, cuda) = Sources("Shade");
        Assert.Contains("((uchar)(convert_int_sat_rtz(p0)))", openCl, System.StringComparison.Ordinal);

        // Masked, so ILGPU cannot fold (byte)(int)x into one saturating cvt.rzi.u8 (PtxTests checks the PTX).
        Assert.Contains("((byte)(ToIntDouble(p0) & 0xFF))", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void NaN_constants_are_exact_bit_patterns_and_Max_propagates_NaN_like_Math_Max()
    {
        var (openCl, cuda) = Sources("Peaked");
        string nanBits = "0x" + System.BitConverter.SingleToUInt32Bits(float.NaN).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($" as_float({nanBits})", openCl, System.StringComparison.Ordinal);
        Assert.Contains($"global::ILGPU.Interop.IntAsFloat({nanBits}u)", cuda, System.StringComparison.Ordinal);
        Assert.Contains("kiln_max_float(sqrt(p0)", openCl, System.StringComparison.Ordinal);
        Assert.Contains("MaxFloat(global::System.MathF.Sqrt(p0)", cuda, System.StringComparison.Ordinal);
        Assert.Contains("if (!isnan(a))", openCl, System.StringComparison.Ordinal);

        // NaN from the bits, not from a float compare that ILGPU may turn unordered (see PtxSemanticsTests).
        Assert.Contains("private static bool NaNFloat(float x) => (global::ILGPU.Interop.FloatAsInt(x) & 0x7FFFFFFFu) > 0x7F800000u;", cuda, System.StringComparison.Ordinal);
        Assert.Contains("MaxFloat(float a, float b) { if (NaNFloat(a)) return a; if (NaNFloat(b)) return b;", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Gathers_clamp_their_index_to_the_stream()
    {
        var (openCl, cuda) = Sources("Shifted");
        Assert.Contains("p1[kiln_clamp_index(", openCl, System.StringComparison.Ordinal);
        Assert.Contains("p1[ClampIndex(", cuda, System.StringComparison.Ordinal);
        Assert.Contains("__global const float* p1, int p1_length", openCl, System.StringComparison.Ordinal);
        Assert.Contains("global::ILGPU.ArrayView<float> p1", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Reductions_fold_each_work_group_in_a_fixed_tree_in_local_memory()
    {
        var (openCl, cuda) = Sources("Total");
        Assert.Contains("__local int tree", openCl, System.StringComparison.Ordinal);
        Assert.Contains("barrier(CLK_LOCAL_MEM_FENCE);", openCl, System.StringComparison.Ordinal);
        Assert.Contains("global::ILGPU.SharedMemory.Allocate<int>(256)", cuda, System.StringComparison.Ordinal);
        Assert.Contains("global::ILGPU.Group.Barrier();", cuda, System.StringComparison.Ordinal);
        Assert.Contains("for (int s = 128; s > 0; s >>= 1)", openCl, System.StringComparison.Ordinal);
        Assert.Contains("for (int s = 128; s > 0; s >>= 1)", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Each_backend_declares_kernels_its_own_way_and_OpenCL_forbids_contraction_into_fma()
    {
        var (openCl, cuda) = Sources("Wrapped");
        Assert.Contains("#pragma OPENCL FP_CONTRACT OFF", openCl, System.StringComparison.Ordinal);
        Assert.Contains("__kernel void kiln_group", openCl, System.StringComparison.Ordinal);
        Assert.Contains("internal static void Kernel_kiln_group", cuda, System.StringComparison.Ordinal);
        Assert.Contains("__kernel void kiln_member", openCl, System.StringComparison.Ordinal);
        Assert.Contains("internal static void Kernel_kiln_member", cuda, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Double_kernels_enable_fp64_on_OpenCL_and_round_half_to_even()
    {
        var (openCl, cuda) = Sources("Precise");
        Assert.Contains("#pragma OPENCL EXTENSION cl_khr_fp64 : enable", openCl, System.StringComparison.Ordinal);
        Assert.Contains("rint(", openCl, System.StringComparison.Ordinal);
        Assert.Contains("global::System.Math.Round(", cuda, System.StringComparison.Ordinal);
        Assert.DoesNotContain("cl_khr_fp64", Sources("Wrapped").OpenCl, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_kernel_pipeline_holds_one_ILGPU_kernel_class_per_fusion_group()
    {
        GeneratedResult result = KilnCompilation.Generate(Pipeline);
        string generated = string.Join("\n", result.Sources.Values);
        int groups = System.Text.RegularExpressions.Regex.Matches(generated, @"private const string Group\d+OpenCl").Count;
        Assert.True(groups > 0);
        Assert.Equal(groups, System.Text.RegularExpressions.Regex.Matches(generated, @"internal static class __KilnCuda\d+_").Count);
        Assert.Equal(groups, System.Text.RegularExpressions.Regex.Matches(generated, @"internal static void Kernel_kiln_group\d+\(").Count);
    }
}
