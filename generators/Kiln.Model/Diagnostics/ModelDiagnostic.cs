namespace Kiln.Model
{
    /// <summary>Where a problem is reported; the analyzer turns it into a source location.</summary>
    public enum DiagnosticTarget
    {
        /// <summary>The pipeline class's identifier.</summary>
        Type,
        /// <summary>The node method's identifier.</summary>
        Method,
        /// <summary>The parameter <see cref="ModelDiagnostic.Parameter"/> of the node.</summary>
        Parameter,
        /// <summary>The argument of <c>[From]</c> on parameter <see cref="ModelDiagnostic.Parameter"/>.</summary>
        FromArgument,
        /// <summary>Argument <see cref="ModelDiagnostic.Argument"/> of <c>[After]</c> attribute <see cref="ModelDiagnostic.Attribute"/>.</summary>
        AfterArgument,
        /// <summary>The name argument of the node's <c>[When]</c>.</summary>
        WhenArgument,
        /// <summary>The node's <c>[When]</c> attribute as a whole.</summary>
        WhenAttribute,
        /// <summary>The user's member of the pipeline class named <c>Arguments[0]</c>.</summary>
        Member,
    }

    /// <summary>A problem found in a pipeline, independent of syntax so that it caches and can be tested alone.</summary>
    /// <param name="Id">The diagnostic id, e.g. KILN004.</param>
    /// <param name="Target">What to report it at.</param>
    /// <param name="Node">The node index, or -1 for the class.</param>
    /// <param name="Parameter">The parameter index, or -1.</param>
    /// <param name="Attribute">The <c>[After]</c> attribute index, or -1.</param>
    /// <param name="Argument">The argument index within it, or -1.</param>
    /// <param name="Arguments">The message's format arguments.</param>
    /// <param name="Suggestion">A replacement a code fix can offer (KILN006: the closest node name).</param>
    public sealed record ModelDiagnostic(
        string Id,
        DiagnosticTarget Target,
        int Node,
        int Parameter,
        int Attribute,
        int Argument,
        EquatableArray<string> Arguments,
        string? Suggestion = null);
}
