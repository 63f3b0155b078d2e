global using ImmutableDiagnostics = System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostic>;
