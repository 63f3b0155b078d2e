using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>Every diagnostic links to its page under docs/diagnostics, and the page exists.</summary>
public class HelpLinkTests
{
    public static IEnumerable<object[]> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => new object[] { ((DiagnosticDescriptor)f.GetValue(null)!).Id });

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void The_help_link_points_at_an_existing_page_in_docs_diagnostics(string id)
    {
        DiagnosticDescriptor descriptor = Find(id);

        Assert.EndsWith($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md")), $"docs/diagnostics/{id}.md is missing");
    }

    [Fact]
    public void Every_id_of_the_spec_has_a_descriptor()
    {
        string[] spec =
        {
            "KILN001", "KILN002", "KILN003", "KILN004", "KILN005", "KILN006", "KILN007", "KILN008", "KILN009", "KILN010",
            "KILN011", "KILN012", "KILN017", "KILN018", "KILN019", "KILN101", "KILN102", "KILN103", "KILN104", "KILN105", "KILN106", "KILN107", "KILN200",
        };

        Assert.Equal(spec, Descriptors().Select(d => (string)d[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_pipeline_analyzer_supports_exactly_the_declaration_signature_binding_and_fusion_rules()
    {
        var ids = new PipelineAnalyzer().SupportedDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal);

        Assert.Equal(new[] { "KILN001", "KILN002", "KILN003", "KILN004", "KILN005", "KILN006", "KILN007", "KILN008", "KILN009", "KILN010", "KILN011", "KILN012", "KILN017", "KILN018", "KILN019", "KILN200" }, ids);
    }

    private static DiagnosticDescriptor Find(string id) =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<DiagnosticDescriptor>()
            .Single(d => d.Id == id);

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Framework.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Framework.sln not found above " + AppContext.BaseDirectory);
    }
}
