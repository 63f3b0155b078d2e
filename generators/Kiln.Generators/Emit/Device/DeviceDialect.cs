using System.Collections.Generic;
using System.Globalization;
using Kiln.Model;

namespace Kiln.Generators.Emit.Device
{
    /// <summary>
    /// OpenCL C as tables: type names, qualifiers, work-item ids, barriers, math functions and exact bit-pattern
    /// constants. <see cref="DeviceSourceWriter"/> writes it from the IR. (CUDA runs ILGPU kernels written in C# by
    /// <see cref="IlgpuKernelWriter"/>; the dialect table stays so another C-like dialect can be added as data.)
    /// </summary>
    internal sealed class DeviceDialect
    {
        private DeviceDialect()
        {
        }

        /// <summary>OpenCL C 1.2: overloaded built-ins, <c>convert_*_sat_rtz</c> for C#'s saturating casts.</summary>
        public static DeviceDialect OpenCl { get; } = new()
        {
            Name = "OpenCL C",
            Types = new Dictionary<ScalarType, string>
            {
                [ScalarType.Bool] = "bool", [ScalarType.SByte] = "char", [ScalarType.Byte] = "uchar", [ScalarType.Short] = "short",
                [ScalarType.UShort] = "ushort", [ScalarType.Int] = "int", [ScalarType.UInt] = "uint", [ScalarType.Long] = "long",
                [ScalarType.ULong] = "ulong", [ScalarType.Float] = "float", [ScalarType.Double] = "double",
            },
            ByteType = "uchar",
            KernelPrefix = "__kernel void",
            FunctionPrefix = string.Empty,
            GlobalId = "(int)get_global_id(0)",
            LocalId = "(int)get_local_id(0)",
            GroupId = "get_group_id(0)",
            LocalMemory = "__local",
            Barrier = "barrier(CLK_LOCAL_MEM_FENCE);",
            LongSuffix = "L",
            ULongSuffix = "UL",
            FloatFromBits = "as_float",
            DoubleFromBits = "as_double",
            FloatSuffixedMath = false,
        };

        /// <summary>C names of the C# math functions whose device counterpart has the same semantics.</summary>
        public static IReadOnlyDictionary<string, string> MathFunctions { get; } = new Dictionary<string, string>
        {
            ["Sqrt"] = "sqrt", ["Cbrt"] = "cbrt", ["Exp"] = "exp", ["Log"] = "log", ["Log2"] = "log2", ["Log10"] = "log10",
            ["Sin"] = "sin", ["Cos"] = "cos", ["Tan"] = "tan", ["Asin"] = "asin", ["Acos"] = "acos", ["Atan"] = "atan",
            ["Sinh"] = "sinh", ["Cosh"] = "cosh", ["Tanh"] = "tanh", ["Asinh"] = "asinh", ["Acosh"] = "acosh", ["Atanh"] = "atanh",
            ["Floor"] = "floor", ["Ceiling"] = "ceil", ["Truncate"] = "trunc", ["Round"] = "rint", ["Pow"] = "pow",
            ["Atan2"] = "atan2", ["CopySign"] = "copysign", ["IEEERemainder"] = "remainder", ["FusedMultiplyAdd"] = "fma",
        };

        public string Name { get; private init; } = string.Empty;

        public IReadOnlyDictionary<ScalarType, string> Types { get; private init; } = new Dictionary<ScalarType, string>();

        /// <summary>The type bools are stored as in buffers and kernel arguments (OpenCL kernels cannot take bool).</summary>
        public string ByteType { get; private init; } = string.Empty;

        public string KernelPrefix { get; private init; } = string.Empty;

        public string FunctionPrefix { get; private init; } = string.Empty;

        public string GlobalId { get; private init; } = string.Empty;

        public string LocalId { get; private init; } = string.Empty;

        public string GroupId { get; private init; } = string.Empty;

        public string LocalMemory { get; private init; } = string.Empty;

        public string Barrier { get; private init; } = string.Empty;

        public string LongSuffix { get; private init; } = string.Empty;

        public string ULongSuffix { get; private init; } = string.Empty;

        public string FloatFromBits { get; private init; } = string.Empty;

        public string DoubleFromBits { get; private init; } = string.Empty;

        /// <summary>Whether float math functions take an <c>f</c> suffix (CUDA's <c>sqrtf</c>) rather than overloads.</summary>
        public bool FloatSuffixedMath { get; private init; }

        public bool IsOpenCl => ReferenceEquals(this, OpenCl);

        public string Type(ScalarType type) => Types[type];

        /// <summary>The type a value of <paramref name="type"/> has in memory and as a kernel argument.</summary>
        public string Storage(ScalarType type) => type == ScalarType.Bool ? ByteType : Types[type];

        public string GlobalPointer(ScalarType type, bool readOnly) => $"__global {(readOnly ? "const " : string.Empty)}{Storage(type)}*";

        public string MathFunction(string name, ScalarType type) =>
            FloatSuffixedMath && type == ScalarType.Float ? name + "f" : name;

