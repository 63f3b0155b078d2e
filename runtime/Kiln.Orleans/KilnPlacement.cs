using System;
using System.Threading.Tasks;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Kiln.Orleans
{
    /// <summary>
    /// Places a Kiln node grain on the silo its key names (<c>address|slot</c>), so the caller decides the spread: every
    /// active silo in turn, and never again the silo a failed call went to. A silo that is no longer compatible (gone)
    /// gives way to a random one.
    /// </summary>
    [Serializable, GenerateSerializer, Immutable]
    internal sealed class KilnPlacementStrategy : PlacementStrategy
    {
        internal static readonly KilnPlacementStrategy Instance = new();
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    internal sealed class KilnPlacementAttribute : PlacementAttribute
    {
        public KilnPlacementAttribute() : base(KilnPlacementStrategy.Instance)
        {
        }
    }

    internal sealed class KilnPlacementDirector : IPlacementDirector
    {
        public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
        {
            SiloAddress[] compatible = context.GetCompatibleSilos(target);
            string key = target.GrainIdentity.Key.ToString() ?? string.Empty;
            int bar = key.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0)
            {
                string wanted = key.Substring(0, bar);
                foreach (SiloAddress silo in compatible)
                {
                    if (silo.ToParsableString() == wanted)
                    {
                        return Task.FromResult(silo);
                    }
                }
            }

            return Task.FromResult(compatible[Random.Shared.Next(compatible.Length)]);
        }
    }
}
