using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    public static partial class PlanLowering
    {
        private static EquatableArray<KernelLaunch> Launches(CompiledPipeline pipeline, Invocation[] invocations)
        {
            PipelineSpec spec = pipeline.Spec;
            Schedule schedule = pipeline.Schedule!;
            bool[] hasDeviceCode = schedule.FusionGroups.Select(g => g.Members.All(m => spec.Nodes[m].Program is not null)).ToArray();
            var launches = new List<KernelLaunch>();
            for (int g = 0; g < schedule.FusionGroups.Count; g++)
            {
                FusionGroupSpec group = schedule.FusionGroups[g];
                EquatableArray<int> members = group.Members;
                bool device = hasDeviceCode[g];
                var lengths = new List<LengthCheck>();
                foreach (int member in members)
                {
                    foreach (InvocationArgument argument in invocations[member].Arguments)
                    {
                        if (argument.Source == ArgumentSource.StreamElement && !members.Contains(argument.Producer))
                        {
                            lengths.Add(new LengthCheck(member, argument.Name, argument.Producer));
                        }
                    }
                }

                // Only gathers read from outside: the first gathered stream gives the length.
                int lengthFrom = lengths.Count > 0
                    ? lengths[0].Producer
                    : members.SelectMany(m => invocations[m].Arguments).First(a => a.Source == ArgumentSource.Gather).Producer;

                KernelBlock whole = Block(spec, invocations, members, members, group.Materialized, device);
                var alone = members.Select(m => Block(spec, invocations, new[] { m }, EquatableArray<int>.Empty, new[] { m }, device)).ToEquatableArray();
                launches.Add(new KernelLaunch(
                    g,
                    group.Name,
                    whole,
                    alone,
                    lengths.ToEquatableArray(),
                    lengthFrom,
                    device,
                    device && members.Any(m => KernelQueries.UsesDouble(spec.Nodes[m].Program!)),
                    device && members.Any(m => KernelQueries.MayFault(spec.Nodes[m].Program!)),
                    members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Kernel && ReadOnHost(pipeline, m, hasDeviceCode)).ToEquatableArray()));
            }

            return launches.ToEquatableArray();
        }

        private static KernelBlock Block(
            PipelineSpec spec, Invocation[] invocations, IReadOnlyList<int> members, IReadOnlyList<int> fused, IReadOnlyList<int> written, bool device) =>
            new(members.ToEquatableArray(), fused.ToEquatableArray(), written.ToEquatableArray(),
                device ? LaunchArguments(spec, invocations, members, fused, written) : EquatableArray<LaunchArgument>.Empty);

        // A kernel's arguments, by kind: streams, gathers, inputs, uniforms, then what it writes.
        private static EquatableArray<LaunchArgument> LaunchArguments(
            PipelineSpec spec, Invocation[] invocations, IReadOnlyList<int> members, IReadOnlyList<int> fused, IReadOnlyList<int> written)
        {
            var arguments = new List<LaunchArgument>();
            void Add(LaunchArgument argument)
            {
                if (!arguments.Contains(argument))
                {
                    arguments.Add(argument);
                }
            }

            var readKinds = new[] { LaunchArgumentKind.Stream, LaunchArgumentKind.Gather, LaunchArgumentKind.Input, LaunchArgumentKind.Uniform };
            foreach (LaunchArgumentKind kind in readKinds)
            {
                foreach (int member in members)
                {
                    EquatableArray<InvocationArgument> parameters = invocations[member].Arguments;
                    for (int p = 0; p < parameters.Count; p++)
                    {
                        InvocationArgument argument = parameters[p];
                        bool matches = kind switch
                        {
                            LaunchArgumentKind.Stream => argument.Source == ArgumentSource.StreamElement && !fused.Contains(argument.Producer),
                            LaunchArgumentKind.Gather => argument.Source == ArgumentSource.Gather,
                            LaunchArgumentKind.Input => argument.Source == ArgumentSource.Input,
                            _ => argument.Source == ArgumentSource.Uniform,
                        };
                        if (matches)
                        {
                            ScalarType type = spec.Nodes[member].Program!.Kernel.Parameters[p].Type;
                            bool input = kind == LaunchArgumentKind.Input;
                            Add(new LaunchArgument(kind, input ? -1 : argument.Producer, input ? argument.Name : string.Empty, type));
                        }
                    }
                }
            }

            foreach (int member in members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Kernel && written.Contains(m)))
            {
                Add(new LaunchArgument(LaunchArgumentKind.Output, member, string.Empty, spec.Nodes[member].Program!.Kernel.ReturnType));
            }

            foreach (int member in members.Where(m => spec.Nodes[m].Kind == NodeKindSpec.Reduce))
            {
                Add(new LaunchArgument(LaunchArgumentKind.Partials, member, string.Empty, spec.Nodes[member].Program!.Kernel.ReturnType));
            }

            return arguments.ToEquatableArray();
        }

        /// <summary>Whether a kernel's stream is read on the host: by a task or stage, as a sink, or by a group without device code.</summary>
        private static bool ReadOnHost(CompiledPipeline pipeline, int node, bool[] hasDeviceCode)
        {
            if (pipeline.Bound.Sinks.Contains(node))
            {
                return true;
            }

            foreach (BoundEdge edge in pipeline.Bound.Edges)
            {
                if (edge.From != node || !edge.IsData)
                {
                    continue;
                }

                if (pipeline.Spec.Nodes[edge.To].Kind is not (NodeKindSpec.Kernel or NodeKindSpec.Reduce))
                {
                    return true;
                }

                int group = pipeline.Schedule!.FusionGroupOf(edge.To);
                if (group < 0 || !hasDeviceCode[group])
                {
                    return true;
                }
            }

            return false;
        }
    }
}
