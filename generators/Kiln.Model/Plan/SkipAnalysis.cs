using System.Collections.Generic;

namespace Kiln.Model
{
    /// <summary>
    /// Which nodes a run can skip (SPEC section 10), decided at build time so that nodes that never skip, and
    /// pipelines without <c>[When]</c>, are emitted exactly as before and pay nothing.
    /// </summary>
    public static class SkipAnalysis
    {
        /// <summary>
        /// Per node, whether it can be skipped: it has a <c>[When]</c>, or a parameter that is not <c>Optional&lt;T&gt;</c>
        /// binds to a node that can be skipped. <c>[After]</c> never propagates a skip. A fusion group or a group of stages
        /// runs as one vertex, so it is skipped as a whole: when one member can be skipped, every member can.
        /// </summary>
        public static EquatableArray<bool> CanSkip(CompiledPipeline pipeline)
        {
            PipelineSpec spec = pipeline.Spec;
            var skippable = new bool[spec.Nodes.Count];
            bool any = false;
            for (int n = 0; n < skippable.Length; n++)
            {
                any |= skippable[n] = spec.Nodes[n].Condition is not null;
            }

            if (!any)
            {
                return skippable.ToEquatableArray();
            }

            Schedule? schedule = pipeline.Schedule;
            bool changed = true;
            while (changed)
            {
                changed = false;
                for (int n = 0; n < skippable.Length; n++)
                {
                    if (skippable[n] || !ReadsSkippable(spec.Nodes[n], skippable))
                    {
                        continue;
                    }

                    changed = true;
                    skippable[n] = true;
                }

                if (schedule is not null)
                {
                    foreach (Vertex vertex in schedule.Vertices)
                    {
                        changed |= SpreadOverVertex(vertex.Members, skippable);
                    }
                }
            }

            return skippable.ToEquatableArray();
        }

        private static bool ReadsSkippable(NodeSpec node, bool[] skippable)
        {
            foreach (ParameterSpec parameter in node.Parameters)
            {
                if (parameter.Role == ParameterRole.Node && !parameter.IsOptional
                    && parameter.Producer >= 0 && parameter.Producer < skippable.Length && skippable[parameter.Producer])
                {
                    return true;
                }
            }

            return false;
        }

        private static bool SpreadOverVertex(IReadOnlyList<int> members, bool[] skippable)
        {
            bool anyMember = false;
            bool allMembers = true;
            foreach (int member in members)
            {
                anyMember |= skippable[member];
                allMembers &= skippable[member];
            }

            if (!anyMember || allMembers)
            {
                return false;
            }

            foreach (int member in members)
            {
                skippable[member] = true;
            }

            return true;
        }
    }
}
