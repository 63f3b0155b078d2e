using System.Linq;
using System.Threading;
using Kiln.Model;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Generators.Tests.Kernels;

/// <summary>The IR <see cref="KernelTranslator"/> builds: exact C# types, conversions made explicit, statements lowered.</summary>
public class KernelIrTests
{
    private static KParameterRef Param(ScalarType type, int index) => new(type, index);

    private static KLocalRef Local(ScalarType type, string name) => new(type, name);

    private static KConstant Int(int value) => new(ScalarType.Int, value.ToString(System.Globalization.CultureInfo.InvariantCulture), unchecked((uint)value));

    private static KernelTranslation TranslateRaw(string members, string kernel = "K")
    {
        Compilation compilation = KilnCompilation.Create("using System;\nusing Kiln;\npublic static class C\n{\n" + members + "\n}\n");
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        IMethodSymbol method = compilation.GetTypeByMetadataName("C")!.GetMembers(kernel).OfType<IMethodSymbol>().Single();
        return KernelTranslator.Translate(method, compilation, CancellationToken.None);
    }

    private static KernelProgram Translate(string members, string kernel = "K")
    {
        KernelTranslation translation = TranslateRaw(members, kernel);
        Assert.Empty(translation.Diagnostics);
        Assert.NotNull(translation.Program);
        return translation.Program!;
    }

    private static KExpr ReturnedBy(KernelBody body) => Assert.IsType<KReturn>(body.Body.Statements.Last()).Value;

    [Fact]
    public void Float_times_int_literal_is_a_float_multiply_by_a_float_constant()
    {
        KernelProgram program = Translate("public static float K(float x) => x * 2;");

        Assert.Equal(
            new KBinary(ScalarType.Float, KBinaryOp.Multiply, Param(ScalarType.Float, 0), new KConstant(ScalarType.Float, "2", 0x40000000)),
            ReturnedBy(program.Kernel));
    }

    [Fact]
    public void Int_plus_long_casts_the_int_to_long()
    {
        KernelProgram program = Translate("public static long K(int a, long b) => a + b;");

        Assert.Equal(
            new KBinary(ScalarType.Long, KBinaryOp.Add, new KCast(ScalarType.Long, Param(ScalarType.Int, 0)), Param(ScalarType.Long, 1)),
            ReturnedBy(program.Kernel));
    }

    [Fact]
    public void Byte_operands_are_promoted_to_int_and_the_result_converted_back()
    {
        KernelProgram program = Translate("public static byte K(byte a, byte b) => (byte)(a + b);");

        Assert.Equal(
            new KCast(ScalarType.Byte, new KBinary(ScalarType.Int, KBinaryOp.Add, new KCast(ScalarType.Int, Param(ScalarType.Byte, 0)), new KCast(ScalarType.Int, Param(ScalarType.Byte, 1)))),
            ReturnedBy(program.Kernel));
    }

    [Fact]
    public void Comparisons_are_bool_over_operands_of_one_type()
    {
        KernelProgram program = Translate("public static bool K(short a, float b) => a < b;");

        Assert.Equal(
            new KBinary(ScalarType.Bool, KBinaryOp.Less, new KCast(ScalarType.Float, Param(ScalarType.Short, 0)), Param(ScalarType.Float, 1)),
            ReturnedBy(program.Kernel));
    }

    [Fact]
    public void Post_increment_lowers_to_an_assignment_in_the_for_incrementors()
    {
        KernelProgram program = Translate("""
            public static int K(int n)
            {
                int sum = 0;
                for (int i = 0; i < n; i++) sum += i;
                return sum;
            }
            """);

        KFor loop = Assert.IsType<KFor>(program.Kernel.Body.Statements[1]);
        Assert.Equal(new KDeclare(ScalarType.Int, "i", Int(0)), Assert.Single(loop.Initializers));
        Assert.Equal(new KBinary(ScalarType.Bool, KBinaryOp.Less, Local(ScalarType.Int, "i"), Param(ScalarType.Int, 0)), loop.Condition);
        Assert.Equal(
            new KAssign(Local(ScalarType.Int, "i"), new KBinary(ScalarType.Int, KBinaryOp.Add, Local(ScalarType.Int, "i"), Int(1))),
            Assert.Single(loop.Incrementors));
        Assert.Equal(new KAssign(Local(ScalarType.Int, "sum"), new KBinary(ScalarType.Int, KBinaryOp.Add, Local(ScalarType.Int, "sum"), Local(ScalarType.Int, "i"))), loop.Body);
    }

