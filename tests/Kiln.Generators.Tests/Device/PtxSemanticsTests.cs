using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Kiln.Execution;
using Kiln.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Kiln.Generators.Tests.Device;

/// <summary>
/// The PTX that ILGPU makes of the generated kernels, without a GPU, where C#'s semantics depend on it: small-integer
/// casts go through a saturating s32 conversion, the fault flag is written only by kernels whose IR can fault,
/// float <c>a * b + c</c> rounds twice once Kiln has set the rounding mode, float compares and casts decide NaN from the
/// bits (ILGPU's own compare rewrite and the GPU's cvt get NaN wrong; the DeviceCheck's nan-compares suite shows it on
/// a GPU).
/// </summary>
public sealed class PtxSemanticsTests
{
    private const string Pipeline = """
        using System;
        using Kiln;

        [Pipeline]
        public static partial class Semantics
        {
            [Task] public static float[] Levels(float[] levels) => levels;
            [Task] public static int[] Counts(int[] counts) => counts;
            [Kernel, Output] public static byte ToByte(float levels) => (byte)levels;
            [Kernel, Output] public static sbyte ToSByte(float levels) => (sbyte)levels;
            [Kernel, Output] public static short ToShort(float levels) => (short)levels;
            [Kernel, Output] public static ushort ToUShort(float levels) => (ushort)(double)levels;
            [Kernel, Output] public static float Fused(float levels, float scale, float offset) => levels * scale + offset;
            [Kernel, Output] public static int Ratio(int counts, int step) => counts / step;
            [Kernel, Output] public static int Magnitude(int counts) => Math.Abs(counts);
            [Kernel, Output] public static int Plain(int counts, int step) => counts * step + 1;
            [Kernel, Output] public static int Above(float levels) => 1f < levels ? 1 : 0;
            [Kernel, Output] public static int Whole(float levels) => (int)levels;
        }
        """;

