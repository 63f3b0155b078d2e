using System;
using System.Runtime.InteropServices;

namespace Kiln.Execution
{
    /// <summary>
    /// The CUDA driver API (libcuda.so.1) and NVRTC entry points Kiln uses, resolved on first use with
    /// <see cref="NativeLibrary"/> so a machine without CUDA simply has no CUDA device. Every call's result goes through
    /// <see cref="Check"/>, which names the call and the error.
    /// </summary>
    internal static unsafe class Cuda
    {
        private static readonly Lazy<Api?> s_api = new(Load);

        public static Api? Functions => s_api.Value;

        public static string Absence { get; private set; } = string.Empty;

        private static Api? Load()
        {
            if (!NativeLibrary.TryLoad("libcuda.so.1", out IntPtr driver))
            {
                Absence = "libcuda.so.1 (the CUDA driver) could not be loaded";
                return null;
            }

            IntPtr nvrtc = IntPtr.Zero;
            foreach (string name in new[] { "libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2" })
            {
                if (NativeLibrary.TryLoad(name, out nvrtc))
                {
                    break;
                }
            }

            if (nvrtc == IntPtr.Zero)
            {
                Absence = "the CUDA driver is present but NVRTC (libnvrtc.so) could not be loaded";
                return null;
            }

            try
            {
                return new Api(driver, nvrtc);
            }
            catch (EntryPointNotFoundException exception)
            {
                Absence = "a CUDA entry point is missing: " + exception.Message;
                return null;
            }
        }

        public static void Check(int code, string call, string? kernel = null)
        {
            if (code != 0)
            {
                throw new DeviceException(DeviceKind.Cuda, call, code, ErrorName(code), kernel);
            }
        }

        public static string ErrorName(int code)
        {
            Api? api = Functions;
            if (api is not null)
            {
                byte* name = null;
                if (api.GetErrorName(code, &name) == 0 && name != null)
                {
                    return Marshal.PtrToStringUTF8((IntPtr)name) ?? "CUDA error " + code;
                }
            }

            return "CUDA error " + code;
        }

        /// <summary>Function pointers into the driver and NVRTC.</summary>
        internal sealed class Api
        {
            public Api(IntPtr driver, IntPtr nvrtc)
            {
                Init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(driver, "cuInit");
                DeviceGetCount = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(driver, "cuDeviceGetCount");
                DeviceGet = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGet");
                DeviceGetName = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGetName");
                DeviceTotalMem = (delegate* unmanaged<nuint*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceTotalMem_v2");
                DevicePrimaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)NativeLibrary.GetExport(driver, "cuDevicePrimaryCtxRetain");
                CtxSetCurrent = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(driver, "cuCtxSetCurrent");
                ModuleLoadData = (delegate* unmanaged<IntPtr*, byte*, int>)NativeLibrary.GetExport(driver, "cuModuleLoadData");
                ModuleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, int>)NativeLibrary.GetExport(driver, "cuModuleGetFunction");
                MemAlloc = (delegate* unmanaged<ulong*, nuint, int>)NativeLibrary.GetExport(driver, "cuMemAlloc_v2");
                MemFree = (delegate* unmanaged<ulong, int>)NativeLibrary.GetExport(driver, "cuMemFree_v2");
                MemcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)NativeLibrary.GetExport(driver, "cuMemcpyHtoD_v2");
                MemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)NativeLibrary.GetExport(driver, "cuMemcpyDtoH_v2");
                LaunchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)NativeLibrary.GetExport(driver, "cuLaunchKernel");
                StreamQuery = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(driver, "cuStreamQuery");
                CtxSynchronize = (delegate* unmanaged<int>)NativeLibrary.GetExport(driver, "cuCtxSynchronize");
                GetErrorName = (delegate* unmanaged<int, byte**, int>)NativeLibrary.GetExport(driver, "cuGetErrorName");
                DeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGetAttribute");
                CreateProgram = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)NativeLibrary.GetExport(nvrtc, "nvrtcCreateProgram");
                CompileProgram = (delegate* unmanaged<IntPtr, int, byte**, int>)NativeLibrary.GetExport(nvrtc, "nvrtcCompileProgram");
                GetProgramLogSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetProgramLogSize");
                GetProgramLog = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetProgramLog");
                GetPtxSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetPTXSize");
                GetPtx = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetPTX");
                DestroyProgram = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcDestroyProgram");
            }

            public delegate* unmanaged<uint, int> Init { get; }
            public delegate* unmanaged<int*, int> DeviceGetCount { get; }
            public delegate* unmanaged<int*, int, int> DeviceGet { get; }
            public delegate* unmanaged<byte*, int, int, int> DeviceGetName { get; }
            public delegate* unmanaged<nuint*, int, int> DeviceTotalMem { get; }
            public delegate* unmanaged<IntPtr*, int, int> DevicePrimaryCtxRetain { get; }
            public delegate* unmanaged<IntPtr, int> CtxSetCurrent { get; }
            public delegate* unmanaged<IntPtr*, byte*, int> ModuleLoadData { get; }
            public delegate* unmanaged<IntPtr*, IntPtr, byte*, int> ModuleGetFunction { get; }
            public delegate* unmanaged<ulong*, nuint, int> MemAlloc { get; }
            public delegate* unmanaged<ulong, int> MemFree { get; }
            public delegate* unmanaged<ulong, void*, nuint, int> MemcpyHtoD { get; }
            public delegate* unmanaged<void*, ulong, nuint, int> MemcpyDtoH { get; }
            public delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int> LaunchKernel { get; }
            public delegate* unmanaged<IntPtr, int> StreamQuery { get; }
            public delegate* unmanaged<int> CtxSynchronize { get; }
            public delegate* unmanaged<int, byte**, int> GetErrorName { get; }
            public delegate* unmanaged<int*, int, int, int> DeviceGetAttribute { get; }
            public delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int> CreateProgram { get; }
            public delegate* unmanaged<IntPtr, int, byte**, int> CompileProgram { get; }
            public delegate* unmanaged<IntPtr, nuint*, int> GetProgramLogSize { get; }
            public delegate* unmanaged<IntPtr, byte*, int> GetProgramLog { get; }
            public delegate* unmanaged<IntPtr, nuint*, int> GetPtxSize { get; }
            public delegate* unmanaged<IntPtr, byte*, int> GetPtx { get; }
            public delegate* unmanaged<IntPtr*, int> DestroyProgram { get; }
        }
    }
}
