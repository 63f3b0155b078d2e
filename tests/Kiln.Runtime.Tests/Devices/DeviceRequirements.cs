using System;
using System.Linq;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>
/// Which devices this machine has. A test that needs a missing device skips with the reason, unless CI says the device
/// must be there (<c>KILN_REQUIRE_OPENCL=1</c>, <c>KILN_REQUIRE_CUDA=1</c>): then it runs and fails.
/// </summary>
public static class DeviceRequirements
{
    public static bool HasOpenCl => Kiln.Devices.Available.Any(d => d.Kind == DeviceKind.OpenCl);

    public static bool HasCuda => Kiln.Devices.Available.Any(d => d.Kind == DeviceKind.Cuda);

    public static bool RequireOpenCl => Environment.GetEnvironmentVariable("KILN_REQUIRE_OPENCL") == "1";

    public static bool RequireCuda => Environment.GetEnvironmentVariable("KILN_REQUIRE_CUDA") == "1";

    /// <summary>Whether OpenCL tests run here: the device is present, or required (and then missing means failure).</summary>
    public static bool RunOpenCl => HasOpenCl || RequireOpenCl;

    public static bool RunCuda => HasCuda || RequireCuda;
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
            Skip = "No CUDA driver or GPU on this machine (KILN_REQUIRE_CUDA=1 makes this a failure on a GPU machine).";
        }
    }
}
