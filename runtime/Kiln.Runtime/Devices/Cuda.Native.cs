using System;
using System.Runtime.InteropServices;

namespace Kiln.Execution
{
    /// <summary>
    /// The CUDA driver API (libcuda.so.1) entry points Kiln uses, resolved on first use with <see cref="NativeLibrary"/>
    /// so a machine without CUDA simply has no CUDA device. <c>KILN_CUDA_LIBRARY</c> names another file to load (a driver
    /// outside the loader's path, such as WSL's <c>/usr/lib/wsl/lib/libcuda.so.1</c>). Every call's result goes through
    /// <see cref="Check"/>, which names the call and the error.
    /// </summary>
    internal static unsafe class Cuda
    {
        /// <summary>The environment variable naming the driver library to load instead of libcuda.so.1.</summary>
        public const string LibraryVariable = "KILN_CUDA_LIBRARY";

        private static readonly Lazy<Api?> s_api = new(Load);

        public static Api? Functions => s_api.Value;

        public static string Absence { get; private set; } = string.Empty;

        private static Api? Load()
        {
            string library = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } path ? path : "libcuda.so.1";
            if (!NativeLibrary.TryLoad(library, out IntPtr driver))
            {
                Absence = library + " (the CUDA driver) could not be loaded";
                return null;
            }

            try
            {
                return new Api(driver);
            }
            catch (EntryPointNotFoundException exception)
            {
                Absence = "a CUDA driver entry point is missing from " + library + ": " + exception.Message;
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

        /// <summary>Function pointers into the driver.</summary>
        internal sealed class Api
        {
            public Api(IntPtr driver)
            {
                Init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(driver, "cuInit");
                DeviceGetCount = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(driver, "cuDeviceGetCount");
                DeviceGet = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGet");
                DeviceGetName = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGetName");
                DeviceTotalMem = (delegate* unmanaged<nuint*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceTotalMem_v2");
                DevicePrimaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)NativeLibrary.GetExport(driver, "cuDevicePrimaryCtxRetain");
                DevicePrimaryCtxReset = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(driver, "cuDevicePrimaryCtxReset_v2");
                DevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(driver, "cuDevicePrimaryCtxRelease_v2");
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
            }

            public delegate* unmanaged<uint, int> Init { get; }
            public delegate* unmanaged<int*, int> DeviceGetCount { get; }
            public delegate* unmanaged<int*, int, int> DeviceGet { get; }
            public delegate* unmanaged<byte*, int, int, int> DeviceGetName { get; }
            public delegate* unmanaged<nuint*, int, int> DeviceTotalMem { get; }
            public delegate* unmanaged<IntPtr*, int, int> DevicePrimaryCtxRetain { get; }
            public delegate* unmanaged<int, int> DevicePrimaryCtxReset { get; }
            public delegate* unmanaged<int, int> DevicePrimaryCtxRelease { get; }
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
        }
    }

    /// <summary>
    /// NVRTC, the CUDA C compiler that produces PTX at run time, loaded apart from the driver: it compiles without a GPU,
    /// so the generated CUDA C can be checked on any machine that has it. <c>KILN_NVRTC_LIBRARY</c> names another file.
    /// </summary>
    internal static unsafe class Nvrtc
    {
        /// <summary>The environment variable naming the NVRTC library to load instead of the newest libnvrtc.so found.</summary>
        public const string LibraryVariable = "KILN_NVRTC_LIBRARY";

        private static readonly Lazy<Api?> s_api = new(Load);

        public static Api? Functions => s_api.Value;

        public static string Absence { get; private set; } = string.Empty;

        /// <summary>Which NVRTC compiles: the library loaded and its version, part of the PTX cache's key.</summary>
        public static string Identity { get; private set; } = string.Empty;

        private static Api? Load()
        {
            string[] names = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } path
                ? new[] { path }
                : new[] { "libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2" };
            foreach (string name in names)
            {
                if (NativeLibrary.TryLoad(name, out IntPtr library))
                {
                    try
                    {
                        var api = new Api(library);
                        int major = 0, minor = 0;
                        api.Version(&major, &minor);
                        Identity = $"{name} {major}.{minor}";
                        return api;
                    }
                    catch (EntryPointNotFoundException exception)
                    {
                        Absence = "an NVRTC entry point is missing from " + name + ": " + exception.Message;
                        return null;
                    }
                }
            }

            Absence = "NVRTC (" + string.Join(", ", names) + ") could not be loaded";
            return null;
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
            byte* name = Functions is { } api ? api.GetErrorString(code) : null;
            return name != null ? Marshal.PtrToStringUTF8((IntPtr)name) ?? "NVRTC error " + code : "NVRTC error " + code;
        }

        /// <summary>Function pointers into NVRTC.</summary>
        internal sealed class Api
        {
            public Api(IntPtr library)
            {
                CreateProgram = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)NativeLibrary.GetExport(library, "nvrtcCreateProgram");
                CompileProgram = (delegate* unmanaged<IntPtr, int, byte**, int>)NativeLibrary.GetExport(library, "nvrtcCompileProgram");
                GetProgramLogSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(library, "nvrtcGetProgramLogSize");
                GetProgramLog = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(library, "nvrtcGetProgramLog");
                GetPtxSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(library, "nvrtcGetPTXSize");
                GetPtx = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(library, "nvrtcGetPTX");
                DestroyProgram = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(library, "nvrtcDestroyProgram");
                GetErrorString = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(library, "nvrtcGetErrorString");
                Version = (delegate* unmanaged<int*, int*, int>)NativeLibrary.GetExport(library, "nvrtcVersion");
            }

            public delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int> CreateProgram { get; }
            public delegate* unmanaged<IntPtr, int, byte**, int> CompileProgram { get; }
            public delegate* unmanaged<IntPtr, nuint*, int> GetProgramLogSize { get; }
            public delegate* unmanaged<IntPtr, byte*, int> GetProgramLog { get; }
            public delegate* unmanaged<IntPtr, nuint*, int> GetPtxSize { get; }
            public delegate* unmanaged<IntPtr, byte*, int> GetPtx { get; }
            public delegate* unmanaged<IntPtr*, int> DestroyProgram { get; }
            public delegate* unmanaged<int, byte*> GetErrorString { get; }
            public delegate* unmanaged<int*, int*, int> Version { get; }
        }
    }
}
