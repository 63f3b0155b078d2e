using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Maps;

/// <summary>
/// Watches <see cref="TaskScheduler.UnobservedTaskException"/> while the map and retry tests run, and checks after them,
/// once the finalizers have run, that no task of theirs failed unobserved.
/// </summary>
public sealed class UnobservedExceptionWatch : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public UnobservedExceptionWatch() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    public void Dispose()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        Assert.True(_seen.IsEmpty, "unobserved task exceptions: " + string.Join("; ", _seen));
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => _seen.Enqueue(e.Exception);
}

[CollectionDefinition(nameof(UnobservedExceptions))]
public sealed class UnobservedExceptions : ICollectionFixture<UnobservedExceptionWatch>
{
}
