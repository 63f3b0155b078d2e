using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kiln.Testing;
using Microsoft.CodeAnalysis;

namespace Kiln.Generators.Tests.Robustness;

/// <summary>
/// Compiles a source with Kiln's generator and analyzers, the way <c>dotnet build</c> does: what the generated files
/// add to the compilation (errors and warnings, which a project with warnings as errors would also fail on) and
/// which KILN diagnostics the analyzers report.
/// </summary>
internal sealed record GeneratedCodeCheck(GeneratedResult Result, IReadOnlyList<Diagnostic> GeneratedProblems, IReadOnlyCollection<string> KilnIds)
{
    public static GeneratedCodeCheck Of(params string[] sources)
    {
        GeneratedResult result = KilnCompilation.Generate(sources);
        var inputTrees = new HashSet<SyntaxTree>(result.Input.SyntaxTrees);
        var problems = result.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !inputTrees.Contains(tree))
            .Concat(result.GeneratorDiagnostics)
            .Concat(result.RunResult.Results.Where(r => r.Exception is not null).Select(r => Diagnostic.Create("KILNTEST", "Generator", "the generator threw " + r.Exception, DiagnosticSeverity.Error, DiagnosticSeverity.Error, true, 0)))
            .ToList();
        ImmutableArray<Diagnostic> analyzed = KilnCompilation.Analyze(result.Output);
        var ids = analyzed.Where(d => d.Id.StartsWith("KILN", System.StringComparison.Ordinal) || d.Id == "AD0001").Select(d => d.Id).ToHashSet();
        return new GeneratedCodeCheck(result, problems, ids);
    }

    public string Describe() =>
        string.Join("\n", GeneratedProblems.Select(d => d.ToString()))
        + "\nKILN reported: " + string.Join(", ", KilnIds.OrderBy(i => i))
        + "\nGenerated:\n" + string.Join("\n", Result.Sources.Values);
}
