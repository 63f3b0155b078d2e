using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>
    /// Graph algorithms over a pipeline's nodes: topological order, cycles with their paths, waves, the critical
    /// path by cost, and chains. Iterative throughout, so a pipeline of any depth cannot overflow the stack.
    /// </summary>
    public sealed class GraphAnalysis
    {
        private readonly int _count;
        private readonly List<int>[] _successors;
        private readonly List<int>[] _predecessors;

        public GraphAnalysis(int nodeCount, IEnumerable<(int From, int To)> edges)
        {
            _count = nodeCount;
            _successors = new List<int>[nodeCount];
            _predecessors = new List<int>[nodeCount];
            for (int i = 0; i < nodeCount; i++)
            {
                _successors[i] = new List<int>();
                _predecessors[i] = new List<int>();
            }

            var seen = new HashSet<(int, int)>();
            foreach (var (from, to) in edges)
            {
                if (seen.Add((from, to)))
                {
                    _successors[from].Add(to);
                    _predecessors[to].Add(from);
                }
            }
        }

        public IReadOnlyList<int> SuccessorsOf(int node) => _successors[node];

        public IReadOnlyList<int> PredecessorsOf(int node) => _predecessors[node];

        /// <summary>Kahn's algorithm, lowest index first among ready nodes. Nodes on or behind a cycle are left out.</summary>
        public List<int> TopologicalOrder()
        {
            var remaining = new int[_count];
            var ready = new SortedSet<int>();
            for (int i = 0; i < _count; i++)
            {
                remaining[i] = _predecessors[i].Count;
                if (remaining[i] == 0)
                {
                    ready.Add(i);
                }
            }

            var order = new List<int>(_count);
            while (ready.Count > 0)
            {
                int node = ready.Min;
                ready.Remove(node);
                order.Add(node);
                foreach (int successor in _successors[node])
                {
                    if (--remaining[successor] == 0)
                    {
                        ready.Add(successor);
                    }
                }
            }

            return order;
        }

        /// <summary>
        /// For every node that lies on a cycle, the shortest cycle through it, as node indices starting and ending
        /// at the cycle's lowest-index node (so every node of one simple cycle reports the same path).
        /// </summary>
        public Dictionary<int, List<int>> Cycles()
        {
            var cycles = new Dictionary<int, List<int>>();
            var ordered = new HashSet<int>(TopologicalOrder());
            if (ordered.Count == _count)
            {
                return cycles;
            }

            for (int start = 0; start < _count; start++)
            {
                if (ordered.Contains(start))
                {
                    continue;
                }

                List<int>? cycle = ShortestCycleThrough(start, ordered);
                if (cycle is not null)
                {
                    cycles[start] = cycle;
                }
            }

            return cycles;
        }

        private List<int>? ShortestCycleThrough(int start, HashSet<int> acyclic)
        {
            var parent = new Dictionary<int, int>();
            var queue = new Queue<int>();
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                int node = queue.Dequeue();
                foreach (int successor in _successors[node])
                {
                    if (successor == start)
                    {
                        var path = new List<int> { start };
                        for (int at = node; at != start; at = parent[at])
                        {
                            path.Insert(1, at);
                        }

                        int lowest = path.IndexOf(path.Min());
                        var rotated = path.Skip(lowest).Concat(path.Take(lowest)).ToList();
                        rotated.Add(rotated[0]);
                        return rotated;
                    }

                    if (!acyclic.Contains(successor) && !parent.ContainsKey(successor))
                    {
                        parent[successor] = node;
                        queue.Enqueue(successor);
                    }
                }
            }

            return null;
        }

        /// <summary>Levels and executor units of the graph; it must be acyclic.</summary>
        public (GraphLevels Levels, UnitGraph Units) Plan(IReadOnlyList<int> costs)
        {
            List<int> order = TopologicalOrder();
            if (order.Count != _count)
            {
                throw new InvalidOperationException("The graph has a cycle.");
            }

            var waves = new int[_count];
            var heaviestTo = new long[_count];
            var heaviestFrom = new long[_count];
            foreach (int node in order)
            {
                long before = 0;
                foreach (int predecessor in _predecessors[node])
                {
                    waves[node] = Math.Max(waves[node], waves[predecessor] + 1);
                    before = Math.Max(before, heaviestTo[predecessor]);
                }

                heaviestTo[node] = before + costs[node];
            }

            for (int i = order.Count - 1; i >= 0; i--)
            {
                int node = order[i];
                long after = 0;
                foreach (int successor in _successors[node])
                {
                    after = Math.Max(after, heaviestFrom[successor]);
                }

                heaviestFrom[node] = after + costs[node];
            }

            List<UnitSpec> units = Chains(order, heaviestFrom, out int[] unitOf);
            var joinCounts = new int[units.Count];
            var offsets = new int[units.Count + 1];
            var successors = new List<int>();
            for (int u = 0; u < units.Count; u++)
            {
                joinCounts[u] = _predecessors[units[u].Vertices[0]].Count;
                offsets[u] = successors.Count;
                int last = units[u].Vertices[units[u].Vertices.Count - 1];
                successors.AddRange(_successors[last].Select(s => unitOf[s]).OrderByDescending(s => units[s].Priority).ThenBy(s => s));
            }

            offsets[units.Count] = successors.Count;
            IEnumerable<int> sources = Enumerable.Range(0, units.Count)
                .Where(u => joinCounts[u] == 0)
                .OrderByDescending(u => units[u].Priority)
                .ThenBy(u => u);

            var levels = new GraphLevels(order.ToEquatableArray(), waves.ToEquatableArray(), CriticalPath(heaviestTo, costs).ToEquatableArray());
            return (levels, new UnitGraph(
                units.ToEquatableArray(),
                joinCounts.ToEquatableArray(),
                offsets.ToEquatableArray(),
                successors.ToEquatableArray(),
                sources.ToEquatableArray()));
        }

        private List<int> CriticalPath(long[] heaviestTo, IReadOnlyList<int> costs)
        {
            var path = new List<int>();
            if (_count == 0)
            {
                return path;
            }

            int node = 0;
            for (int i = 1; i < _count; i++)
            {
                if (heaviestTo[i] > heaviestTo[node])
                {
                    node = i;
                }
            }

            while (true)
            {
                path.Add(node);
                int previous = -1;
                foreach (int predecessor in _predecessors[node].OrderBy(p => p))
                {
                    if (heaviestTo[predecessor] == heaviestTo[node] - costs[node])
                    {
                        previous = predecessor;
                        break;
                    }
                }

                if (previous < 0)
                {
                    break;
                }

                node = previous;
            }

            path.Reverse();
            return path;
        }

        // A chain grows while its last node has one successor and that successor has one predecessor: running them
        // inline on one thread gives up no parallelism.
        private List<UnitSpec> Chains(List<int> order, long[] heaviestFrom, out int[] unitOf)
        {
            unitOf = new int[_count];
            var units = new List<UnitSpec>();
            foreach (int node in order)
            {
                bool continuesChain = _predecessors[node].Count == 1 && _successors[_predecessors[node][0]].Count == 1;
                if (continuesChain)
                {
                    continue;
                }

                var chain = new List<int> { node };
                int last = node;
                while (_successors[last].Count == 1 && _predecessors[_successors[last][0]].Count == 1)
                {
                    last = _successors[last][0];
                    chain.Add(last);
                }

                foreach (int member in chain)
                {
                    unitOf[member] = units.Count;
                }

                units.Add(new UnitSpec(chain.ToEquatableArray(), (int)Math.Min(int.MaxValue, heaviestFrom[node])));
            }

            return units;
        }
    }
}
