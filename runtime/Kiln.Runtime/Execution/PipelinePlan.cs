using System;
using System.ComponentModel;

namespace Kiln.Execution
{
    /// <summary>
    /// The schedule of a pipeline, computed at build time and emitted as constants. The executor works on units:
    /// a unit is a chain of nodes that runs inline on one thread.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PipelinePlan
    {
        /// <summary>Creates a plan. Only generated code calls this.</summary>
        /// <param name="name">The pipeline's name.</param>
        /// <param name="joinedNodeNames">
        /// Node names, indexed by node, joined by commas (identifiers hold none): one string literal in generated code,
        /// where an array of a thousand literals is a thousand string loads for the JIT on the first run.
        /// </param>
        /// <param name="joinCounts">Per unit, how many units must finish before it starts.</param>
        /// <param name="successorOffsets">Per unit, where its successors start in <paramref name="successors"/>; one extra entry at the end.</param>
        /// <param name="successors">Successor units, each unit's run sorted by priority, the highest first.</param>
        /// <param name="sources">Units with no predecessor, highest priority first.</param>
        /// <param name="usesCancellation">Whether any node takes a <see cref="System.Threading.CancellationToken"/>.</param>
        /// <param name="nodeKinds">Per node, its kind; null means every node is a task.</param>
        /// <param name="nodeGroups">Per node, the fusion group it runs in, or null.</param>
        public PipelinePlan(
            string name,
            string joinedNodeNames,
            int[] joinCounts,
            int[] successorOffsets,
            int[] successors,
            int[] sources,
            bool usesCancellation,
            NodeKind[]? nodeKinds = null,
            string?[]? nodeGroups = null)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(joinCounts);
            ArgumentNullException.ThrowIfNull(successorOffsets);
            ArgumentNullException.ThrowIfNull(successors);
            ArgumentNullException.ThrowIfNull(sources);
            if (successorOffsets.Length != joinCounts.Length + 1)
            {
                throw new ArgumentException("successorOffsets needs one entry per unit and one more.", nameof(successorOffsets));
            }

            Name = name;
            NodeNames = SplitNames(joinedNodeNames);
            JoinCounts = joinCounts;
            SuccessorOffsets = successorOffsets;
            Successors = successors;
            Sources = sources;
            UsesCancellation = usesCancellation;
            NodeKinds = nodeKinds;
            NodeGroups = nodeGroups;
        }

        private static string[] SplitNames(string joinedNodeNames)
        {
            ArgumentNullException.ThrowIfNull(joinedNodeNames);
            return joinedNodeNames.Length == 0 ? Array.Empty<string>() : joinedNodeNames.Split(',');
        }

        /// <summary>Per node, its kind; null when every node is a task.</summary>
        public NodeKind[]? NodeKinds { get; }

        /// <summary>Per node, the name of the fusion group it runs in (null entries for nodes outside groups).</summary>
        public string?[]? NodeGroups { get; }

        internal NodeKind KindOf(int node) => NodeKinds is null ? NodeKind.Task : NodeKinds[node];

        internal string? GroupOf(int node) => NodeGroups?[node];

        internal bool IsKernel(int node) => KindOf(node) is NodeKind.Kernel or NodeKind.Reduce;

        /// <summary>Whether any node is a kernel or reduction, so a run picks a device.</summary>
        public bool HasKernels => NodeGroups is not null;

        /// <summary>The pipeline's name.</summary>
        public string Name { get; }

        /// <summary>Node names, indexed by node.</summary>
        public string[] NodeNames { get; }

        /// <summary>Per unit, the number of units that must finish before it starts.</summary>
        public int[] JoinCounts { get; }

        /// <summary>Per unit, the start of its successors; the last entry is the end.</summary>
        public int[] SuccessorOffsets { get; }

        /// <summary>Successor units.</summary>
        public int[] Successors { get; }

        /// <summary>Units with no predecessor.</summary>
        public int[] Sources { get; }

        /// <summary>Whether any node takes the run's cancellation token.</summary>
        public bool UsesCancellation { get; }

        /// <summary>The number of units.</summary>
        public int UnitCount => JoinCounts.Length;
    }
}
