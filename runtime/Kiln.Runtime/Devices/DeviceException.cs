using System;

namespace Kiln
{
    /// <summary>A device API call failed: the exception names the call, the error code's name and the kernel.</summary>
    public sealed class DeviceException : Exception
    {
        /// <summary>Creates the exception for a failed call.</summary>
        /// <param name="device">The device API.</param>
        /// <param name="call">The API function that failed.</param>
        /// <param name="code">Its numeric error code.</param>
        /// <param name="codeName">The error code's name, e.g. CL_OUT_OF_RESOURCES.</param>
        /// <param name="kernel">The generated kernel concerned, if any.</param>
        /// <param name="detail">More to say, e.g. the compiler log.</param>
        public DeviceException(DeviceKind device, string call, int code, string codeName, string? kernel, string? detail = null)
            : base(Describe(device, call, codeName, kernel, detail))
        {
            Device = device;
            Call = call;
            Code = code;
            CodeName = codeName;
            Kernel = kernel;
        }

        /// <summary>The device API.</summary>
        public DeviceKind Device { get; }

        /// <summary>The API function that failed.</summary>
        public string Call { get; }

        /// <summary>The numeric error code.</summary>
        public int Code { get; }

        /// <summary>The error code's name.</summary>
        public string CodeName { get; }

        /// <summary>The generated kernel concerned, if any.</summary>
        public string? Kernel { get; }

        private static string Describe(DeviceKind device, string call, string codeName, string? kernel, string? detail)
        {
            string where = kernel is null ? string.Empty : $" for kernel '{kernel}'";
            string more = string.IsNullOrWhiteSpace(detail) ? string.Empty : Environment.NewLine + detail;
            return $"{device}: {call} failed with {codeName}{where}.{more}";
        }
    }
}
