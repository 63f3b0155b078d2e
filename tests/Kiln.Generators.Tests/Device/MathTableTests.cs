using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kiln.Model;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Device;

/// <summary>
/// Every function in the known-math table has a device counterpart: a kernel calling it generates OpenCL C and an
/// ILGPU kernel without the generator failing, and the result compiles (ILGPU's PTX: <see cref="PtxTests"/>).
/// </summary>
public class MathTableTests
{
    [Fact]
    public void Every_known_math_function_translates_to_both_device_dialects()
    {
        (GeneratedResult result, int count) = Generate();

        Assert.All(result.RunResult.Results, r => Assert.Null(r.Exception));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Sources.Count);
        string generated = string.Join("\n", result.Sources.Values);
        for (int k = 0; k < count; k++)
        {
            Assert.Contains($"// K{k}\\n", generated, System.StringComparison.Ordinal);
        }

        Assert.Contains("OpenCl = ", generated, System.StringComparison.Ordinal);
        Assert.Contains("internal static class __KilnCuda", generated, System.StringComparison.Ordinal);
    }

    [OpenClFact]
    public System.Threading.Tasks.Task Every_known_math_function_compiles_and_runs_as_OpenCL_C() => RunOn(DeviceKind.OpenCl);

    [CudaFact]
    public System.Threading.Tasks.Task Every_known_math_function_compiles_and_runs_as_an_ILGPU_kernel() => RunOn(DeviceKind.Cuda);

    private static async System.Threading.Tasks.Task RunOn(DeviceKind device)
    {
        (GeneratedResult result, _) = Generate();
        System.Reflection.Assembly assembly = KilnCompilation.Load(result.Output);
        System.Reflection.MethodInfo run = assembly.GetType("AllMath")!.GetMethod("RunAsync")!;
        object?[] arguments = run.GetParameters().Select(p => p.Name switch
        {
            "length" => (object?)1000,
            "options" => new KilnOptions { Device = device },
            _ => p.ParameterType.IsValueType ? System.Activator.CreateInstance(p.ParameterType) : null,
        }).ToArray();

        var task = (System.Threading.Tasks.Task)run.Invoke(null, arguments)!;
        await task;
        Assert.True(task.IsCompletedSuccessfully);
    }

    internal static (GeneratedResult Result, int Count) Generate()
    {
        var source = new StringBuilder("using System;\nusing Kiln;\n[Pipeline]\npublic static partial class AllMath\n{\n");
        var streams = new HashSet<ScalarType>();
        int index = 0;
        foreach (KnownMathFunction function in KnownMathFunctions.All)
        {
            ScalarType first = function.ParameterTypes[0];
            streams.Add(first);
            var parameters = new List<string> { $"[From(nameof(Source{first}))] {ScalarTypes.Keyword(first)} x0" };
            for (int p = 1; p < function.ParameterTypes.Count; p++)
            {
                parameters.Add($"{ScalarTypes.Keyword(function.ParameterTypes[p])} u{index}_{p}");
            }

            string arguments = string.Join(", ", Enumerable.Range(0, function.ParameterTypes.Count).Select(p => p == 0 ? "x0" : $"u{index}_{p}"));
            source.Append($"    [Kernel, Output] public static {ScalarTypes.Keyword(function.ReturnType)} K{index}({string.Join(", ", parameters)}) => {function.Canonical}({arguments});\n");
            index++;
        }

        foreach (ScalarType stream in streams)
        {
            source.Append($"    [Task] public static {ScalarTypes.Keyword(stream)}[] Source{stream}(int length) => new {ScalarTypes.Keyword(stream)}[length];\n");
        }

        source.Append("}\n");
        return (KilnCompilation.Generate(source.ToString()), index);
    }
}