    [Fact]
    public void Compound_assignment_on_a_byte_computes_in_int_and_converts_back()
    {
        KernelProgram program = Translate("""
            public static byte K(byte b, short x)
            {
                b += 1;
                b -= (byte)x;
                return b;
            }
            """);

        Assert.Equal(
            new KAssign(Param(ScalarType.Byte, 0), new KCast(ScalarType.Byte, new KBinary(ScalarType.Int, KBinaryOp.Add, new KCast(ScalarType.Int, Param(ScalarType.Byte, 0)), Int(1)))),
            program.Kernel.Body.Statements[0]);
        Assert.Equal(
            new KAssign(
                Param(ScalarType.Byte, 0),
                new KCast(ScalarType.Byte, new KBinary(ScalarType.Int, KBinaryOp.Subtract, new KCast(ScalarType.Int, Param(ScalarType.Byte, 0)), new KCast(ScalarType.Int, new KCast(ScalarType.Byte, Param(ScalarType.Short, 1)))))),
            program.Kernel.Body.Statements[1]);
    }

    [Fact]
    public void Decrement_of_a_float_subtracts_a_float_one()
    {
        KernelProgram program = Translate("""
            public static float K(float x)
            {
                --x;
                return x;
            }
            """);

        Assert.Equal(
            new KAssign(Param(ScalarType.Float, 0), new KBinary(ScalarType.Float, KBinaryOp.Subtract, Param(ScalarType.Float, 0), new KConstant(ScalarType.Float, "1", 0x3F800000))),
            program.Kernel.Body.Statements[0]);
    }

    [Fact]
    public void Shift_counts_are_masked_as_CSharp_does()
    {
        KernelProgram variable = Translate("public static int K(int x, int n) => x << n;");
        KernelProgram constant = Translate("public static long K(long x) => x >> 70;");

        Assert.Equal(
            new KBinary(ScalarType.Int, KBinaryOp.ShiftLeft, Param(ScalarType.Int, 0), new KBinary(ScalarType.Int, KBinaryOp.BitAnd, Param(ScalarType.Int, 1), Int(31))),
            ReturnedBy(variable.Kernel));
        Assert.Equal(new KBinary(ScalarType.Long, KBinaryOp.ShiftRight, Param(ScalarType.Long, 0), Int(6)), ReturnedBy(constant.Kernel));
    }

    [Fact]
    public void Special_float_constants_keep_their_exact_bits()
    {
        KernelProgram program = Translate("public static double K(float x) => float.IsNaN(x) ? float.NaN : x < 0 ? -0.0 : double.NegativeInfinity;");

        KConditional outer = Assert.IsType<KConditional>(ReturnedBy(program.Kernel));
        Assert.Equal(new KMathCall(ScalarType.Bool, "float.IsNaN", new KExpr[] { Param(ScalarType.Float, 0) }.ToEquatableArray()), outer.Condition);
        KConstant nan = Assert.IsType<KConstant>(outer.WhenTrue);
        Assert.Equal(ScalarType.Double, nan.Type);
        Assert.Equal("NaN", nan.Value);
        Assert.True(double.IsNaN(System.BitConverter.Int64BitsToDouble((long)nan.Bits)));
        KConditional inner = Assert.IsType<KConditional>(outer.WhenFalse);
        Assert.Equal(new KConstant(ScalarType.Double, "-0", 0x8000000000000000UL), inner.WhenTrue);
        Assert.Equal(new KConstant(ScalarType.Double, "-Infinity", 0xFFF0000000000000UL), inner.WhenFalse);
    }

