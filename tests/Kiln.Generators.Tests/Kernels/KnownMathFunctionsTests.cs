using System.Linq;
using Kiln.Model;
using Xunit;

namespace Kiln.Generators.Tests.Kernels;

/// <summary>The known-math table: one entry per overload, only functions with device counterparts.</summary>
public class KnownMathFunctionsTests
{
    [Fact]
    public void Each_canonical_name_and_parameter_list_appears_once()
    {
        var keys = KnownMathFunctions.All.Select(f => f.Canonical + "(" + string.Join(",", f.ParameterTypes) + ")").ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Theory]
    [InlineData("MathF.Sqrt", ScalarType.Float)]
    [InlineData("Math.Sqrt", ScalarType.Double)]
    [InlineData("Math.Round", ScalarType.Double)]
    [InlineData("MathF.FusedMultiplyAdd", ScalarType.Float)]
    [InlineData("Math.Abs", ScalarType.Int)]
    [InlineData("Math.Clamp", ScalarType.Byte)]
    [InlineData("double.IsNaN", ScalarType.Double)]
    public void Common_functions_are_in_the_table(string canonical, ScalarType parameter)
    {
        Assert.Contains(KnownMathFunctions.All, f => f.Canonical == canonical && f.ParameterTypes[0] == parameter);
    }

    [Theory]
    [InlineData("Math.BigMul")]
    [InlineData("Math.DivRem")]
    [InlineData("Math.ScaleB")]
    public void Functions_without_a_device_counterpart_are_not(string canonical)
    {
        Assert.DoesNotContain(KnownMathFunctions.All, f => f.Canonical == canonical);
    }
}
