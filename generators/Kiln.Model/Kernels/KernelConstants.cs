using System;
using System.Globalization;

namespace Kiln.Model
{
    /// <summary>Builds <see cref="KConstant"/>s from compile-time values, converting them with C#'s semantics.</summary>
    public static class KernelConstants
    {
        private const ulong NegativeZeroDouble = 0x8000000000000000UL;
        private const uint NegativeZeroSingle = 0x80000000U;

        /// <summary>
        /// The constant <paramref name="value"/> (a bool, char or numeric C# constant) as a <paramref name="type"/>, or null when
        /// it is not one (a string, null, decimal, or a bool for a number).
        /// </summary>
        public static KConstant? Create(ScalarType type, object? value)
        {
            if (value is bool flag)
            {
                return type == ScalarType.Bool ? Bool(flag) : null;
            }

            if (type == ScalarType.Bool || value is null or string or decimal || value is not IConvertible)
            {
                return null;
            }

            switch (type)
            {
                case ScalarType.Float:
                    return Float(value switch
                    {
                        float f => f,
                        double d => (float)d,
                        ulong u => u,
                        _ => ToInt64(value),
                    });
                case ScalarType.Double:
                    return Double(value switch
                    {
                        float f => f,
                        double d => d,
                        ulong u => u,
                        _ => ToInt64(value),
                    });
            }

            // Integer targets: truncate toward zero, then wrap, as an unchecked C# cast does.
            long bits = value switch
            {
                float f => (long)f,
                double d => (long)d,
                ulong u => unchecked((long)u),
                _ => ToInt64(value),
            };
            return Integer(type, bits);
        }

        /// <summary>The bool constant <paramref name="value"/>.</summary>
        public static KConstant Bool(bool value) => new(ScalarType.Bool, value ? "true" : "false", value ? 1UL : 0UL);

        /// <summary>The float constant <paramref name="value"/>.</summary>
        public static KConstant Float(float value)
        {
            uint bits = BitConverter.ToUInt32(BitConverter.GetBytes(value), 0);
            return new KConstant(ScalarType.Float, Text(value, bits == NegativeZeroSingle), bits);
        }

        /// <summary>The double constant <paramref name="value"/>.</summary>
        public static KConstant Double(double value)
        {
            ulong bits = unchecked((ulong)BitConverter.DoubleToInt64Bits(value));
            return new KConstant(ScalarType.Double, Text(value, bits == NegativeZeroDouble), bits);
        }

        /// <summary>The integer constant of <paramref name="type"/> whose low bits are <paramref name="value"/>'s.</summary>
        public static KConstant Integer(ScalarType type, long value)
        {
            unchecked
            {
                return type switch
                {
                    ScalarType.SByte => Make(type, (sbyte)value, (byte)value),
                    ScalarType.Byte => Make(type, (byte)value, (byte)value),
                    ScalarType.Short => Make(type, (short)value, (ushort)value),
                    ScalarType.UShort => Make(type, (ushort)value, (ushort)value),
                    ScalarType.Int => Make(type, (int)value, (uint)value),
                    ScalarType.UInt => Make(type, (uint)value, (uint)value),
                    ScalarType.Long => Make(type, value, (ulong)value),
                    ScalarType.ULong => new KConstant(type, ((ulong)value).ToString(CultureInfo.InvariantCulture), (ulong)value),
                    ScalarType.Float => Float(value),
                    ScalarType.Double => Double(value),
                    _ => Bool(value != 0),
                };
            }
        }

        private static KConstant Make(ScalarType type, long value, ulong bits) =>
            new(type, value.ToString(CultureInfo.InvariantCulture), bits);

        private static long ToInt64(object value) => value is char c ? c : Convert.ToInt64(value, CultureInfo.InvariantCulture);

        private static string Text(float value, bool negativeZero)
        {
            if (float.IsNaN(value))
            {
                return "NaN";
            }

            if (float.IsInfinity(value))
            {
                return value > 0 ? "Infinity" : "-Infinity";
            }

            if (negativeZero)
            {
                return "-0";
            }

            // "R" round-trips on .NET Core; .NET Framework (Visual Studio's compiler host) may need "G9".
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return float.Parse(text, CultureInfo.InvariantCulture).Equals(value) ? text : value.ToString("G9", CultureInfo.InvariantCulture);
        }

        private static string Text(double value, bool negativeZero)
        {
            if (double.IsNaN(value))
            {
                return "NaN";
            }

            if (double.IsInfinity(value))
            {
                return value > 0 ? "Infinity" : "-Infinity";
            }

            if (negativeZero)
            {
                return "-0";
            }

            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return double.Parse(text, CultureInfo.InvariantCulture).Equals(value) ? text : value.ToString("G17", CultureInfo.InvariantCulture);
        }
    }
}
