using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Kiln.Testing
{
    /// <summary>
    /// What a test compilation of Microsoft.CodeAnalysis.Testing references: the .NET 10 reference assemblies this
    /// project was built against, and Kiln.Runtime (where the attributes live).
    /// </summary>
    /// <remarks>
    /// <para>
    /// <c>ReferenceAssemblies.Net.Net90</c> and its kin are not served here, and a
    /// <c>new ReferenceAssemblies("net10.0", new PackageIdentity("Microsoft.NETCore.App.Ref", ...), ...)</c> downloads
    /// that package when the tests run, through NuGet's client inside the test process: it fails offline, on a feed
    /// that lacks the exact version, and it writes a package cache of its own. Instead the build records the folder of
    /// the Microsoft.NETCore.App reference assemblies it compiled this project against (see Kiln.Testing.csproj; the
    /// SDK's own targeting pack, <c>&lt;dotnet root&gt;/packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/net10.0</c>),
    /// so a test needs nothing that the build did not already have. <see cref="Assemblies"/> is therefore an empty
    /// <see cref="Microsoft.CodeAnalysis.Testing.ReferenceAssemblies"/> (no package: it resolves to nothing and never
    /// touches a feed), and the tests add <see cref="All"/> to each project themselves.
    /// </para>
    /// </remarks>
    public static class KilnReferences
    {
        private const string FolderKey = "KilnNetCoreReferenceAssemblies";

        /// <summary>The folder of the .NET reference assemblies (recorded at build time).</summary>
        public static string NetCoreFolder { get; } = FindNetCoreFolder();

        /// <summary>A target framework with no package of its own: resolves to no reference, offline.</summary>
        public static ReferenceAssemblies Assemblies { get; } = new("net10.0");

        /// <summary>Every .NET reference assembly of <see cref="NetCoreFolder"/>, then Kiln.Runtime.</summary>
        public static ImmutableArray<MetadataReference> All { get; } = Directory.GetFiles(NetCoreFolder, "*.dll")
            .Order(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(PipelineAttribute).Assembly.Location))
            .ToImmutableArray();

        private static string FindNetCoreFolder()
        {
            string? folder = typeof(KilnReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == FolderKey)?.Value;
            if (folder is null)
            {
                throw new InvalidOperationException($"Kiln.Testing was built without its {FolderKey} attribute (see Kiln.Testing.csproj).");
            }

            if (!File.Exists(Path.Combine(folder, "System.Runtime.dll")))
            {
                throw new InvalidOperationException($"The .NET reference assemblies Kiln.Testing was built against are gone from {folder}: rebuild the tests.");
            }

            return folder;
        }
    }
}
