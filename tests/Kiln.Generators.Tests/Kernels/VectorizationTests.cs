using System.Linq;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Kernels;

/// <summary>
/// The CPU emitter gives a block a Vector&lt;T&gt; loop exactly when every member is element-wise arithmetic over one
/// element type that Vector&lt;T&gt; computes bit for bit as C# does; any other body keeps the block scalar.
/// </summary>
public class VectorizationTests
{
    private const string Usings = "using System;\nusing Kiln;\n";

    private static string Pipeline(string members) =>
        Usings + "namespace Demo;\n[Pipeline] public static partial class P\n{\n" + members + "\n}\n"
        + "public static class Helpers\n{\n"
        + "    public static float Lerp(float a, float b, float t) { float d = b - a; return a + (d * t); }\n"
        + "    public static float Pow2(float x) => MathF.Pow(x, 2f);\n"
        + "}\n";

    // The text of generated method `private void {name}(...)`, up to the next generated method.
    private static string Method(string members, string name)
    {
        GeneratedResult result = KilnCompilation.Generate(Pipeline(members));
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        // The pipeline's file; its fusion groups' ILGPU kernels are in a second one (*.Kiln.Cuda.g.cs).
        string source = Assert.Single(result.Sources, s => !s.Key.EndsWith(".Kiln.Cuda.g.cs", System.StringComparison.Ordinal)).Value;
        int start = source.IndexOf($"private void {name}(", System.StringComparison.Ordinal);
        Assert.True(start >= 0, $"no method {name} in:\n{source}");
        int end = source.IndexOf("private ", source.IndexOf('{', start), System.StringComparison.Ordinal);
        return end < 0 ? source.Substring(start) : source.Substring(start, end - start);
    }

    private static bool HasVectorLoop(string method, string type) =>
        method.Contains($"i <= end - global::System.Numerics.Vector<{type}>.Count", System.StringComparison.Ordinal);

    [Fact]
    public void An_arithmetic_float_chain_runs_a_Vector_loop_then_a_scalar_tail()
    {
        string block = Method(
            """
                [Task] public static float[] Xs(float[] x) => x;
                [Kernel] public static float Scale(float xs, float a) => (xs * a) + 1f;
                [Kernel] public static float Shape(float scale) => MathF.Sqrt(MathF.Abs(scale)) / MathF.Max(scale, -0f) - MathF.Min(scale, 2f);
            """,
            "Group0Block");

        Assert.True(HasVectorLoop(block, "float"), block);
        Assert.Contains("global::System.Numerics.Vector.LoadUnsafe(ref stream0, (nuint)i)", block);
        Assert.Contains("global::System.Numerics.Vector.StoreUnsafe(", block);
        Assert.Contains("global::System.Numerics.Vector.SquareRoot(", block);
        Assert.Contains("for (; i < end; i++)", block);
    }

    [Fact]
    public void A_conditional_over_a_comparison_becomes_a_lane_select()
    {
        string block = Method(
            """
                [Task] public static double[] Xs(double[] x) => x;
                [Kernel] public static double Relu(double xs) => xs > 0 || xs != -1.0 ? xs : -0.0;
            """,
            "Group0Block");

        Assert.True(HasVectorLoop(block, "double"), block);
        Assert.Contains("global::System.Numerics.Vector.ConditionalSelect<double>(", block);
    }

    [Fact]
    public void A_helper_with_locals_and_one_return_is_inlined()
    {
        string block = Method(
            """
                [Task] public static float[] Xs(float[] x) => x;
                [Kernel] public static float Mixed(float xs, float t) => Helpers.Lerp(xs, 1f, t);
            """,
            "Group0Block");

        Assert.True(HasVectorLoop(block, "float"), block);
    }

    [Fact]
    public void A_map_reduce_keeps_a_vector_accumulator_and_folds_its_lanes_in_order()
    {
        string block = Method(
            """
                [Task] public static long[] Xs(long[] x) => x;
                [Kernel] public static long Squares(long xs) => xs * xs;
                [Reduce] public static long Total(long acc, long squares) => acc + squares;
            """,
            "Group0Block");

        Assert.True(HasVectorLoop(block, "long"), block);
        Assert.Contains("vaccumulator2 = (vaccumulator2 + velement1);", block);
        Assert.Contains("for (int lane = 0; lane < global::System.Numerics.Vector<long>.Count; lane++)", block);
    }

    [Theory]
    [InlineData("MathF.Pow", "[Kernel] public static float K(float xs) => MathF.Pow(xs, 2f);")]
    [InlineData("a helper calling MathF.Pow", "[Kernel] public static float K(float xs) => Helpers.Pow2(xs) + 1f;")]
    [InlineData("a gather", "[Kernel] public static float K([Index] int i, Gather<float> xs) => xs[i - 1] + xs[i];")]
    [InlineData("[Index]", "[Kernel] public static float K(float xs, [Index] int i) => xs + i;")]
    [InlineData("a conversion", "[Kernel] public static float K(float xs) => (float)(xs * 0.5);")]
    [InlineData("a loop", "[Kernel] public static float K(float xs) { float s = 0; for (int n = 0; n < 3; n++) s += xs; return s; }")]
    [InlineData("a bool element type", "[Kernel] public static bool K(float xs) => xs > 0;")]
    public void A_float_kernel_with_a_body_outside_the_vector_subset_stays_scalar(string reason, string kernel)
    {
        string block = Method("[Task] public static float[] Xs(float[] x) => x;\n" + kernel, "Group0Block");

        Assert.False(block.Contains("global::System.Numerics.Vector", System.StringComparison.Ordinal), reason + ":\n" + block);
        Assert.Contains("for (int i = start; i < end; i++)", block);
    }

    [Theory]
    [InlineData("integer division, which throws on zero", "[Kernel] public static int K(int xs) => xs / 3;")]
    [InlineData("integer Math.Abs, which throws on MinValue", "[Kernel] public static int K(int xs) => Math.Abs(xs);")]
    [InlineData("a shift", "[Kernel] public static int K(int xs) => xs << 3;")]
    public void An_int_kernel_whose_operation_could_differ_from_CSharp_stays_scalar(string reason, string kernel)
    {
        string block = Method("[Task] public static int[] Xs(int[] x) => x;\n" + kernel, "Group0Block");

        Assert.False(HasVectorLoop(block, "int"), reason + ":\n" + block);
    }

    [Fact]
    public void A_group_with_one_scalar_member_is_scalar_but_its_other_members_vectorize_unfused()
    {
        const string members = """
                [Task] public static float[] Xs(float[] x) => x;
                [Kernel] public static float Scale(float xs) => xs * 3f;
                [Kernel] public static float Powered(float scale) => MathF.Pow(scale, 1.5f);
            """;

        Assert.False(HasVectorLoop(Method(members, "Group0Block"), "float"));
        Assert.True(HasVectorLoop(Method(members, "Member1Block"), "float"));
        Assert.False(HasVectorLoop(Method(members, "Member2Block"), "float"));
    }

    [Fact]
    public void A_group_mixing_element_types_stays_scalar()
    {
        const string members = """
                [Task] public static float[] Xs(float[] x) => x;
                [Task] public static double[] Ys(double[] y) => y;
                [Kernel] public static float Scale(float xs) => xs * 3f;
                [Kernel] public static double Mixed(float scale, double ys) => scale * ys;
            """;

        Assert.DoesNotContain("global::System.Numerics.Vector", Method(members, "Group0Block"));
        Assert.True(HasVectorLoop(Method(members, "Member2Block"), "float"));
    }
}
