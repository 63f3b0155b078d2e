using System;
using System.ComponentModel;

namespace Kiln.Execution
{
    /// <summary>
    /// What a durable pipeline's runs need to resume, computed at build time and emitted as constants: the pipeline's
    /// fingerprint and its graph over nodes, from which a resumed run works out which nodes the sinks still need. Only
    /// generated code creates it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class DurablePlan
    {
        /// <summary>Creates the plan.</summary>
        /// <param name="pipelineName">The pipeline's full name (namespace and class): its runs' key in a store.</param>
        /// <param name="fingerprint">Identifies the pipeline's version: its graph and its nodes' types.</param>
        /// <param name="order">The nodes in topological order.</param>
        /// <param name="vertexOf">Per node, the vertex it runs in (a fusion group or a group of stages runs as one).</param>
        /// <param name="successorOffsets">Per node, where its successors start in <paramref name="successors"/>; one extra entry at the end.</param>
        /// <param name="successors">The nodes that read each node's value or run after it.</param>
        public DurablePlan(string pipelineName, string fingerprint, int[] order, int[] vertexOf, int[] successorOffsets, int[] successors)
        {
            ArgumentException.ThrowIfNullOrEmpty(pipelineName);
            ArgumentException.ThrowIfNullOrEmpty(fingerprint);
            ArgumentNullException.ThrowIfNull(order);
            ArgumentNullException.ThrowIfNull(vertexOf);
            ArgumentNullException.ThrowIfNull(successorOffsets);
            ArgumentNullException.ThrowIfNull(successors);
            if (vertexOf.Length != order.Length || successorOffsets.Length != order.Length + 1)
            {
                throw new ArgumentException("order, vertexOf and successorOffsets must describe the same nodes.", nameof(successorOffsets));
            }

            PipelineName = pipelineName;
            Fingerprint = fingerprint;
            Order = order;
            VertexOf = vertexOf;
            SuccessorOffsets = successorOffsets;
            Successors = successors;
            int vertices = 0;
            foreach (int vertex in vertexOf)
            {
                vertices = Math.Max(vertices, vertex + 1);
            }

            VertexCount = vertices;
        }

        /// <summary>The pipeline's full name: its runs' key in a store.</summary>
        public string PipelineName { get; }

        /// <summary>Identifies the pipeline's version.</summary>
        public string Fingerprint { get; }

        /// <summary>The nodes in topological order.</summary>
        public int[] Order { get; }

        /// <summary>Per node, its vertex.</summary>
        public int[] VertexOf { get; }

        /// <summary>Per node, the start of its successors; the last entry is the end.</summary>
        public int[] SuccessorOffsets { get; }

        /// <summary>Successor nodes.</summary>
        public int[] Successors { get; }

        /// <summary>How many vertices the nodes run in.</summary>
        public int VertexCount { get; }

        /// <summary>
        /// Which nodes a resumed run does not run: per node, true when its vertex is not needed. A vertex is needed when
        /// one of its members was not restored and either ends a path (no successor: a sink, or a node run for its effect)
        /// or feeds a needed vertex. A vertex that runs runs whole: its restored members run again with it.
        /// </summary>
        /// <param name="restored">Per node, whether its output was restored from the store.</param>
        /// <returns>Per node, whether the run bypasses it.</returns>
        internal bool[] Bypass(bool[] restored)
        {
            var needed = new bool[VertexCount];
            bool changed;
            do
            {
                // Reverse topological order settles a chain in one pass; a vertex whose members interleave with other
                // nodes (a fusion group) may need one more, and the last pass changes nothing.
                changed = false;
                for (int i = Order.Length - 1; i >= 0; i--)
                {
                    int node = Order[i];
                    int vertex = VertexOf[node];
                    if (needed[vertex] || restored[node])
                    {
                        continue;
                    }

                    int start = SuccessorOffsets[node];
                    int end = SuccessorOffsets[node + 1];
                    bool need = start == end;
                    for (int s = start; s < end && !need; s++)
                    {
                        int successor = VertexOf[Successors[s]];
                        need = successor != vertex && needed[successor];
                    }

                    if (need)
                    {
                        needed[vertex] = true;
                        changed = true;
                    }
                }
            }
            while (changed);

            var bypass = new bool[Order.Length];
            for (int node = 0; node < bypass.Length; node++)
            {
                bypass[node] = !needed[VertexOf[node]];
            }

            return bypass;
        }
    }
}
