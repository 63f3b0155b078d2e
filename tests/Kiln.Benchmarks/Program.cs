using BenchmarkDotNet.Running;

namespace Kiln.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["--quick"])
        {
            QuickCheck.Run();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
