using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace Kiln.DeviceCheck;

/// <summary>
/// Runs the kernel differential suites and the GPU benchmarks on one device and prints one line per suite
/// (<c>PASS name n/n</c> or <c>FAIL name ...</c>), the benchmark table and a summary; exits 1 on any failure.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: Kiln.DeviceCheck [--device cpu|opencl|cuda] [--scale S] [--quick] [--suites-only|--bench-only] [--repetitions N]\n" +
        "  --device       where kernels run (default: KILN_DEVICE, else Auto)\n" +
        "  --scale S      benchmark size: S x 64M floats (default 1; --quick: 1/64)\n" +
        "  --quick        short suites and benchmarks, for CI\n" +
        "  --repetitions  measured runs per benchmark (default 10; --quick: 3)";

    public static async Task<int> Main(string[] args)
    {
        DeviceKind device = DeviceKind.Auto;
        string? fromEnvironment = Environment.GetEnvironmentVariable("KILN_DEVICE");
        bool quick = false, suites = true, bench = true;
        double? scale = null;
        int? repetitions = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                device = ParseDevice(fromEnvironment);
            }

            for (int a = 0; a < args.Length; a++)
            {
                switch (args[a])
                {
                    case "--device": device = ParseDevice(args[++a]); break;
                    case "--scale": scale = double.Parse(args[++a], CultureInfo.InvariantCulture); break;
                    case "--quick": quick = true; break;
                    case "--suites-only": bench = false; break;
                    case "--bench-only": suites = false; break;
                    case "--repetitions": repetitions = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown argument '{args[a]}'");
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        int length = (int)Math.Max(1024, Math.Min(Array.MaxLength, (64L << 20) * (scale ?? (quick ? 1.0 / 64 : 1))));
        int reps = repetitions ?? (quick ? 3 : 10);
        Console.WriteLine($"Kiln.DeviceCheck: device {device}, {(quick ? "quick" : "full")}, {Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var total = Stopwatch.StartNew();
        int failed = 0, passed = 0;

        // The first run in this process comes before anything else touches the device.
        var benchmarks = new Benchmarks(device, length, reps, quick ? 50 : 500);
        float[]? input = null;
        if (bench)
        {
            input = Benchmarks.ChainInput(length);
            try
            {
                await benchmarks.MeasureFirstRun(input);
            }
            catch (Exception e)
            {
                // The suites still run: on a GPU lent for minutes, every line of evidence counts.
                Console.WriteLine($"FAIL first-run {e.GetType().Name}: {e.Message}" + (e.InnerException is null ? "" : $" ({e.InnerException.GetType().Name}: {e.InnerException.Message})"));
                failed++;
                bench = false;
            }
        }

        if (suites)
        {
            foreach ((string name, Func<Check, Task> run) in new Suites(device, quick).All)
            {
                Check check = await RunSuite(name, run);
                failed += check.Failures.Count > 0 ? 1 : 0;
                passed += check.Failures.Count > 0 ? 0 : 1;
            }
        }

        if (bench)
        {
            Check? check = null;
            var clock = Stopwatch.StartNew();
            try
            {
                check = await benchmarks.Run(input!);
            }
            catch (Exception e)
            {
                Console.WriteLine($"FAIL benchmarks {e.GetType().Name}: {e.Message}");
                failed++;
            }

            if (check is not null)
            {
                Report(check, clock.Elapsed.TotalSeconds);
                failed += check.Failures.Count > 0 ? 1 : 0;
                passed += check.Failures.Count > 0 ? 0 : 1;
            }

            benchmarks.PrintTable(Console.WriteLine);
        }

        Console.WriteLine($"SUMMARY {(failed == 0 ? "PASS" : "FAIL")}: {passed} passed, {failed} failed, device {device}, {total.Elapsed.TotalSeconds:F1} s");
        return failed == 0 ? 0 : 1;
    }

    private static async Task<Check> RunSuite(string name, Func<Check, Task> run)
    {
        var check = new Check(name);
        var clock = Stopwatch.StartNew();
        try
        {
            await run(check);
        }
        catch (Exception e)
        {
            // An unexpected exception fails the suite, with its type and message on the FAIL line.
            check.Expect(false, $"threw {e.GetType().Name}: {e.Message}" + (e.InnerException is null ? "" : $" ({e.InnerException.GetType().Name}: {e.InnerException.Message})"));
        }

        Report(check, clock.Elapsed.TotalSeconds);
        return check;
    }

    private static void Report(Check check, double seconds)
    {
        string time = string.Create(CultureInfo.InvariantCulture, $"({seconds:F1} s)");
        if (check.Failures.Count == 0)
        {
            Console.WriteLine($"PASS {check.Name} {check.Passed}/{check.Total} {time}");
        }
        else
        {
            Console.WriteLine($"FAIL {check.Name} {check.Passed}/{check.Total} {time}");
            foreach (string failure in check.Failures)
            {
                Console.WriteLine("     " + failure);
            }
        }

        foreach (string note in check.Notes)
        {
            Console.WriteLine("     " + note);
        }
    }

    private static DeviceKind ParseDevice(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cpu" => DeviceKind.Cpu,
        "opencl" => DeviceKind.OpenCl,
        "cuda" => DeviceKind.Cuda,
        "auto" => DeviceKind.Auto,
        _ => throw new ArgumentException($"device '{name}': use cpu, opencl or cuda"),
    };
}
