using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using Kiln.Execution;

namespace Kiln.Runtime.TestChild;

/// <summary>
/// Everything that names a <c>System.Diagnostics.DiagnosticSource</c> type, apart from <c>Main</c>: compiling
/// <c>Main</c> must not load that assembly before the unobserved runs have been checked.
/// </summary>
internal static class Listening
{
    /// <summary>Starts a listener for the Kiln source, runs the pipeline once and returns the names of its spans.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string RunOnce(int count, int expected)
    {
        var stopped = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KilnActivity.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => stopped.Enqueue(activity.OperationName),
        };
        ActivitySource.AddActivityListener(listener);
        int result = GateProbe.RunAsync(count).GetAwaiter().GetResult();
        if (result != expected)
        {
            throw new InvalidOperationException($"the traced run returned {result}, not {expected}");
        }

        return string.Join(",", stopped.Distinct().OrderBy(n => n, StringComparer.Ordinal));
    }
}