        /// <summary>
        /// C#'s (.NET 9+) cast of a <paramref name="from"/> value to the integer type <paramref name="to"/>: truncate toward
        /// zero and saturate to int, uint, long or ulong, NaN giving 0; a smaller type takes the low bits of the
        /// saturated int, so <c>(byte)300.7f</c> is 44, not OpenCL's saturated 255.
        /// </summary>
        public string FloatToInteger(ScalarType from, ScalarType to, string operand)
        {
            ScalarType wide = to is ScalarType.UInt or ScalarType.Long or ScalarType.ULong ? to : ScalarType.Int;
            string converted = $"convert_{Type(wide)}_sat_rtz({operand})";
            return wide == to ? converted : $"(({Type(to)})({converted}))";
        }

        public string Hex(ulong bits) => "0x" + bits.ToString("x", CultureInfo.InvariantCulture);

        /// <summary>The parameter every function of a source with checked operations takes last (see <see cref="FaultPrelude"/>).</summary>
        public string FaultParameter => GlobalPointer(ScalarType.Int, readOnly: false) + " kiln_fault";

        /// <summary>
        /// Integer operations C# checks and C does not: <c>x / 0</c> and <c>x % 0</c> throw DivideByZeroException in C#
        /// (and trap an x86 CPU running OpenCL), <c>MinValue / -1</c>, <c>MinValue % -1</c> and <c>Math.Abs(MinValue)</c>
        /// throw OverflowException. These helpers set the fault flag instead (the codes of <see cref="DeviceContract"/>,
        /// which Kiln.Execution.DeviceLaunch reads) and return a harmless value; the launch then throws what C# would.
        /// </summary>
        public string FaultPrelude()
        {
            const string inline = "inline ";
            var text = new System.Text.StringBuilder();
            foreach (ScalarType type in new[] { ScalarType.Int, ScalarType.UInt, ScalarType.Long, ScalarType.ULong })
            {
                string t = Type(type);
                string name = ScalarTypes.Keyword(type);
                bool signed = type is ScalarType.Int or ScalarType.Long;
                string ByMinusOne(string quotient) => signed
                    ? $" if (b == -1) {{ if (a == {MinValue(type)}) {{ *kiln_fault = {DeviceContract.OverflowFault}; return 0; }} return {quotient}; }}"
                    : string.Empty;
                text.Append(inline).Append($"{t} kiln_div_{name}({t} a, {t} b, {FaultParameter}) {{ if (b == 0) {{ *kiln_fault = {DeviceContract.DivideByZeroFault}; return 0; }}")
                    .Append(ByMinusOne("-a")).Append(" return a / b; }\n");
                text.Append(inline).Append($"{t} kiln_rem_{name}({t} a, {t} b, {FaultParameter}) {{ if (b == 0) {{ *kiln_fault = {DeviceContract.DivideByZeroFault}; return 0; }}")
                    .Append(ByMinusOne("0")).Append(" return a % b; }\n");
            }

            foreach (ScalarType type in new[] { ScalarType.SByte, ScalarType.Short, ScalarType.Int, ScalarType.Long })
            {
                string t = Type(type);
                text.Append(inline).Append($"{t} kiln_abs_{ScalarTypes.Keyword(type)}({t} x, {FaultParameter}) {{ if (x == {MinValue(type)}) {{ *kiln_fault = {DeviceContract.OverflowFault}; return x; }} return x < 0 ? -x : x; }}\n");
            }

            return text.ToString();
        }

        private string MinValue(ScalarType type) => type switch
        {
            ScalarType.SByte => "-128",
            ScalarType.Short => "-32768",
            ScalarType.Int => "(-2147483647 - 1)",
            _ => $"(-9223372036854775807{LongSuffix} - 1)",
        };

        public string Prelude(bool usesDouble)
        {
            var text = new System.Text.StringBuilder();
            if (IsOpenCl)
            {
                // No contraction into fma, so a*b+c rounds twice as in C#.
                text.Append("#pragma OPENCL FP_CONTRACT OFF\n");
                if (usesDouble)
                {
                    text.Append("#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n");
                }
            }

            const string inline = "inline ";
            text.Append(inline).Append("int kiln_clamp_index(int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }\n");

            // C#'s Math.Min/Max: NaN propagates and -0 < +0 (IEEE 754:2019 minimum/maximum), unlike C's fmin/fmax.
            foreach (string type in usesDouble ? new[] { "float", "double" } : new[] { "float" })
            {
                text.Append(inline).Append(type).Append(" kiln_max_").Append(type).Append('(').Append(type).Append(" a, ").Append(type)
                    .Append(" b) { if (a != b) { if (!isnan(a)) return b < a ? a : b; return a; } return signbit(b) ? a : b; }\n");
                text.Append(inline).Append(type).Append(" kiln_min_").Append(type).Append('(').Append(type).Append(" a, ").Append(type)
                    .Append(" b) { if (a != b) { if (!isnan(a)) return a < b ? a : b; return a; } return signbit(a) ? a : b; }\n");
            }

            return text.ToString();
        }
    }
}
