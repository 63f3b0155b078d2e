namespace Kiln.Analyzers.Tests;

/// <summary>Text shared by test sources.</summary>
internal static class Sources
{
    /// <summary>The usings every test source starts with (test compilations have no implicit usings).</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Kiln;

        """;
}
