namespace Kiln
{
    /// <summary>
    /// What generated device code and the runtime's launch must agree on. This one file is compiled into both
    /// Kiln.Model (for the writers) and Kiln.Runtime (for the launch), so the two cannot drift apart.
    /// </summary>
    internal static class DeviceContract
    {
        /// <summary>Work-items per group: reductions fold each group's items in a fixed tree of this size.</summary>
        public const int GroupSize = 256;

        /// <summary>The fault flag's value when nothing went wrong.</summary>
        public const int NoFault = 0;

        /// <summary>The fault flag's value after an integer division or remainder by zero.</summary>
        public const int DivideByZeroFault = 1;

        /// <summary>The fault flag's value after MinValue / -1 or Math.Abs(MinValue).</summary>
        public const int OverflowFault = 2;

        /// <summary>The fault flag's value after Math.Sign of a NaN (C# throws ArithmeticException).</summary>
        public const int NaNFault = 3;
    }
}
