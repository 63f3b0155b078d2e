using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Kiln.Testing
{
    /// <summary>
    /// Gives this test process a PoCL kernel cache of its own. <c>dotnet test</c> runs test assemblies in parallel, and two
    /// processes compiling the same kernel at once write the same cache files. (The "unable to rename temporary" build
    /// failures and the test host crash first blamed on that came from LLVM's signal handlers: see FaultSignals in
    /// Kiln.Runtime.) Call it before any OpenCL call; a cache directory set by the user is kept.
    /// </summary>
    public static partial class PoclCache
    {
        public static void IsolatePerProcess()
        {
            if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable("POCL_CACHE_DIR") is not null)
            {
                return;
            }

            string directory = Path.Combine(Path.GetTempPath(), $"kiln-pocl-cache-{Environment.ProcessId}");
            Directory.CreateDirectory(directory);

            // PoCL reads the native environment; .NET's Environment.SetEnvironmentVariable does not reach it.
            _ = SetEnvironment("POCL_CACHE_DIR", directory, 1);
            Environment.SetEnvironmentVariable("POCL_CACHE_DIR", directory);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(directory);
        }

        private static void TryDelete(string directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A kernel file still open at exit: the temp folder keeps it; nothing depends on it.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }

        [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        private static partial int SetEnvironment(string name, string value, int overwrite);
    }
}
