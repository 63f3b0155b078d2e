using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>
/// ILGPU's PTX backend compiles every generated ILGPU kernel of this test assembly for sm_70, sm_80 and sm_90, without a
/// GPU: what a CUDA device would load, checked on every machine.
/// </summary>
public sealed class PtxTests
{
    public static readonly CudaArchitecture[] Architectures = { CudaArchitecture.SM_70, CudaArchitecture.SM_80, CudaArchitecture.SM_90 };

    /// <summary>The generated kernels (<c>Kernel_*</c> of each pipeline's nested <c>__KilnCuda*</c> classes) in <paramref name="assembly"/>.</summary>
    internal static IReadOnlyList<MethodInfo> GeneratedKernels(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.Name.StartsWith("__KilnCuda", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(m => m.Name.StartsWith("Kernel_", StringComparison.Ordinal))
            .ToList();

    /// <summary>
    /// A context for one architecture: ILGPU caches compiled kernels per context and method, not per architecture, so a
    /// shared context would hand sm_90 the sm_80 PTX.
    /// </summary>
    internal static Context NewContext() => Context.Create(builder => builder.EnableAlgorithms().Caching(CachingMode.Disabled));

    /// <summary>The PTX of <paramref name="kernel"/> (explicitly grouped, as Kiln's are) for <paramref name="architecture"/>.</summary>
    internal static string Compile(Context context, MethodInfo kernel, CudaArchitecture architecture)
    {
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, CudaInstructionSet.ISA_80, null);
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default);
        return compiled.PTXAssembly;
    }

    /// <summary>
    /// The PTX targets the architecture, except that ILGPU 1.5.3 writes <c>.target sm_80</c> for sm_90 (its newest
    /// target): the driver compiles sm_80 PTX for an sm_90 GPU, so it still loads there.
    /// </summary>
    internal static void AssertTarget(string ptx, CudaArchitecture architecture)
    {
        string expected = architecture.Major >= 9 ? "sm_80" : $"sm_{architecture.Major}{architecture.Minor}";
        Assert.Contains($".target {expected}\n", ptx, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_generated_kernel_of_the_test_assembly_compiles_to_PTX_for_sm_70_sm_80_and_sm_90()
    {
        IReadOnlyList<MethodInfo> kernels = GeneratedKernels(typeof(PtxTests).Assembly);
        Assert.True(kernels.Count >= 20, $"only {kernels.Count} generated kernels found");
        foreach (CudaArchitecture architecture in Architectures)
        {
            using Context context = NewContext();
            foreach (MethodInfo kernel in kernels)
            {
                string ptx = Compile(context, kernel, architecture);
                AssertTarget(ptx, architecture);
                Assert.Contains(".entry", ptx, StringComparison.Ordinal);
            }
        }
    }
}
