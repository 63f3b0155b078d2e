using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
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
    private static readonly string s_child = typeof(ActivityGateTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "KilnTestChild").Value!;

    [Fact]
    public async Task An_untraced_process_never_loads_DiagnosticSource_and_a_later_listener_sees_the_next_run()
    {
        Assert.True(File.Exists(s_child), $"the test child is built by the test project's reference: {s_child}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(s_child);
        start.ArgumentList.Add("activity-gate");
        start.ArgumentList.Add("300");

        // Tier-1 recompilation (and the inlining it does) starts at once instead of after 100 ms of quiet, so it
        // happens within the child's runs and the pause between them.
        start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("the test child did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Task<string> error = child.StandardError.ReadToEndAsync(timeout.Token);
        string output = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        Assert.True(child.ExitCode == 0, $"the test child exited with {child.ExitCode}: {output} {await error}");

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            new[] { "loaded False", "spans GateProbe,Items,Largest,Report,Square,Square attempt,Sum" },
            lines);
    }
}
