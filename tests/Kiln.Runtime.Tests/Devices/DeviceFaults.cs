using System;
using System.Threading;
using Kiln.Execution;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>The fault checks every device backend must pass, each backend naming its own call and error.</summary>
internal static class DeviceFaults
{
    /// <summary>A source that does not compile: the launch throws, naming the call, the code, the source and the log.</summary>
    public static void AssertCompileFailure(ComputeDevice device, string sourceName, string source, string call, string codeName)
    {
        DeviceException error = Assert.Throws<DeviceException>(() => device.Launch(
            sourceName, source, "broken", 16, 16, new[] { KernelArgument.Of(16) }, null, CancellationToken.None));
        Assert.Equal(call, error.Call);
        Assert.Equal(codeName, error.CodeName);
        Assert.Contains(sourceName, error.Message, StringComparison.Ordinal);
        Assert.Contains("error", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An allocation no device can satisfy: it throws, naming the call and the kernel it was for.</summary>
    public static DeviceException AssertOutOfMemory(ComputeDevice device, string call)
    {
        DeviceException error = Assert.Throws<DeviceException>(() => device.Allocate(1L << 50, "Tests.Huge"));
        Assert.Equal(call, error.Call);
        Assert.Contains("Tests.Huge", error.Message, StringComparison.Ordinal);
        return error;
    }
}
