using System;
using System.Reflection;
using Kiln.Orleans;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Hosting
{
    /// <summary>Adds Kiln's distributed nodes to a silo.</summary>
    public static class KilnSiloBuilderExtensions
    {
        /// <summary>
        /// Lets this silo run the distributed nodes (<c>[Task(Distributed = true)]</c>, <c>[Map(Distributed = true)]</c>) of the
        /// pipelines compiled into <paramref name="assemblies"/>, or, when none are given, into the assemblies loaded in the
        /// process when the first call arrives. A silo runs nothing else: a call names a pipeline and a node of a table the
        /// generator wrote into those assemblies.
        /// </summary>
        /// <param name="builder">The silo.</param>
        /// <param name="assemblies">The assemblies holding the pipelines; empty for every loaded assembly.</param>
        /// <returns>The builder.</returns>
        public static ISiloBuilder AddKiln(this ISiloBuilder builder, params Assembly[] assemblies)
        {
            ArgumentNullException.ThrowIfNull(builder);
            ArgumentNullException.ThrowIfNull(assemblies);
            builder.Services.AddSingleton(new KilnNodes(assemblies));
            builder.AddPlacementDirector<KilnPlacementStrategy, KilnPlacementDirector>();
            return builder;
        }
    }
}
