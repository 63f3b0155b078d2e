using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Kiln.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Kiln.Analyzers.Tests;

/// <summary>
/// Every diagnostic has its page under docs/diagnostics, and carries no help link: Kiln has no public home for those
/// pages, and a link must lead where the page really is (docs/design.md, "Analyzers and code fixes").
/// </summary>
public class HelpLinkTests
{
    public static IEnumerable<object[]> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => new object[] { ((DiagnosticDescriptor)f.GetValue(null)!).Id });

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void Each_diagnostic_has_its_page_in_docs_diagnostics_and_no_help_link_to_nowhere(string id)
    {
        DiagnosticDescriptor descriptor = Find(id);

        Assert.Equal(string.Empty, descriptor.HelpLinkUri);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md")), $"docs/diagnostics/{id}.md is missing");
    }

    [Fact]
    public void The_analyzers_report_no_help_link()
    {
        Assert.All(
            new DiagnosticAnalyzer[] { new PipelineAnalyzer(), new KernelAnalyzer() }.SelectMany(a => a.SupportedDiagnostics),
            d => Assert.Equal(string.Empty, d.HelpLinkUri));
    }

    [Fact]
    public void Every_id_of_the_spec_has_a_descriptor()
    {
        string[] spec =
        {
            "KILN001", "KILN002", "KILN003", "KILN004", "KILN005", "KILN006", "KILN007", "KILN008", "KILN009", "KILN010",
            "KILN011", "KILN012", "KILN013", "KILN014", "KILN015", "KILN016", "KILN017", "KILN018", "KILN019", "KILN020", "KILN101", "KILN102", "KILN103", "KILN104", "KILN105", "KILN106", "KILN107", "KILN200",
        };

        Assert.Equal(spec, Descriptors().Select(d => (string)d[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_pipeline_analyzer_supports_exactly_the_declaration_signature_binding_and_fusion_rules()
    {
        var ids = new PipelineAnalyzer().SupportedDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal);

        Assert.Equal(new[] { "KILN001", "KILN002", "KILN003", "KILN004", "KILN005", "KILN006", "KILN007", "KILN008", "KILN009", "KILN010", "KILN011", "KILN012", "KILN013", "KILN014", "KILN015", "KILN016", "KILN017", "KILN018", "KILN019", "KILN020", "KILN200" }, ids);
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
