using System.Runtime.CompilerServices;
using BenchmarkDotNet.Running;

namespace Kiln.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        // Cold-start modes start nothing of BenchmarkDotNet: a child process must measure Kiln's first run, not BDN's.
        if (args.Length > 0 && args[0] == "cold")
        {
            return ColdStart.Drive(args);
        }

        if (args.Length > 0 && args[0] is "cold-run" or "cold-jit")
        {
            return ColdStart.RunChild(args);
        }

        RunBenchmarkDotNet(args);
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunBenchmarkDotNet(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
