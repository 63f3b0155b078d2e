using System;
using System.Linq;
using Kiln.Execution;
using Xunit;

namespace Kiln.Testing;

/// <summary>
/// Which devices this machine has. A test that needs a missing one skips with the reason, unless the environment says
/// it must be there (<c>KILN_REQUIRE_OPENCL=1</c>, <c>KILN_REQUIRE_CUDA=1</c>, as CI sets them): then it runs and fails.
/// CUDA tests also run where <c>KILN_CUDA_ACCELERATOR=cpu</c> puts the generated ILGPU kernels on ILGPU's CPU
/// accelerator (set for the tests when no CUDA GPU is required: <see cref="CudaOnCpu"/>).
/// </summary>
public static class DeviceRequirements
{
    // Before anything probes devices: xUnit reads the Fact attributes (which ask RunOpenCl and RunCuda) before running
    // any test code, so before a test assembly's module initializer. The PoCL cache must be this process's own by then:
    // PoCL fixes its cache folder when the platform loads, and with the shared default folder, test assemblies that
    // dotnet test runs side by side raced on its temporary files ("unable to rename temporary", seen in CI-like runs).
    static DeviceRequirements()
    {
        PoclCache.IsolatePerProcess();
        CudaOnCpu.Configure();
    }

    public static bool HasOpenCl => Kiln.Devices.Available.Any(d => d.Kind == DeviceKind.OpenCl);

    public static bool HasCuda => Kiln.Devices.Available.Any(d => d.Kind == DeviceKind.Cuda);

    /// <summary>Whether DeviceKind.Cuda is ILGPU's CPU accelerator here (KILN_CUDA_ACCELERATOR=cpu), not a GPU.</summary>
    public static bool CudaOnCpuAccelerator => CudaDevice.CpuRequested;

    public static bool RequireOpenCl => Required("KILN_REQUIRE_OPENCL");

    public static bool RequireCuda => Required("KILN_REQUIRE_CUDA");

    /// <summary>Whether OpenCL tests run here: the device is present, or required (and then missing means failure).</summary>
    public static bool RunOpenCl => HasOpenCl || RequireOpenCl;

    public static bool RunCuda => HasCuda || RequireCuda;

    /// <summary>
    /// The longest stream a differential run puts on CUDA when DeviceKind.Cuda is ILGPU's CPU accelerator: three groups
    /// of <see cref="DeviceGroupSize"/> and a partial fourth (1,000 = 3 × 256 + 232). The accelerator runs each
    /// group's 256 threads as CPU threads that meet at every barrier, so on a 2-core machine one launch of a few groups
    /// takes tens to hundreds of milliseconds; longer streams run on CUDA only on a GPU. CPU and OpenCL take every length.
    /// </summary>
    public const int CudaOnCpuMaxLength = 1000;

    /// <summary>Threads per group of the generated device kernels.</summary>
    public const int DeviceGroupSize = DeviceContract.GroupSize;

    /// <summary>
    /// Whether a differential run of <paramref name="length"/> elements also runs on CUDA: always on a GPU; on ILGPU's CPU
    /// accelerator up to <see cref="CudaOnCpuMaxLength"/>, and only where <paramref name="onCpuAccelerator"/> (false
    /// for the cases a suite keeps for the CPU's own edges, such as vector widths, to keep the simulated runs few).
    /// </summary>
    public static bool RunCudaAt(int length, bool onCpuAccelerator = true) =>
        RunCuda && (!CudaOnCpuAccelerator || (onCpuAccelerator && length <= CudaOnCpuMaxLength));

    /// <summary>
    /// The device runs a differential test of <paramref name="length"/> elements adds to its CPU runs: fused and unfused
    /// on each device that runs here (CUDA as <see cref="RunCudaAt"/> says).
    /// </summary>
    public static KilnOptions[] DeviceOptions(int length, bool cudaOnCpuAccelerator = true) =>
        (RunOpenCl ? new[] { DeviceKind.OpenCl } : Array.Empty<DeviceKind>())
        .Concat(RunCudaAt(length, cudaOnCpuAccelerator) ? new[] { DeviceKind.Cuda } : Array.Empty<DeviceKind>())
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

/// <summary>A fact that needs a real CUDA GPU, not ILGPU's CPU accelerator (a context fault and reset, timings).</summary>
public sealed class CudaGpuFactAttribute : FactAttribute
{
    public CudaGpuFactAttribute()
    {
        if (DeviceRequirements.CudaOnCpuAccelerator)
        {
            Skip = "Needs a CUDA GPU: DeviceKind.Cuda is ILGPU's CPU accelerator here (KILN_CUDA_ACCELERATOR=cpu).";
        }
        else if (!DeviceRequirements.RunCuda)
        {
            Skip = "No CUDA device on this machine: " + CudaDevice.Absence + " (KILN_REQUIRE_CUDA=1 makes this a failure on a GPU machine).";
        }
    }
}

/// <summary>
/// Sets <c>KILN_CUDA_ACCELERATOR=cpu</c> for a test assembly unless a CUDA GPU is required (<c>KILN_REQUIRE_CUDA=1</c>)
/// or the variable is already set: then every CUDA test runs the generated ILGPU kernels on ILGPU's CPU accelerator.
/// <see cref="DeviceRequirements"/> calls it before its first answer, so before anything probes devices.
/// </summary>
public static class CudaOnCpu
{
    public static void Configure()
    {
        if (!DeviceRequirements.RequireCuda && Environment.GetEnvironmentVariable(CudaDevice.AcceleratorVariable) is null)
        {
            Environment.SetEnvironmentVariable(CudaDevice.AcceleratorVariable, "cpu");
        }
    }
}
