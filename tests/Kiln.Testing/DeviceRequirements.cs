using System;
using System.Linq;
using Kiln.Execution;
using Xunit;

namespace Kiln.Testing;

/// <summary>
/// Which devices and device compilers this machine has. A test that needs a missing one skips with the reason, unless
/// the environment says it must be there (<c>KILN_REQUIRE_OPENCL=1</c>, <c>KILN_REQUIRE_CUDA=1</c>,
/// <c>KILN_REQUIRE_NVRTC=1</c>, as CI sets them): then it runs and fails.
/// </summary>
public static class DeviceRequirements
{
    public static bool HasOpenCl => Kiln.Devices.Available.Any(d => d.Kind == DeviceKind.OpenCl);

    public static bool HasCuda => Kiln.Devices.Available.Any(d => d.Kind == DeviceKind.Cuda);

    /// <summary>Whether NVRTC loads: it compiles CUDA C to PTX without a GPU.</summary>
    public static bool HasNvrtc => Nvrtc.Functions is not null;

    public static bool RequireOpenCl => Required("KILN_REQUIRE_OPENCL");

    public static bool RequireCuda => Required("KILN_REQUIRE_CUDA");

    public static bool RequireNvrtc => Required("KILN_REQUIRE_NVRTC");

    /// <summary>Whether OpenCL tests run here: the device is present, or required (and then missing means failure).</summary>
    public static bool RunOpenCl => HasOpenCl || RequireOpenCl;

    public static bool RunCuda => HasCuda || RequireCuda;

    public static bool RunNvrtc => HasNvrtc || RequireNvrtc;

    /// <summary>The device runs a differential test adds to its CPU runs: fused and unfused on each device that runs here.</summary>
    public static KilnOptions[] DeviceOptions() =>
        (RunOpenCl ? new[] { DeviceKind.OpenCl } : Array.Empty<DeviceKind>())
        .Concat(RunCuda ? new[] { DeviceKind.Cuda } : Array.Empty<DeviceKind>())
        .SelectMany(kind => new[] { new KilnOptions { Device = kind, Fusion = true }, new KilnOptions { Device = kind, Fusion = false } })
        .ToArray();

    private static bool Required(string variable) => Environment.GetEnvironmentVariable(variable) == "1";
}

/// <summary>A fact that needs an OpenCL device.</summary>
public sealed class OpenClFactAttribute : FactAttribute
{
    public OpenClFactAttribute()
    {
        if (!DeviceRequirements.RunOpenCl)
        {
            Skip = "No OpenCL device on this machine (install ocl-icd-libopencl1 and pocl-opencl-icd; CI sets KILN_REQUIRE_OPENCL=1 so this fails there).";
        }
    }
}

/// <summary>A fact that needs a CUDA GPU.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!DeviceRequirements.RunCuda)
        {
            Skip = "No CUDA device on this machine: " + CudaDevice.Absence + " (KILN_REQUIRE_CUDA=1 makes this a failure on a GPU machine).";
        }
    }
}

/// <summary>
/// A fact that needs a real CUDA GPU, not tests/CudaEmulator: recovering from a kernel fault there, after many launches
/// in one process, can crash the test host (seen in 2 of 3 full runs), so fault-and-recover tests skip on it.
/// </summary>
public sealed class CudaGpuFactAttribute : FactAttribute
{
    public CudaGpuFactAttribute()
    {
        if (!DeviceRequirements.RunCuda)
        {
            Skip = "No CUDA device on this machine: " + CudaDevice.Absence + " (KILN_REQUIRE_CUDA=1 makes this a failure on a GPU machine).";
        }
        else if (DeviceRequirements.HasCuda && CudaDevice.All[0].Info.Name.Contains("emulator", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "Needs a real GPU: the CUDA emulator does not yet recover reliably from a kernel fault after many launches.";
        }
    }
}

/// <summary>A fact that needs NVRTC (no GPU): it compiles the generated CUDA C to PTX.</summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    public NvrtcFactAttribute()
    {
        if (!DeviceRequirements.RunNvrtc)
        {
            Skip = "NVRTC is not installed: " + Nvrtc.Absence + " (Debian: libnvrtc11.2 from non-free; CI sets KILN_REQUIRE_NVRTC=1 so this fails there).";
        }
    }
}
