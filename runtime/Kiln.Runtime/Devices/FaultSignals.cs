using System;
using System.Runtime.InteropServices;

namespace Kiln.Execution
{
    /// <summary>
    /// Keeps the .NET runtime's handlers for the fault signals while PoCL compiles kernels in this process.
    /// </summary>
    /// <remarks>
    /// PoCL builds OpenCL C with LLVM in-process, and the first time LLVM writes a temporary file it installs its own
    /// handlers for SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE and SIGSEGV (<c>RemoveFileOnSignal</c>), one-shot
    /// (<c>SA_RESETHAND</c>), in place of the runtime's, and keeps them after the build. The runtime turns those signals
    /// into NullReferenceException and DivideByZeroException, so from then on every such managed exception, on any
    /// thread, first runs LLVM's handler: the kernel resets the signal to its default action, LLVM deletes the temporary
    /// files of any build in flight (a build fails with "unable to rename temporary") and puts the runtime's handlers
    /// back. A second fault on another thread in that window kills the process (a test host died so, with nothing on
    /// stderr). Restoring the runtime's handlers after each build or launch closes that for good: LLVM thinks its
    /// handlers are still installed and never installs them again, unless a fault reached one during the build that
    /// installed it. Linux on x64 and arm64 only (<see cref="Supported"/>): the struct layout below is theirs, and no
    /// other OS's PoCL was seen to do this.
    /// </remarks>
    internal static unsafe partial class FaultSignals
    {
        // SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV on Linux (x64 and arm64 alike).
        private static readonly int[] s_signals = { 4, 5, 6, 7, 8, 11 };

        // struct sigaction on 64-bit Linux (glibc and musl): the handler (8 bytes), sa_mask (128), sa_flags (int),
        // sa_restorer; 152 bytes on x64 and arm64. Read and written whole, with room to spare.
        private const int ActionSize = 256;
        private const int FlagsOffset = 136;
        private const int ResetHand = unchecked((int)0x80000000);

        private static byte[]? s_runtime;

        /// <summary>Linux on x64 or arm64, where struct sigaction has the layout above (glibc and musl alike).</summary>
        public static bool Supported =>
            OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

        /// <summary>
        /// Records the runtime's handlers. Call before the OpenCL driver loads; where they already look like LLVM's
        /// one-shot handlers (PoCL loaded by other code first), nothing is recorded and <see cref="Restore"/> does nothing.
        /// </summary>
        public static void Record()
        {
            if (!Supported || s_runtime is not null)
            {
                return;
            }

            var actions = new byte[s_signals.Length * ActionSize];
            fixed (byte* all = actions)
            {
                for (int i = 0; i < s_signals.Length; i++)
                {
                    byte* action = all + (i * ActionSize);
                    if (SignalAction(s_signals[i], null, action) != 0 || (*(int*)(action + FlagsOffset) & ResetHand) != 0)
                    {
                        return;
                    }
                }
            }

            s_runtime = actions;
        }

        /// <summary>
        /// Puts back the handler recorded by <see cref="Record"/> for each fault signal that now has a one-shot
        /// (<c>SA_RESETHAND</c>) handler in its place, as LLVM's are.
        /// </summary>
        public static void Restore()
        {
            byte[]? runtime = s_runtime;
            if (runtime is null)
            {
                return;
            }

            byte* current = stackalloc byte[ActionSize];
            fixed (byte* all = runtime)
            {
                for (int i = 0; i < s_signals.Length; i++)
                {
                    byte* expected = all + (i * ActionSize);
                    // Only a one-shot handler is replaced: a handler someone installed on purpose since (a crash
                    // reporter's, say) stays.
                    if (SignalAction(s_signals[i], null, current) == 0
                        && (*(int*)(current + FlagsOffset) & ResetHand) != 0
                        && *(IntPtr*)current != *(IntPtr*)expected)
                    {
                        SignalAction(s_signals[i], expected, null);
                    }
                }
            }
        }

        [LibraryImport("libc", EntryPoint = "sigaction")]
        private static partial int SignalAction(int signal, byte* action, byte* previous);
    }
}