    [Fact]
    public void Const_fields_and_Math_constants_become_constants()
    {
        KernelProgram program = Translate("""
            private const int Bins = 16;
            public static double K(int x) => x * Bins + Math.PI + int.MaxValue;
            """);

        KBinary sum = Assert.IsType<KBinary>(ReturnedBy(program.Kernel));
        Assert.Equal(new KConstant(ScalarType.Double, "2147483647", 0x41DFFFFFFFC00000UL), sum.Right);
        KBinary left = Assert.IsType<KBinary>(sum.Left);
        Assert.Equal(new KConstant(ScalarType.Double, "3.141592653589793", 0x400921FB54442D18UL), left.Right);
        Assert.Equal(new KCast(ScalarType.Double, new KBinary(ScalarType.Int, KBinaryOp.Multiply, Param(ScalarType.Int, 0), Int(16))), left.Left);
    }

    [Fact]
    public void Math_calls_use_canonical_names_and_convert_arguments_to_the_overload()
    {
        KernelProgram program = Translate("public static double K(float x, int n) => MathF.Sqrt(x) + Math.Round(x) + Math.Max(n, 3);");

        KBinary sum = Assert.IsType<KBinary>(ReturnedBy(program.Kernel));
        Assert.Equal(new KCast(ScalarType.Double, new KMathCall(ScalarType.Int, "Math.Max", new KExpr[] { Param(ScalarType.Int, 1), Int(3) }.ToEquatableArray())), sum.Right);
        KBinary left = Assert.IsType<KBinary>(sum.Left);
        Assert.Equal(new KMathCall(ScalarType.Double, "Math.Round", new KExpr[] { new KCast(ScalarType.Double, Param(ScalarType.Float, 0)) }.ToEquatableArray()), left.Right);
        Assert.Equal(new KCast(ScalarType.Double, new KMathCall(ScalarType.Float, "MathF.Sqrt", new KExpr[] { Param(ScalarType.Float, 0) }.ToEquatableArray())), left.Left);
    }

    [Fact]
    public void Gather_indexing_and_length_read_the_gather_parameter()
    {
        KernelProgram program = Translate("public static float K([Index] int i, Gather<float> g) => g[i - 1] + g.Length;");

        Assert.Equal(
            new[] { new KParameter("i", ScalarType.Int, KParameterKind.Index), new KParameter("g", ScalarType.Float, KParameterKind.Gather) },
            program.Kernel.Parameters.AsImmutableArray());
        Assert.Equal(
            new KBinary(
                ScalarType.Float,
                KBinaryOp.Add,
                new KGatherLoad(ScalarType.Float, 1, new KBinary(ScalarType.Int, KBinaryOp.Subtract, Param(ScalarType.Int, 0), Int(1))),
                new KCast(ScalarType.Float, new KGatherLength(1))),
            ReturnedBy(program.Kernel));
    }

    [Fact]
    public void Helpers_are_included_once_callees_first()
    {
        KernelProgram program = Translate("""
            public static float K(float x) => Outer(x) + Inner(x);
            private static float Outer(float x) => Inner(x) * 2;
            private static float Inner(float x) => x + 1;
            """);

        Assert.Equal(new[] { "M:C.Inner(System.Single)", "M:C.Outer(System.Single)" }, program.Helpers.Select(h => h.Name));
        Assert.Equal(
            new KBinary(
                ScalarType.Float,
                KBinaryOp.Add,
                new KHelperCall(ScalarType.Float, "M:C.Outer(System.Single)", new KExpr[] { Param(ScalarType.Float, 0) }.ToEquatableArray()),
                new KHelperCall(ScalarType.Float, "M:C.Inner(System.Single)", new KExpr[] { Param(ScalarType.Float, 0) }.ToEquatableArray())),
            ReturnedBy(program.Kernel));
    }

