using System;
using System.Diagnostics;
using System.IO;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kiln.Stores.Tests;

/// <summary>A SQLite file in a temporary folder of its own, for the tests that kill its writer; disposing deletes the folder.</summary>
internal sealed class TempSqliteFile : IDisposable
{
    private readonly DirectoryInfo _directory;

    public TempSqliteFile(string prefix)
    {
        _directory = Directory.CreateTempSubdirectory(prefix);
        Path = System.IO.Path.Combine(_directory.FullName, "runs.db");
    }

    public string Path { get; }

    /// <summary>Asserts that SQLite finds the file sound (<c>PRAGMA integrity_check</c>) after the kills.</summary>
    public void AssertIntact()
    {
        using var connection = new SqliteConnection("Data Source=" + Path + ";Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", check.ExecuteScalar());
    }

    public void Dispose() => _directory.Delete(recursive: true);
}

/// <summary>Starts <c>Kiln.Stores.CrashChild</c>, the process the crash tests kill with SIGKILL.</summary>
internal static class CrashChild
{
    public static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "Kiln.Stores.CrashChild.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("the crash child did not start");
    }
}
