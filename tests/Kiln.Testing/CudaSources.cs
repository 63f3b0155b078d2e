using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Kiln.Execution;
using Xunit;

namespace Kiln.Testing;

/// <summary>The CUDA C the generator embeds in an assembly, and a check that NVRTC compiles it.</summary>
public static partial class CudaSources
{
    /// <summary>The CUDA C sources the generator embedded in <paramref name="assembly"/>: one per fusion group.</summary>
    public static IReadOnlyList<(string Name, string Source)> In(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(type => type.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(field => field.IsLiteral && field.FieldType == typeof(string) && field.Name.EndsWith("Cuda", StringComparison.Ordinal))
            .Select(field => (Name: field.DeclaringType!.DeclaringType?.Name + "." + field.Name, Source: (string)field.GetRawConstantValue()!))
            .Where(entry => entry.Source.StartsWith("// CUDA C for", StringComparison.Ordinal))
            .ToList();

    /// <summary>
    /// Compiles <paramref name="source"/> with NVRTC for <paramref name="architecture"/> and checks that the PTX targets
    /// it and has an entry point for every kernel the source declares.
    /// </summary>
    /// <returns>The PTX text.</returns>
    public static string AssertCompiles(string name, string source, int architecture)
    {
        string[] kernels = KernelName().Matches(source).Select(m => m.Groups[1].Value).ToArray();
        Assert.True(kernels.Length > 0, $"{name} declares no kernel");
        byte[] image = CudaCompiler.CompileToPtx(name, source, architecture);
        Assert.True(image.Length > 0 && image[^1] == 0, $"{name}: the PTX is not NUL-terminated");
        string ptx = Encoding.ASCII.GetString(image, 0, image.Length - 1);
        Assert.Contains($".target sm_{architecture}", ptx, StringComparison.Ordinal);
        foreach (string kernel in kernels)
        {
            Assert.True(ptx.Contains($".entry {kernel}(", StringComparison.Ordinal), $"{name} for compute_{architecture}: no PTX entry for {kernel}");
        }

        return ptx;
    }

    [GeneratedRegex(@"__global__ void (\w+)\(")]
    private static partial Regex KernelName();
}