    [Fact]
    public void Helper_default_arguments_are_filled_in_and_gathers_passed_on()
    {
        KernelProgram program = Translate("""
            public static float K([Index] int i, Gather<float> g) => Tap(g, i);
            private static float Tap(Gather<float> g, int i, int offset = -1) => g[i + offset];
            """);

        Assert.Equal(
            new KHelperCall(ScalarType.Float, "M:C.Tap(Kiln.Gather{System.Single},System.Int32,System.Int32)", new KExpr[] { new KGatherRef(ScalarType.Float, 1), Param(ScalarType.Int, 0), Int(-1) }.ToEquatableArray()),
            ReturnedBy(program.Kernel));
        Assert.Equal(KParameterKind.Gather, program.Helpers.Single().Parameters[0].Kind);
    }

    [Fact]
    public void Translating_the_same_source_twice_gives_equal_programs()
    {
        const string Source = """
            public static float K(float x, int n)
            {
                float acc = 0;
                int k = 0;
                while (k < n) { acc += MathF.Sin(x * k); k++; }
                do { acc *= 0.5f; } while (acc > 1);
                if (acc < 0) acc = -acc; else acc = acc > 2 ? 2 : acc;
                return acc;
            }
            """;

        Assert.Equal(Translate(Source), Translate(Source));
        Assert.NotEqual(Translate(Source), Translate(Source.Replace("0.5f", "0.25f", System.StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_scalar_type_and_operator_translates()
    {
        KernelProgram program = Translate("""
            private const float Half = 0.5f;
            public static double K(float load, int count)
            {
                sbyte sb = -3; byte b = 200; short s = -300; ushort us = 60000;
                int n = count; uint u = 7u; long l = -5L; ulong ul = 9UL; double d = load;
                b += 1; s -= sb; us *= 2; n <<= 2; u >>= 1; l %= 3; ul |= 4; n ^= 0x55; u &= 0xFF; n >>>= 1;
                n++; --l;
                bool flag = !(n > 3) && (u != 0 || l <= 0) ^ (b >= 2);
                double sum = sb + b + s + us + n + u + l + (double)ul + d - -u + ~n;
                sum += flag ? Half : -Half;
                for (int i = 0; i < 4; i++)
                {
                    if (i == 2) continue;
                    if (i > 5) break;
                    sum += Math.Sqrt(i) + Math.Clamp(i, 0, 3) + MathF.FusedMultiplyAdd(load, 2, 1);
                }

                unchecked { n = n * 31 + (int)ul; }
                return sum;
            }
            """);

        KDeclare negated = program.Kernel.Body.Statements.OfType<KDeclare>().Single(d => d.Name == "sum");
        Assert.Equal(ScalarType.Double, negated.Type);
    }

    [Fact]
    public void A_kernel_with_an_error_has_no_program_and_reports_it()
    {
        KernelTranslation translation = TranslateRaw("public static float K(float x) => x + Helper(x);\nprivate static float Helper(float x) => x * new float[] { 2f }[0];");

        Assert.Null(translation.Program);
        Assert.Equal("KILN101", Assert.Single(translation.Diagnostics).Id);
    }

    [Fact]
    public void Broken_code_is_skipped_without_a_kiln_diagnostic()
    {
        Compilation compilation = KilnCompilation.Create("public static class C { public static float K(float x) => x + Missing(x) + y; }");
        IMethodSymbol method = compilation.GetTypeByMetadataName("C")!.GetMembers("K").OfType<IMethodSymbol>().Single();

        KernelTranslation translation = KernelTranslator.Translate(method, compilation, CancellationToken.None);

        Assert.Null(translation.Program);
        Assert.Empty(translation.Diagnostics);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        Compilation compilation = KilnCompilation.Create("public static class C { public static float K(float x) { return x; } }");
        IMethodSymbol method = compilation.GetTypeByMetadataName("C")!.GetMembers("K").OfType<IMethodSymbol>().Single();

        Assert.Throws<System.OperationCanceledException>(() => KernelTranslator.Translate(method, compilation, new CancellationToken(canceled: true)));
    }
}
