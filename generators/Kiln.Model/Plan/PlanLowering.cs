using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>
    /// Lowers a compiled pipeline to the plan the writers read: decides once how each argument of each node is
    /// passed, where each value lives, and how each fusion group launches (PlanLowering.Kernels.cs).
    /// </summary>
    public static partial class PlanLowering
    {
        /// <summary>Lowers <paramref name="pipeline"/>; a pipeline with build errors keeps only its problems.</summary>
        public static LoweredPlan Lower(CompiledPipeline pipeline)
        {
            if (!pipeline.IsValid)
            {
                return new LoweredPlan(
                    pipeline,
                    EquatableArray<Invocation>.Empty,
                    EquatableArray<ValueSlot?>.Empty,
                    EquatableArray<KernelLaunch>.Empty,
                    EquatableArray<StageLaunch>.Empty,
                    UsesCancellation: false);
            }

            PipelineSpec spec = pipeline.Spec;
            EquatableArray<bool> skippable = SkipAnalysis.CanSkip(pipeline);
            var invocations = new Invocation[spec.Nodes.Count];
            var slots = new ValueSlot?[spec.Nodes.Count];
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                NodeSpec node = spec.Nodes[n];
                slots[n] = node.HasOutput ? new ValueSlot(n, n, node.OutputType!, node.Kind == NodeKindSpec.Kernel) : null;
                invocations[n] = new Invocation(
                    n,
                    node.Name,
                    node.Kind,
                    node.Parameters.Select(p => ArgumentOf(node, p, skippable)).ToEquatableArray(),
                    node.Shape,
                    node.ReturnType,
                    node.HasOutput ? n : -1,
                    node.Condition is { } condition ? new NodePolicy(Condition: condition.Node, RunsWhen: condition.RunsWhen) : NodePolicy.None);
            }

            // Stages get the run's token on their pipe ends even when they take none, so a failure stops them all.
            bool usesCancellation = spec.Nodes.Any(n => n.Kind == NodeKindSpec.Stage || n.Parameters.Any(p => p.Role == ParameterRole.Cancellation));
            return new LoweredPlan(
                pipeline,
                invocations.ToEquatableArray(),
                slots.ToEquatableArray(),
                Launches(pipeline, invocations),
                StageLaunches(spec, pipeline.Schedule!),
                usesCancellation,
                skippable);
        }

        private static InvocationArgument ArgumentOf(NodeSpec node, ParameterSpec parameter, EquatableArray<bool> skippable)
        {
            int producer = parameter.Role == ParameterRole.Node ? parameter.Producer : -1;
            return parameter.IsOptional && producer >= 0
                ? new InvocationArgument(ArgumentSource.OptionalValue, producer, parameter.Name, parameter.Type, ProducerMaySkip: skippable[producer])
                : new InvocationArgument(SourceOf(node, parameter), producer, parameter.Name, parameter.Type);
        }

        /// <summary>Where a bound parameter's value comes from, by the node's kind.</summary>
        private static ArgumentSource SourceOf(NodeSpec node, ParameterSpec parameter)
        {
            switch (node.Kind)
            {
                case NodeKindSpec.Kernel or NodeKindSpec.Reduce:
                    return parameter.Role switch
                    {
                        ParameterRole.Index => ArgumentSource.Index,
                        ParameterRole.Accumulator => ArgumentSource.Accumulator,
                        ParameterRole.Input => ArgumentSource.Input,
                        ParameterRole.Node when parameter.IsGather => ArgumentSource.Gather,
                        ParameterRole.Node when parameter.ProducerIsStream => ArgumentSource.StreamElement,
                        ParameterRole.Node => ArgumentSource.Uniform,
                        _ => ArgumentSource.None,
                    };
                case NodeKindSpec.Stage when StageSignature.IsPipeReader(parameter) && parameter.Role is ParameterRole.Node or ParameterRole.Input:
                    return ArgumentSource.PipeReader;
                default:
                    return parameter.Role switch
                    {
                        ParameterRole.PipeOutput => ArgumentSource.PipeWriter,
                        ParameterRole.Node => ArgumentSource.ProducerValue,
                        ParameterRole.Cancellation => ArgumentSource.Token,
                        _ => ArgumentSource.Input,
                    };
            }
        }
    }
}
