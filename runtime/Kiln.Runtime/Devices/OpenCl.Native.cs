using System;
using System.Runtime.InteropServices;

namespace Kiln.Execution
{
    /// <summary>
    /// The OpenCL 1.2 entry points Kiln uses, through the ICD loader (<see cref="LibraryName"/>: libOpenCL.so.1 on Linux,
    /// OpenCL.dll on Windows), bound on first call. Every call that returns an error code goes through
    /// <see cref="Check"/>, which names the call and the code.
    /// </summary>
    internal static unsafe partial class OpenCl
    {
        // The name the imports below use; the resolver loads the OS's own name for it.
        private const string Library = "libOpenCL.so.1";

        static OpenCl() => NativeLibrary.SetDllImportResolver(typeof(OpenCl).Assembly, Resolve);

        /// <summary>The OpenCL ICD loader's file name on an OS: OpenCL.dll on Windows, libOpenCL.so.1 elsewhere.</summary>
        public static string LibraryName(bool windows) => windows ? "OpenCL.dll" : "libOpenCL.so.1";

        private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? path) =>
            name == Library && NativeLibrary.TryLoad(LibraryName(OperatingSystem.IsWindows()), assembly, path, out IntPtr handle)
                ? handle
                : IntPtr.Zero;

        public const uint PlatformName = 0x0902;
        public const uint PlatformVersion = 0x0901;
        public const ulong DeviceTypeAll = 0xFFFFFFFF;
        public const ulong DeviceTypeGpu = 1 << 2;
        public const uint DeviceType = 0x1000;
        public const uint DeviceName = 0x102B;
        public const uint DeviceGlobalMemSize = 0x101F;
        public const uint DeviceMaxWorkGroupSize = 0x1004;
        public const uint DeviceDoubleFpConfig = 0x1032;
        public const uint ProgramBuildLog = 0x1183;
        public const ulong MemReadWrite = 1 << 0;
        public const uint EventCommandExecutionStatus = 0x11D3;
        public const int Complete = 0;

        /// <summary>
        /// PoCL, the CPU OpenCL driver, installs a SIGFPE handler for integer division in kernels unless
        /// <c>POCL_SIGFPE_HANDLER=0</c>; it replaces the .NET runtime's, so a managed division by zero anywhere in the
        /// process would crash it instead of throwing DivideByZeroException. Kiln's kernels check their divisors, so
        /// the handler is not needed: this turns it off (unless the user set the variable) before any driver loads.
        /// .NET's Environment.SetEnvironmentVariable does not reach native code, hence libc's setenv.
        /// </summary>
        public static void KeepRuntimeSignalHandlers()
        {
            if (!OperatingSystem.IsWindows())
            {
                SetEnvironment("POCL_SIGFPE_HANDLER", "0", overwrite: 0);
            }
        }

