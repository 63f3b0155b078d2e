using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Kiln.Execution
{
    /// <summary>
    /// Finds CUDA GPUs without loading ILGPU: five driver calls (<c>cuInit</c>, <c>cuDeviceGetCount</c>, <c>cuDeviceGet</c>,
    /// <c>cuDeviceGetName</c>, <c>cuDeviceTotalMem</c>) through the driver library the OS names (<see cref="LibraryName"/>),
    /// so that listing devices, and choosing one for a run, costs a kernel-less program neither ILGPU's load nor its
    /// trim warnings. Kernels themselves are compiled and launched by ILGPU (<see cref="IlgpuBackend"/>).
    /// </summary>
    internal static unsafe class CudaDriver
    {
        /// <summary>The CUDA driver library: <c>nvcuda.dll</c> on Windows, <c>libcuda.so.1</c> elsewhere (Linux).</summary>
        public static string LibraryName(bool windows) => windows ? "nvcuda.dll" : "libcuda.so.1";

        /// <summary>The GPUs the driver reports, in ordinal order (ILGPU's order too), and why there are none.</summary>
        public static (IReadOnlyList<DeviceInfo> Devices, string Absence) Probe()
        {
            var devices = new List<DeviceInfo>();
            string library = LibraryName(OperatingSystem.IsWindows());
            if (!NativeLibrary.TryLoad(library, out IntPtr driver))
            {
                return (devices, library + " (the NVIDIA driver) could not be loaded");
            }

            try
            {
                var init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(driver, "cuInit");
                var getCount = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(driver, "cuDeviceGetCount");
                var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGet");
                var getName = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(driver, "cuDeviceGetName");
                var totalMemory = (delegate* unmanaged<nuint*, int, int>)NativeLibrary.GetExport(driver, "cuDeviceTotalMem_v2");
                int code = init(0);
                if (code != 0)
                {
                    return (devices, $"cuInit failed with CUDA error {code}");
                }

                int count;
                code = getCount(&count);
                if (code != 0 || count == 0)
                {
                    return (devices, code != 0 ? $"cuDeviceGetCount failed with CUDA error {code}" : "the CUDA driver reports no device");
                }

                byte* name = stackalloc byte[256];
                for (int ordinal = 0; ordinal < count; ordinal++)
                {
                    int device;
                    if (get(&device, ordinal) != 0)
                    {
                        continue;
                    }

                    string text = getName(name, 256, device) == 0 ? Marshal.PtrToStringUTF8((IntPtr)name) ?? string.Empty : string.Empty;
                    nuint memory = 0;
                    _ = totalMemory(&memory, device);
                    devices.Add(new DeviceInfo(DeviceKind.Cuda, text.Length > 0 ? text : "CUDA device " + ordinal, (long)memory, IsGpu: true));
                }

                return (devices, string.Empty);
            }
            catch (EntryPointNotFoundException exception)
            {
                return (devices, "a CUDA driver entry point is missing from " + library + ": " + exception.Message);
            }
        }
    }
}
