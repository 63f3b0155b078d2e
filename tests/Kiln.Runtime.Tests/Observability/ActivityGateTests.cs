using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Observability;

/// <summary>
/// A process nobody traces must not pay for <c>System.Diagnostics.DiagnosticSource</c>'s initialization (20–30 ms of
/// a first run), and a listener started later must still see the next run. Checked in a fresh process
/// (<c>Kiln.Runtime.TestChild</c>, built optimized): this test host has long loaded that assembly.
/// </summary>
public class ActivityGateTests
{
    // Tier-1 recompilation (and the inlining it does) from the first calls instead of after 100 ms of quiet, so that it
    // happens within the child's runs; everything optimized from the start; and runs a progress reporter observes.
    [Theory]
    [InlineData("DOTNET_TC_CallCountingDelayMs", "0", false)]
    [InlineData("DOTNET_TieredCompilation", "0", false)]
    [InlineData("DOTNET_TC_CallCountingDelayMs", "0", true)]
    public async Task An_untraced_process_never_loads_DiagnosticSource_and_a_later_listener_sees_the_next_run(string variable, string value, bool progress)
    {
        string listing = Path.Combine(AppContext.BaseDirectory, "kiln-test-child.txt");
        Assert.True(File.Exists(listing), $"{listing} is written when the test project builds the test child (KilnBuildTestChild)");
        string child = File.ReadAllLines(listing).Single(l => l.Length > 0);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(child);
        start.ArgumentList.Add("activity-gate");
        start.ArgumentList.Add("300");
        if (progress)
        {
            start.ArgumentList.Add("progress");
        }

        start.Environment[variable] = value;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("the test child did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
            string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"the test child exited with {process.ExitCode}: {output} {await error}");

            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(
                new[] { "loaded False", "spans GateProbe,Items,Largest,Report,Square,Square attempt,Sum" },
                lines);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
