using System;
using System.Collections.Generic;
using Kiln.Execution;

namespace Kiln
{
    /// <summary>A compute device Kiln can run kernels on.</summary>
    /// <param name="Kind">How Kiln drives it.</param>
    /// <param name="Name">The device's name as its API reports it.</param>
    /// <param name="MemoryBytes">Its global memory in bytes.</param>
    /// <param name="IsGpu">Whether it is a GPU (Auto picks only GPUs; an OpenCL CPU such as PoCL must be asked for).</param>
    public sealed record DeviceInfo(DeviceKind Kind, string Name, long MemoryBytes, bool IsGpu);

    /// <summary>The devices found on this machine.</summary>
    public static class Devices
    {
        private static readonly Lazy<IReadOnlyList<DeviceInfo>> s_available = new(Probe);

        /// <summary>
        /// Every device found: the CPU first, then CUDA GPUs, then OpenCL devices. Probing loads the vendors' libraries
        /// on first use; a missing library means no such device, never an exception.
        /// </summary>
        public static IReadOnlyList<DeviceInfo> Available => s_available.Value;

        private static IReadOnlyList<DeviceInfo> Probe()
        {
            var found = new List<DeviceInfo>
            {
                new(DeviceKind.Cpu, $"CPU ({Environment.ProcessorCount} cores)", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, IsGpu: false),
            };
            foreach (CudaDevice device in CudaDevice.All)
            {
                found.Add(device.Info);
            }

            foreach (OpenClDevice device in OpenClDevice.All)
            {
                found.Add(device.Info);
            }

            return found;
        }

        /// <summary>
        /// The device a run with <paramref name="requested"/> uses, or null for the CPU backend. Auto takes a CUDA GPU,
        /// else an OpenCL GPU, else the CPU, unless <c>KILN_DEVICE</c> (cpu|opencl|cuda) names one.
        /// </summary>
        internal static ComputeDevice? Select(DeviceKind requested)
        {
            if (requested == DeviceKind.Auto)
            {
                string? variable = Environment.GetEnvironmentVariable("KILN_DEVICE");
                if (!string.IsNullOrWhiteSpace(variable))
                {
                    requested = variable.Trim().ToLowerInvariant() switch
                    {
                        "cpu" => DeviceKind.Cpu,
                        "opencl" => DeviceKind.OpenCl,
                        "cuda" => DeviceKind.Cuda,
                        _ => throw new ArgumentException($"KILN_DEVICE is '{variable}'; use cpu, opencl or cuda.", "KILN_DEVICE"),
                    };
                }
            }

            switch (requested)
            {
                case DeviceKind.Cpu:
                    return null;
                case DeviceKind.Cuda:
                    return CudaDevice.All.Count > 0
                        ? CudaDevice.All[0]
                        : throw new DeviceUnavailableException(DeviceKind.Cuda, "A CUDA device was requested, but none was found: " + CudaDevice.Absence + ".");
                case DeviceKind.OpenCl:
                    foreach (OpenClDevice device in OpenClDevice.All)
                    {
                        if (device.Info.IsGpu)
                        {
                            return device;
                        }
                    }

                    return OpenClDevice.All.Count > 0
                        ? OpenClDevice.All[0]
                        : throw new DeviceUnavailableException(DeviceKind.OpenCl, "An OpenCL device was requested, but none was found: " + OpenClDevice.Absence + ".");
                default:
                    foreach (CudaDevice device in CudaDevice.All)
                    {
                        if (device.Info.IsGpu)
                        {
                            return device;
                        }
                    }

                    foreach (OpenClDevice device in OpenClDevice.All)
                    {
                        if (device.Info.IsGpu)
                        {
                            return device;
                        }
                    }

                    return null;
            }
        }
    }
}
