using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Kiln.Execution;
using Kiln.Testing;
using Xunit;

namespace Kiln.Runtime.Tests.Devices;

/// <summary>Alone, so that no other test's OpenCL build changes the handlers while these look at them.</summary>
[CollectionDefinition(nameof(FaultSignalHandlers), DisableParallelization = true)]
public sealed class FaultSignalHandlers
{
}

/// <summary>
/// PoCL compiles kernels with LLVM in the process, and LLVM installs one-shot handlers for the fault signals in place of
/// the .NET runtime's (see FaultSignals in Kiln.Runtime). With them in place, two managed faults at once (a division by
/// zero, a null dereference) on two threads could kill the process: a test host died so in CI. These build fresh
/// kernels (new sources, so PoCL runs LLVM whatever its cache holds) and look at the handlers and at real faults.
/// </summary>
[Collection(nameof(FaultSignalHandlers))]
public class FaultSignalTests
{
    // SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV; struct sigaction keeps sa_flags at byte 136 on 64-bit Linux.
    private static readonly int[] Signals = { 4, 5, 6, 7, 8, 11 };
    private const int SigInfo = 0x4;
    private const uint ResetHand = 0x80000000;

    [LinuxOpenClFact]
    public void Building_and_launching_an_OpenCL_kernel_leaves_the_runtimes_fault_handlers_in_place()
    {
        for (int round = 0; round < 3; round++)
        {
            int[] result = BuildAndRun(round);
            Assert.Equal(Enumerable.Range(0, 64).Select(i => i + round).ToArray(), result);
            foreach (int signal in Signals)
            {
                int flags = Flags(signal);

                // The runtime's handlers take siginfo and stay; LLVM's are one-shot (SA_RESETHAND) without siginfo.
                Assert.True((flags & SigInfo) != 0 && ((uint)flags & ResetHand) == 0, $"round {round}: signal {signal} has flags 0x{flags:x8}, not the .NET runtime's handler");
            }
        }
    }

    // A smoke test of what users see, not a regression test: without the fix it passes too, since the window in which
    // a second fault kills the process lasts microseconds per build. The test above is the one that fails without it.
    [LinuxOpenClFact]
    public void Managed_faults_on_two_threads_after_OpenCL_builds_stay_managed_exceptions()
    {
        for (int round = 0; round < 5; round++)
        {
            BuildAndRun(100 + round);
            long divisions = 0;
            long dereferences = 0;
            Thread[] threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                for (int i = 0; i < 2000; i++)
                {
                    try
                    {
                        _ = Divide(i, 0);
                    }
                    catch (DivideByZeroException)
                    {
                        Interlocked.Increment(ref divisions);
                    }

                    try
                    {
                        _ = Length(null);
                    }
                    catch (NullReferenceException)
                    {
                        Interlocked.Increment(ref dereferences);
                    }
                }
            })).ToArray();
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.Equal(4000, Interlocked.Read(ref divisions));
            Assert.Equal(4000, Interlocked.Read(ref dereferences));
        }
    }

    // A source no earlier build in this process had, so PoCL compiles it with LLVM; run over 64 items.
    private static int[] BuildAndRun(int round)
    {
        ComputeDevice device = OpenClDevice.All[0];
        string name = $"Tests.FaultSignals.{Guid.NewGuid():N}";
        string source = $"__kernel void add(__global int* data, int length) {{ int i = get_global_id(0); if (i < length) data[i] = i + {round}; }} // {name}";
        using DeviceBuffer buffer = device.Allocate(64 * sizeof(int), name);
        device.Launch(name, source, "add", 64, 16, new[] { KernelArgument.Of(buffer), KernelArgument.Of(64) }, null, CancellationToken.None);
        var result = new int[64];
        device.Read<int>(buffer, result, name);
        return result;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Divide(int a, int b) => a / b;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Length(int[]? array) => array!.Length;

    private static int Flags(int signal)
    {
        var action = new byte[256];
        Assert.Equal(0, SignalAction(signal, IntPtr.Zero, action));
        return BitConverter.ToInt32(action, 136);
    }

    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern int SignalAction(int signal, IntPtr action, [Out] byte[] previous);
}

/// <summary>An OpenCL fact on 64-bit Linux, where the handlers are read with sigaction.</summary>
public sealed class LinuxOpenClFactAttribute : FactAttribute
{
    public LinuxOpenClFactAttribute()
    {
        if (!FaultSignals.Supported)
        {
            Skip = "Reads the fault signals' handlers with sigaction's 64-bit Linux layout (Linux on x64 or arm64 only).";
        }
        else if (new OpenClFactAttribute().Skip is { } skip)
        {
            Skip = skip;
        }
    }
}
