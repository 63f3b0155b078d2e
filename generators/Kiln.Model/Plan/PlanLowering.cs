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
                invocations[n] = Wrap(node, new Invocation(
                    n,
                    node.Name,
                    node.Kind,
                    node.Parameters.Select(p => ArgumentOf(node, p, skippable)).ToEquatableArray(),
                    node.Shape,
                    node.ReturnType,
                    node.HasOutput ? n : -1,
                    PolicyOf(node, spec.Durable)));
            }

            // Stages get the run's token on their pipe ends even when they take none, so a failure stops them all; maps and
            // retried tasks hand it to their attempts.
            bool usesCancellation = spec.Nodes.Any(n => n.Kind == NodeKindSpec.Stage || n.Parameters.Any(p => p.Role == ParameterRole.Cancellation))
                || invocations.Any(i => i.Wrapped is not null);
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

        // A durable pipeline checkpoints its tasks, its maps and its stages' return values (not their pipes); fusion groups
        // are not stored, and a group of stages re-runs as a whole when a node that runs reads one of its pipes.
        private static NodePolicy PolicyOf(NodeSpec node, bool durable)
        {
            bool attempts = HasAttemptPolicy(node);
            bool checkpoint = durable
                && (node.Kind is NodeKindSpec.Task or NodeKindSpec.Map
                    || (node.Kind == NodeKindSpec.Stage && node.HasOutput && !StageSignature.WritesPipe(node)));
            if (!attempts && node.Condition is null && !checkpoint && !node.Distributed)
            {
                return NodePolicy.None;
            }

            return new NodePolicy(
                attempts ? node.Retries : 0,
                attempts ? node.TimeoutMs : 0,
                node.Condition?.Node ?? -1,
                node.Condition?.RunsWhen ?? true,
                checkpoint,
                node.Distributed);
        }

        private static bool HasAttemptPolicy(NodeSpec node) =>
            node.Kind is NodeKindSpec.Task or NodeKindSpec.Map && (node.Retries > 0 || node.TimeoutMs > 0);

        /// <summary>
        /// A map, or a task with a policy, is called through a wrapper the unit awaits (<c>MapRunner</c>, <c>NodeAttempts</c>):
        /// the invocation then returns the wrapper's <c>ValueTask&lt;T&gt;</c>. Anything else is called as it is.
        /// </summary>
        private static Invocation Wrap(NodeSpec node, Invocation invocation)
        {
            bool isMap = node.Kind == NodeKindSpec.Map;
            // A distributed task is wrapped too: its attempt method is where the call goes to the cluster or stays here.
            if (!isMap && !HasAttemptPolicy(node) && !node.Distributed)
            {
                return invocation;
            }

            const string Bool = "bool";
            string callOutput = (isMap ? node.ItemOutputType : node.OutputType) ?? Bool;
            int items = -1;
            string? itemType = null;
            if (isMap)
            {
                ParameterSpec? item = node.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Node && p.IsItem);
                items = item?.Producer ?? -1;
                itemType = item?.ItemType;
            }

            string awaited = isMap ? callOutput + "[]" : callOutput;
            return invocation with
            {
                Shape = ReturnShape.ValueTaskOfT,
                ReturnType = "global::System.Threading.Tasks.ValueTask<" + awaited + ">",
                Wrapped = new WrappedCall(node.Shape, callOutput, items, itemType, node.MaxConcurrency),
            };
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
                        ParameterRole.Node when node.Kind == NodeKindSpec.Map && parameter.IsItem => ArgumentSource.Item,
                        ParameterRole.Index when node.Kind == NodeKindSpec.Map => ArgumentSource.Index,
                        ParameterRole.PipeOutput => ArgumentSource.PipeWriter,
                        ParameterRole.Node => ArgumentSource.ProducerValue,
                        ParameterRole.Cancellation => ArgumentSource.Token,
                        _ => ArgumentSource.Input,
                    };
            }
        }
    }
}