    private static readonly CudaArchitecture[] Architectures = { CudaArchitecture.SM_70, CudaArchitecture.SM_80, CudaArchitecture.SM_90 };

    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        GeneratedResult result = KilnCompilation.Generate(Pipeline);
        Assert.Empty(result.Errors);
        return KilnCompilation.Load(result.Output);
    });

    private readonly ITestOutputHelper _output;

    public PtxSemanticsTests(ITestOutputHelper output) => _output = output;

    /// <summary>The generated member kernel (Fusion = false) of node <paramref name="node"/>.</summary>
    private static MethodInfo MemberKernel(Assembly assembly, string pipeline, string node)
    {
        var graph = (PipelineGraph)assembly.GetType(pipeline)!.GetProperty("Graph")!.GetValue(null)!;
        int index = graph.Nodes.Select(n => n.Name).ToList().IndexOf(node);
        return GeneratedKernels(assembly).Single(m => m.Name == $"Kernel_kiln_member{index}");
    }

    internal static IReadOnlyList<MethodInfo> GeneratedKernels(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.Name.StartsWith("__KilnCuda", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(m => m.Name.StartsWith("Kernel_", StringComparison.Ordinal))
            .ToList();

    /// <summary>ILGPU's PTX for <paramref name="kernel"/>, from a context of its own (ILGPU caches per context, not per architecture).</summary>
    internal static string Ptx(MethodInfo kernel, CudaArchitecture architecture)
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms().Caching(CachingMode.Disabled));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, CudaInstructionSet.ISA_80, null);
        return ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default)).PTXAssembly;
    }

    private static int Count(string ptx, string pattern) => Regex.Matches(ptx, pattern).Count;

    [Theory]
    [InlineData("ToByte", "u8")]
    [InlineData("ToSByte", "s8")]
    [InlineData("ToShort", "s16")]
    [InlineData("ToUShort", "u16")]
    public void Float_casts_to_small_integers_convert_to_s32_first_never_saturating_to_the_small_type(string node, string small)
    {
        foreach (CudaArchitecture architecture in Architectures)
        {
            string ptx = Ptx(MemberKernel(Compiled.Value, "Semantics", node), architecture);
            Assert.Matches(@"cvt\.rzi\.s32\.f(32|64)", ptx);
            Assert.DoesNotContain($"cvt.rzi.{small}.", ptx, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ILGPU_makes_a_float_compare_with_a_constant_on_the_left_unordered_so_Kiln_rules_out_NaN_from_the_bits_first()
    {
        foreach (CudaArchitecture architecture in Architectures)
        {
            string ptx = Ptx(MemberKernel(Compiled.Value, "Semantics", "Above"), architecture);

            // ILGPU 1.5.3 moves the constant of `1f < levels` to the right and toggles the ordered flag while doing so:
            // `levels >u 1`, true for NaN (C# gives false). If this stops matching, ILGPU has fixed it.
            Assert.Matches(@"setp\.gtu\.f32\s+%p\d+, %f\d+, 0f3F800000;", ptx);

            // Kiln's helper tests the operand's bits (|bits| <= +inf's bits: not NaN) and ands it with the compare.
            Assert.Matches(@"and\.b32\s+%r\d+, %r\d+, 2147483647;", ptx);
            Assert.Matches(@"setp\.ls\.u32\s+%p\d+, %r\d+, 2139095040;", ptx);
            Assert.Matches(@"and\.pred\s+", ptx);
        }
    }

    [Fact]
    public void A_float_to_int_cast_gives_0_for_NaN_before_the_GPU_conversion_which_gives_int_MinValue()
    {
        foreach (CudaArchitecture architecture in Architectures)
        {
            string ptx = Ptx(MemberKernel(Compiled.Value, "Semantics", "Whole"), architecture);
            int nanTest = ptx.IndexOf("2139095040;", StringComparison.Ordinal);
            int conversion = ptx.IndexOf("cvt.rzi.s32.f32", StringComparison.Ordinal);
            Assert.True(nanTest >= 0 && conversion > nanTest, "the NaN test must come before cvt.rzi.s32.f32:\n" + ptx);

            // Out of range saturates in the helper (C#'s int.MinValue / int.MaxValue), not only in cvt.
            Assert.Matches(@"mov\.b32\s+%r\d+, 2147483648;", ptx);
            Assert.Matches(@"mov\.b32\s+%r\d+, 2147483647;", ptx);
        }
    }

    [Fact]
    public void The_fault_flag_is_written_exactly_by_the_kernels_whose_IR_can_fault()
    {
        string ratio = Ptx(MemberKernel(Compiled.Value, "Semantics", "Ratio"), CudaArchitecture.SM_80);
        string magnitude = Ptx(MemberKernel(Compiled.Value, "Semantics", "Magnitude"), CudaArchitecture.SM_80);
        string plain = Ptx(MemberKernel(Compiled.Value, "Semantics", "Plain"), CudaArchitecture.SM_80);

        // Plain stores its element and nothing else; Ratio also stores 1 (divide by zero) and 2 (MinValue / -1) to the
        // flag, Magnitude 2 (Abs(MinValue)). The division itself is still PTX's, behind the checks.
        const string Store = @"\bst\.[a-z0-9.]+\s+\[%rd\d+\], ";
        Assert.Equal(1, Count(plain, Store));
        Assert.Equal(3, Count(ratio, Store));
        Assert.Equal(1, Count(ratio, Store + "1;"));
        Assert.Equal(1, Count(ratio, Store + "2;"));
        Assert.Equal(2, Count(magnitude, Store));
        Assert.Equal(0, Count(magnitude, Store + "1;"));
        Assert.Equal(1, Count(magnitude, Store + "2;"));
        Assert.Contains("div.s32", ratio, StringComparison.Ordinal);
        Assert.DoesNotContain("div.", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void ILGPU_leaves_a_times_b_plus_c_contractible_and_Kiln_sets_round_to_nearest_so_it_rounds_twice_as_in_CSharp()
    {
        string ptx = Ptx(MemberKernel(Compiled.Value, "Semantics", "Fused"), CudaArchitecture.SM_80);

        // ILGPU 1.5.3: mul.f32 and add.f32 without a rounding mode, which PTX allows ptxas to fuse into one fma.
        Assert.Matches(@"\bmul\.f32\b", ptx);
        Assert.Matches(@"\badd\.f32\b", ptx);
        Assert.DoesNotContain("fma", ptx, StringComparison.Ordinal);

        // What the CUDA device loads: every float mul/add/sub has .rn, which PTX never contracts.
        string loaded = IlgpuBackend.NoContraction(ptx);
        Assert.Matches(@"\bmul\.rn\.f32\b", loaded);
        Assert.Matches(@"\badd\.rn\.f32\b", loaded);
        Assert.DoesNotMatch(@"\b(add|sub|mul)\.f(32|64)\b", loaded);
    }

    [Fact]
    public void Every_kernel_of_the_math_table_compiles_to_PTX_for_sm_70_sm_80_and_sm_90()
    {
        (GeneratedResult result, _) = MathTableTests.Generate();
        IReadOnlyList<MethodInfo> kernels = GeneratedKernels(KilnCompilation.Load(result.Output));
        Assert.NotEmpty(kernels);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.ForEach(Architectures, architecture =>
        {
            using var context = Context.Create(builder => builder.EnableAlgorithms().Caching(CachingMode.Disabled));
            using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, CudaInstructionSet.ISA_80, null);
            foreach (MethodInfo kernel in kernels.Where(k => k.Name.StartsWith("Kernel_kiln_member", StringComparison.Ordinal)))
            {
                try
                {
                    string ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default)).PTXAssembly;
                    if (!ptx.Contains(".entry", StringComparison.Ordinal))
                    {
                        failures.Add($"{architecture} {kernel.DeclaringType!.Name}.{kernel.Name}: no entry point");
                    }
                }
                catch (Exception exception)
                {
                    failures.Add($"{architecture} {kernel.DeclaringType!.Name}.{kernel.Name}: {exception.GetType().Name}: {exception.Message}");
                }
            }
        });

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
