using System.Runtime.CompilerServices;

namespace Kiln.Tests;

internal static class PoclCacheInitializer
{
    // Before any test touches OpenCL: this process gets a PoCL kernel cache of its own (Kiln.Testing.PoclCache).
    [ModuleInitializer]
    internal static void Initialize() => Kiln.Testing.PoclCache.IsolatePerProcess();
}
