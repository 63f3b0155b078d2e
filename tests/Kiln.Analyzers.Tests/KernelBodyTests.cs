using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>KILN101–KILN107: kernel bodies outside the kernel subset, each reported at the offending syntax.</summary>
public class KernelBodyTests
{
    /// <summary>A pipeline with a float stream <c>load</c> and <paramref name="members"/> (kernels, helpers, fields).</summary>
    private static string Pipeline(string members) => Sources.Usings + """
        [Pipeline]
        public static partial class P
        {
            [Task] public static float[] Load() => new float[8];

        """ + members + """

        }
        """;

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);

    // KILN101: allocations and reference-type objects.

    [Fact]
    public async Task An_array_creation_is_an_allocation()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                var taps = {|KILN101:new float[3]|};
                return load;
            }
            """));

        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single().Severity);
    }

    [Fact]
    public async Task An_object_creation_is_an_allocation()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load) => load + {|KILN101:new Random()|}.Next();
            """));
    }

    [Fact]
    public async Task A_string_interpolation_is_an_allocation()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(float load) => {|KILN101:$"{load}"|}.Length;
            """));

        Assert.Equal("Kernel code cannot allocate or use reference-type objects: string interpolation", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task String_concatenation_is_an_allocation()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(float load) => ({|KILN101:"x" + load|}).Length + ({|KILN101:"y" == load.ToString()|} ? 1 : 0);
            """));
    }

    // KILN102: exceptions.

    [Fact]
    public async Task A_throw_statement_is_reported_at_throw()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                if (load < 0) {|KILN102:throw|} new ArgumentOutOfRangeException(nameof(load));
                return load;
            }
            """));

        Assert.Equal("Kernel code cannot throw or catch exceptions: 'throw'", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task A_throw_expression_is_reported_at_throw()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load) => load >= 0 ? load : {|KILN102:throw|} new InvalidOperationException();
            """));
    }

    [Fact]
    public async Task A_try_statement_is_reported_at_try()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                {|KILN102:try|}
                {
                    return load;
                }
                finally
                {
                }
            }
            """));
    }

    // KILN103: calls without a device counterpart.

    [Fact]
    public async Task Console_WriteLine_has_no_device_counterpart()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                {|KILN103:Console.WriteLine(load)|};
                return load;
            }
            """));

        Assert.Equal("'Console.WriteLine' has no device counterpart and no source in this compilation", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task A_Math_method_without_a_device_counterpart_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static long K(int load) => {|KILN103:Math.BigMul(load, load)|};
            """).Replace("float[] Load", "int[] Load", System.StringComparison.Ordinal).Replace("new float[8]", "new int[8]", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_instance_method_from_metadata_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(float load) => {|KILN103:load.CompareTo(1f)|};
            """));
    }

    [Fact]
    public async Task A_property_from_metadata_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(float load) => (int)load + {|KILN103:Environment.ProcessorCount|};
            """));
    }

    // KILN104: statements and expressions kernels cannot run.

    [Fact]
    public async Task Foreach_is_reported_at_its_keyword()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                float sum = 0;
                {|KILN104:foreach|} (float tap in new[] { 1f, 2f })
                {
                    sum += tap * load;
                }

                return sum;
            }
            """));

        Assert.Equal("Kernel code cannot use 'foreach' loops", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task Goto_is_reported_at_its_keyword()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                if (load > 1) {|KILN104:goto|} done;
                load *= 2;
            done:
                return load;
            }
            """));
    }

    [Fact]
    public async Task Switch_lock_and_using_are_each_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            private static readonly object Gate = new();

            [Kernel] public static int K(int load)
            {
                {|KILN104:switch|} (load)
                {
                    case 1: return 2;
                }

                {|KILN104:lock|} (typeof(P))
                {
                }

                {|KILN104:using|} (var stream = new System.IO.MemoryStream())
                {
                }

                return load;
            }
            """).Replace("float[] Load() => new float[8]", "int[] Load() => new int[8]", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task Checked_arithmetic_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(float load, int bias) => {|KILN104:checked((int)load + bias)|};
            """));
    }

    [Fact]
    public async Task An_increment_inside_an_expression_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(float load, int bias)
            {
                int next = {|KILN104:bias++|};
                return next + bias;
            }
            """));
    }

    [Fact]
    public async Task Local_functions_patterns_and_delegate_calls_are_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                static float {|KILN104:Twice|}(float v) => v * 2;
                float positive = {|KILN104:load is > 0f|} ? 1f : 0f;
                return positive + {|KILN104:((Func<float>)(() => load))()|} + Twice(load);
            }
            """));
    }

    [Fact]
    public async Task A_switch_expression_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load, int mode) => {|KILN104:mode switch { 0 => load, _ => -load }|};
            """));
    }

    // KILN105: recursion.

    [Fact]
    public async Task Direct_recursion_is_reported_at_the_recursive_call()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load) => Halve(load);

            private static float Halve(float v) => v < 1 ? v : {|KILN105:Halve(v / 2)|};
            """));

        Assert.Equal("The call to 'Halve' makes kernel code recursive: Halve → Halve", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task Mutual_recursion_is_reported_at_the_call_that_closes_the_cycle_with_its_path()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static int K(int load) => IsEven(load) ? 1 : 0;

            private static bool IsEven(int n) => n == 0 || IsOdd(n - 1);

            private static bool IsOdd(int n) => n != 0 && {|KILN105:IsEven(n - 1)|};
            """).Replace("float[] Load() => new float[8]", "int[] Load() => new int[8]", System.StringComparison.Ordinal));

        Assert.Contains("IsEven → IsOdd → IsEven", Message(diagnostics.Single()), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kernel_calling_itself_is_recursive()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load) => load > 1 ? {|KILN105:K(load / 2)|} : load;
            """));
    }

    // KILN106: types kernels cannot use.

    [Fact]
    public async Task String_and_decimal_locals_are_reported_at_their_type()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                {|KILN106:string|} name = "load";
                {|KILN106:decimal|} exact = 1.5m;
                return load;
            }
            """));

        Assert.Equal("Kernel code cannot use type 'string'", Message(diagnostics[0]));
        Assert.Equal("Kernel code cannot use type 'decimal'", Message(diagnostics[1]));
    }

    [Fact]
    public async Task A_var_local_is_reported_at_var_when_its_initializer_is_fine_by_itself()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                {|KILN106:var|} letter = 'a';
                return load;
            }
            """));

        Assert.Equal("Kernel code cannot use type 'char'", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task A_cast_to_object_is_reported_at_the_type()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static bool K(float load) => (({|KILN106:object|})load).Equals(null);
            """));
    }

    [Fact]
    public async Task Nullable_class_and_struct_locals_are_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                {|KILN106:float?|} maybe = load;
                {|KILN106:Random?|} random = null;
                {|KILN106:System.Numerics.Vector2|} pair = default;
                return load;
            }
            """));
    }

    [Fact]
    public async Task A_helper_signature_with_unsupported_types_is_reported_in_the_helper()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load) => Scale(load, "x") + (float)Exact(load);

            private static float Scale(float v, {|KILN106:string|} unit) => v;

            private static {|KILN106:decimal|} Exact(float v) => ({|KILN106:decimal|})v;
            """));
    }

    // KILN107: static fields.

    [Fact]
    public async Task Reading_a_static_readonly_field_is_reported()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            private static readonly float Gain = 2f;

            [Kernel] public static float K(float load) => load * {|KILN107:Gain|};
            """));

        Assert.Equal("Kernel code cannot read or write static field 'P.Gain'; use a constant or a uniform input", Message(diagnostics.Single()));
    }

    [Fact]
    public async Task Writing_a_static_field_of_another_class_is_reported()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float K(float load)
            {
                {|KILN107:Counters.Calls|} = 1;
                return load;
            }
            """) + """

            public static class Counters
            {
                public static int Calls;
            }
            """);
    }

    // Helpers are validated too, once however many kernels call them.

    [Fact]
    public async Task A_problem_in_a_helper_is_reported_once_for_two_kernels()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Kernel] public static float First(float load) => Helpers.Weigh(load);

            [Kernel] public static float Second(float load) => Helpers.Weigh(load) * 2;
            """) + """

            public static class Helpers
            {
                public static float Weigh(float v) => v * {|KILN101:new float[] { 1f }|}[0];
            }
            """);
    }

    [Fact]
    public async Task A_reduction_body_is_checked()
    {
        await KilnVerifier.AnalyzeAsync(Pipeline("""
            [Reduce(Identity = 0)] public static float Total(float acc, float load)
            {
                {|KILN103:Console.Write(acc)|};
                return acc + load;
            }
            """));
    }

    // No false positives.

    [Fact]
    public async Task Valid_kernels_report_nothing()
    {
        ImmutableDiagnostics diagnostics = await KilnVerifier.AnalyzeAsync(Pipeline("""
            private const float Half = 0.5f;

            [Kernel] public static float Exposure(float load, float ev) => load * MathF.Pow(2f, ev);

            [Kernel] public static float Blur([Index] int i, Gather<float> exposure) =>
                (exposure[i - 1] + exposure[i] + exposure[i + 1]) / 3f + exposure.Length * 0f;

            [Kernel] public static double Mixed(float load, int count)
            {
                sbyte sb = -3; byte b = 200; short s = -300; ushort us = 60000;
                int n = count; uint u = 7u; long l = -5L; ulong ul = 9UL; double d = load;
                b += 1; s -= sb; us *= 2; n <<= 2; u >>= 1; l %= 3; ul |= 4; n ^= 0x55; u &= 0xFF;
                n++; --l;
                bool flag = !(n > 3) && (u != 0 || l <= 0) ^ (b >= 2);
                double sum = sb + b + s + us + n + u + l + (double)ul + d;
                sum += flag ? Half : -Half;
                sum /= 2;
                for (int i = 0; i < 4; i++)
                {
                    if (i == 2) continue;
                    if (i > 5) break;
                    sum += Math.Sqrt(i) + Math.Round(sum) + Math.Max(i, n) + Math.Clamp(i, 0, 3);
                }

                int k = 0;
                while (k < 3) { k += 1; }
                do { k--; } while (k > 0);
                unchecked { n = n * 31 + (int)ul; }
                float nan = float.NaN;
                sum += float.IsNaN(nan) ? Math.PI : Math.E + int.MaxValue + float.PositiveInfinity;
                return Helpers.Smooth(sum) + Helpers.Wrap(~n >> 1, u);
            }

            [Reduce(Identity = 0)] public static float Total(float acc, float exposure) => acc + exposure;
            """) + """

            public static class Helpers
            {
                public static double Smooth(double x) => Square(x) * (3 - 2 * x);

                private static double Square(double x) => x * x;

                public static long Wrap(int x, uint y = 3) => x + (long)y;
            }
            """);

        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("KILN1", System.StringComparison.Ordinal)));
    }
}