        [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        private static partial int SetEnvironment(string name, string value, int overwrite);

        [LibraryImport(Library, EntryPoint = "clGetPlatformIDs")]
        public static partial int GetPlatformIds(uint entries, IntPtr* platforms, uint* count);

        [LibraryImport(Library, EntryPoint = "clGetPlatformInfo")]
        public static partial int GetPlatformInfo(IntPtr platform, uint name, nuint size, void* value, nuint* sizeReturned);

        [LibraryImport(Library, EntryPoint = "clGetDeviceIDs")]
        public static partial int GetDeviceIds(IntPtr platform, ulong type, uint entries, IntPtr* devices, uint* count);

        [LibraryImport(Library, EntryPoint = "clGetDeviceInfo")]
        public static partial int GetDeviceInfo(IntPtr device, uint name, nuint size, void* value, nuint* sizeReturned);

        [LibraryImport(Library, EntryPoint = "clCreateContext")]
        public static partial IntPtr CreateContext(IntPtr* properties, uint deviceCount, IntPtr* devices, IntPtr notify, IntPtr userData, int* error);

        [LibraryImport(Library, EntryPoint = "clCreateCommandQueue")]
        public static partial IntPtr CreateCommandQueue(IntPtr context, IntPtr device, ulong properties, int* error);

        [LibraryImport(Library, EntryPoint = "clCreateProgramWithSource")]
        public static partial IntPtr CreateProgramWithSource(IntPtr context, uint count, byte** strings, nuint* lengths, int* error);

        [LibraryImport(Library, EntryPoint = "clBuildProgram")]
        public static partial int BuildProgram(IntPtr program, uint deviceCount, IntPtr* devices, byte* options, IntPtr notify, IntPtr userData);

        [LibraryImport(Library, EntryPoint = "clGetProgramBuildInfo")]
        public static partial int GetProgramBuildInfo(IntPtr program, IntPtr device, uint name, nuint size, void* value, nuint* sizeReturned);

        [LibraryImport(Library, EntryPoint = "clCreateKernel")]
        public static partial IntPtr CreateKernel(IntPtr program, byte* name, int* error);

        [LibraryImport(Library, EntryPoint = "clSetKernelArg")]
        public static partial int SetKernelArg(IntPtr kernel, uint index, nuint size, void* value);

        [LibraryImport(Library, EntryPoint = "clCreateBuffer")]
        public static partial IntPtr CreateBuffer(IntPtr context, ulong flags, nuint size, void* hostPointer, int* error);

        [LibraryImport(Library, EntryPoint = "clEnqueueWriteBuffer")]
        public static partial int EnqueueWriteBuffer(IntPtr queue, IntPtr buffer, uint blocking, nuint offset, nuint size, void* source, uint waitCount, IntPtr* waitList, IntPtr* completion);

        [LibraryImport(Library, EntryPoint = "clEnqueueReadBuffer")]
        public static partial int EnqueueReadBuffer(IntPtr queue, IntPtr buffer, uint blocking, nuint offset, nuint size, void* target, uint waitCount, IntPtr* waitList, IntPtr* completion);

        [LibraryImport(Library, EntryPoint = "clEnqueueNDRangeKernel")]
        public static partial int EnqueueNDRangeKernel(IntPtr queue, IntPtr kernel, uint dimensions, nuint* offset, nuint* globalSize, nuint* localSize, uint waitCount, IntPtr* waitList, IntPtr* completion);

        [LibraryImport(Library, EntryPoint = "clFlush")]
        public static partial int Flush(IntPtr queue);

        [LibraryImport(Library, EntryPoint = "clFinish")]
        public static partial int Finish(IntPtr queue);

        [LibraryImport(Library, EntryPoint = "clGetEventInfo")]
        public static partial int GetEventInfo(IntPtr completion, uint name, nuint size, void* value, nuint* sizeReturned);

        [LibraryImport(Library, EntryPoint = "clReleaseEvent")]
        public static partial int ReleaseEvent(IntPtr completion);

        [LibraryImport(Library, EntryPoint = "clReleaseMemObject")]
        public static partial int ReleaseMemObject(IntPtr buffer);

        [LibraryImport(Library, EntryPoint = "clReleaseKernel")]
        public static partial int ReleaseKernel(IntPtr kernel);

        [LibraryImport(Library, EntryPoint = "clReleaseProgram")]
        public static partial int ReleaseProgram(IntPtr program);

        [LibraryImport(Library, EntryPoint = "clReleaseCommandQueue")]
        public static partial int ReleaseCommandQueue(IntPtr queue);

        [LibraryImport(Library, EntryPoint = "clReleaseContext")]
        public static partial int ReleaseContext(IntPtr context);

        /// <summary>Throws <see cref="DeviceException"/> naming <paramref name="call"/> and the error when <paramref name="code"/> is not CL_SUCCESS.</summary>
        public static void Check(int code, string call, string? kernel = null)
        {
            if (code != 0)
            {
                throw new DeviceException(DeviceKind.OpenCl, call, code, ErrorName(code), kernel);
            }
        }

        public static string ErrorName(int code) => code switch
        {
            0 => "CL_SUCCESS",
            -1 => "CL_DEVICE_NOT_FOUND",
            -2 => "CL_DEVICE_NOT_AVAILABLE",
            -3 => "CL_COMPILER_NOT_AVAILABLE",
            -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
            -5 => "CL_OUT_OF_RESOURCES",
            -6 => "CL_OUT_OF_HOST_MEMORY",
            -7 => "CL_PROFILING_INFO_NOT_AVAILABLE",
            -11 => "CL_BUILD_PROGRAM_FAILURE",
            -30 => "CL_INVALID_VALUE",
            -32 => "CL_INVALID_PLATFORM",
            -33 => "CL_INVALID_DEVICE",
            -34 => "CL_INVALID_CONTEXT",
            -36 => "CL_INVALID_COMMAND_QUEUE",
            -38 => "CL_INVALID_MEM_OBJECT",
            -42 => "CL_INVALID_BINARY",
            -43 => "CL_INVALID_BUILD_OPTIONS",
            -44 => "CL_INVALID_PROGRAM",
            -45 => "CL_INVALID_PROGRAM_EXECUTABLE",
            -46 => "CL_INVALID_KERNEL_NAME",
            -48 => "CL_INVALID_KERNEL",
            -49 => "CL_INVALID_ARG_INDEX",
            -50 => "CL_INVALID_ARG_VALUE",
            -51 => "CL_INVALID_ARG_SIZE",
            -52 => "CL_INVALID_KERNEL_ARGS",
            -54 => "CL_INVALID_WORK_GROUP_SIZE",
            -55 => "CL_INVALID_WORK_ITEM_SIZE",
            -58 => "CL_INVALID_EVENT",
            -61 => "CL_INVALID_BUFFER_SIZE",
            -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
            -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
            _ => "CL error " + code,
        };
    }

    /// <summary>An OpenCL object released with its own clRelease* call.</summary>
    internal sealed class OpenClHandle : SafeHandle
    {
        private readonly Func<IntPtr, int> _release;

        public OpenClHandle(IntPtr handle, Func<IntPtr, int> release)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            _release = release;
            SetHandle(handle);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle() => _release(handle) == 0;
    }
}
