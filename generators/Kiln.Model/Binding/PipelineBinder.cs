using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>Applies SPEC's binding rules to a <see cref="PipelineSpec"/>: inputs, edges, sinks and binding errors.</summary>
    public static class PipelineBinder
    {
        public static BoundPipeline Bind(PipelineSpec spec)
        {
            var problems = new List<ModelDiagnostic>();
            CheckDeclaration(spec, problems);

            var inputs = new List<BoundInput>();
            var inputTypes = new Dictionary<string, string>(StringComparer.Ordinal);
            var edges = new List<BoundEdge>();
            var seen = new HashSet<(int, int)>();
            var consumed = new bool[spec.Nodes.Count];
            var names = spec.Nodes.Select(n => n.Name).ToArray();
            var nameIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                if (!nameIndex.ContainsKey(names[i]))
                {
                    nameIndex.Add(names[i], i);
                }
            }

            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                NodeSpec node = spec.Nodes[n];
                for (int p = 0; p < node.Parameters.Count; p++)
                {
                    ParameterSpec parameter = node.Parameters[p];
                    switch (parameter.Role)
                    {
                        case ParameterRole.Node:
                            NodeSpec producer = spec.Nodes[parameter.Producer];
                            if (seen.Add((parameter.Producer, n)))
                            {
                                edges.Add(new BoundEdge(parameter.Producer, n, IsData: true));
                            }

                            if (StageBinding.ReadsPipe(spec, node, parameter))
                            {
                                // The producer's pipe, not its result: the result may still be a sink.
                                StageBinding.CheckPipe(spec, n, p, problems);
                                break;
                            }

                            consumed[parameter.Producer] = true;
                            if (!producer.HasOutput)
                            {
                                problems.Add(At(DiagnosticIds.NoOutput, DiagnosticTarget.Parameter, n, p, parameter.Name, producer.Name, node.Name));
                            }
                            else if (!parameter.ConvertsFromProducer)
                            {
                                problems.Add(At(DiagnosticIds.TypeMismatch, DiagnosticTarget.Parameter, n, p, parameter.Name, node.Name,
                                    parameter.TypeDisplay, producer.Name, producer.OutputDisplay ?? "?"));
                            }

                            break;

                        case ParameterRole.UnknownProducer:
                            string given = parameter.From ?? string.Empty;
                            string? closest = Closest(given, names);
                            problems.Add(At(DiagnosticIds.UnknownNode, DiagnosticTarget.FromArgument, n, p, given, spec.Name,
                                Hint(closest)) with { Suggestion = closest });
                            break;

                        case ParameterRole.Input:
                            if (inputTypes.TryGetValue(parameter.Name, out string? firstType))
                            {
                                if (firstType != parameter.TypeKey)
                                {
                                    BoundInput first = inputs.First(i => i.Name == parameter.Name);
                                    problems.Add(At(DiagnosticIds.InputTypeConflict, DiagnosticTarget.Parameter, n, p, parameter.Name,
                                        parameter.TypeDisplay, first.TypeDisplay));
                                }
                            }
                            else
                            {
                                inputTypes.Add(parameter.Name, parameter.TypeKey);
                                inputs.Add(new BoundInput(parameter.Name, parameter.Type, parameter.TypeDisplay));
                            }

                            break;
                    }
                }

                CheckKernelBinding(node, n, problems);
                CheckMapBinding(node, n, problems);
                StageBinding.Check(spec, n, problems);
                foreach (AfterSpec after in node.After)
                {
                    if (after.Name is not null && nameIndex.TryGetValue(after.Name, out int before))
                    {
                        if (seen.Add((before, n)))
                        {
                            edges.Add(new BoundEdge(before, n, IsData: false));
                        }
                    }
                    else
                    {
                        string given = after.Name ?? string.Empty;
                        string? closest = Closest(given, names);
                        problems.Add(new ModelDiagnostic(
                            DiagnosticIds.UnknownNode, DiagnosticTarget.AfterArgument, n, -1, after.Attribute, after.Argument,
                            new[] { given, spec.Name, Hint(closest) }.ToEquatableArray(), closest));
                    }
                }

                if (node.Condition is { } condition && ConditionBinding.Check(spec, n, condition, names, problems))
                {
                    // The condition's value is consumed by the node: it is no sink for that.
                    consumed[condition.Node] = true;
                    if (seen.Add((condition.Node, n)))
                    {
                        edges.Add(new BoundEdge(condition.Node, n, IsData: false, IsCondition: true));
                    }
                }
            }

            var sinks = new List<int>();
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                if (spec.Nodes[n].HasOutput && (!consumed[n] || spec.Nodes[n].IsOutput))
                {
                    sinks.Add(n);
                }
            }

            return new BoundPipeline(spec, inputs.ToEquatableArray(), edges.ToEquatableArray(), sinks.ToEquatableArray(), problems.ToEquatableArray());
        }

        private static void CheckDeclaration(PipelineSpec spec, List<ModelDiagnostic> problems)
        {
            // A generic pipeline class is refused too: its graph and RunAsync would differ per type argument.
            if (!spec.IsClass || !spec.IsStatic || !spec.IsPartial || spec.TypeParameters.Length > 0)
            {
                problems.Add(At(DiagnosticIds.NotStaticPartial, DiagnosticTarget.Type, -1, -1, spec.Name));
            }

            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (NodeSpec node in spec.Nodes)
            {
                counts[node.Name] = counts.TryGetValue(node.Name, out int count) ? count + 1 : 1;
            }

            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                NodeSpec node = spec.Nodes[n];
                if (!node.IsStatic || node.IsGeneric)
                {
                    string what = !node.IsStatic ? "is not static" : "is generic";
                    problems.Add(At(DiagnosticIds.InvalidNodeMethod, DiagnosticTarget.Method, n, -1, node.Name, what));
                }

                // Kernels and reductions report by-reference parameters as signature problems of their own.
                if (node.Kind is NodeKindSpec.Task or NodeKindSpec.Map or NodeKindSpec.Stage)
                {
                    for (int p = 0; p < node.Parameters.Count; p++)
                    {
                        if (node.Parameters[p].IsByRef)
                        {
                            problems.Add(At(DiagnosticIds.InvalidNodeMethod, DiagnosticTarget.Parameter, n, p, node.Name,
                                $"takes parameter '{node.Parameters[p].Name}' by reference, which the pipeline cannot pass"));
                        }
                    }
                }

                if (counts[node.Name] > 1)
                {
                    problems.Add(At(DiagnosticIds.DuplicateNode, DiagnosticTarget.Method, n, -1, node.Name, spec.Name));
                }

                if (MapOnDeviceNode(node) is string device)
                {
                    // [Map] with [Kernel], [Reduce] or [Stage] says more than "several kinds": a device node cannot be mapped.
                    problems.Add(At(DiagnosticIds.NotTaskOrMap, DiagnosticTarget.Method, n, -1, "[Map]", device, node.Name));
                }
                else if (node.KindCount > 1)
                {
                    problems.Add(At(DiagnosticIds.SeveralKinds, DiagnosticTarget.Method, n, -1, node.Name));
                }
            }

            foreach (JsonProblem problem in spec.JsonProblems)
            {
                string what = problem.Parameter < 0 ? "The output" : $"Input '{spec.Nodes[problem.Node].Parameters[problem.Parameter].Name}'";
                DiagnosticTarget target = problem.Parameter < 0 ? DiagnosticTarget.Method : DiagnosticTarget.Parameter;
                string which = problem.Distributed
                    ? $"distributed node '{spec.Nodes[problem.Node].Name}' cannot send between machines"
                    : $"durable pipeline '{spec.Name}' cannot store";
                problems.Add(At(DiagnosticIds.NotSerializable, target, problem.Node, problem.Parameter,
                    what, spec.Nodes[problem.Node].Name, problem.Type, which, problem.Reason));
            }
        }

        /// <summary>The kind of device node (kernel, reduction, stage) a method marked <c>[Map]</c> also is, or null.</summary>
        private static string? MapOnDeviceNode(NodeSpec node)
        {
            if (!node.Kinds.Contains(NodeKindSpec.Map))
            {
                return null;
            }

            foreach (NodeKindSpec kind in node.Kinds)
            {
                switch (kind)
                {
                    case NodeKindSpec.Kernel: return "kernel";
                    case NodeKindSpec.Reduce: return "reduction";
                    case NodeKindSpec.Stage: return "stage";
                }
            }

            return null;
        }

        // KILN014: exactly one parameter receives the item; [Index] is an int.
        private static void CheckMapBinding(NodeSpec node, int n, List<ModelDiagnostic> problems)
        {
            if (node.Kind != NodeKindSpec.Map || MapOnDeviceNode(node) is not null)
            {
                return;
            }

            var items = new List<int>();
            for (int p = 0; p < node.Parameters.Count; p++)
            {
                ParameterSpec parameter = node.Parameters[p];
                if (parameter.Role == ParameterRole.Node && parameter.IsItem)
                {
                    items.Add(p);
                }
                else if (parameter.Role == ParameterRole.Index && parameter.TypeKey != "int")
                {
                    problems.Add(At(DiagnosticIds.InvalidMap, DiagnosticTarget.Parameter, n, p, node.Name,
                        $"has [Index] parameter '{parameter.Name}' of type {parameter.TypeDisplay}; the item's index is an int"));
                }
            }

            if (items.Count == 0)
            {
                problems.Add(At(DiagnosticIds.InvalidMap, DiagnosticTarget.Method, n, -1, node.Name,
                    "has no parameter of a type T bound to a node producing T[] or an IReadOnlyList<T>; it would have no items to run over"));
            }
            else if (items.Count > 1)
            {
                string names = string.Join(", ", items.Select(p => "'" + node.Parameters[p].Name + "'"));
                for (int i = 1; i < items.Count; i++)
                {
                    problems.Add(At(DiagnosticIds.InvalidMap, DiagnosticTarget.Parameter, n, items[i], node.Name,
                        $"has several parameters bound to items of a collection ({names}); exactly one is the item, bind the others with "
                        + "[From] to whole values"));
                }
            }
        }

        private static void CheckKernelBinding(NodeSpec node, int n, List<ModelDiagnostic> problems)
        {
            if (node.Kind is not (NodeKindSpec.Kernel or NodeKindSpec.Reduce))
            {
                return;
            }

            string id = node.Kind == NodeKindSpec.Kernel ? DiagnosticIds.InvalidKernel : DiagnosticIds.InvalidReduction;
            foreach (SignatureProblem problem in node.SignatureProblems)
            {
                DiagnosticTarget target = problem.Parameter < 0 ? DiagnosticTarget.Method : DiagnosticTarget.Parameter;
                problems.Add(At(id, target, n, problem.Parameter, node.Name, problem.Message));
            }

            if (node.SignatureProblems.Count > 0)
            {
                return;
            }

            bool hasStream = false;
            for (int p = 0; p < node.Parameters.Count; p++)
            {
                ParameterSpec parameter = node.Parameters[p];
                bool bound = parameter.Role == ParameterRole.Node && parameter.ConvertsFromProducer;
                hasStream |= bound && parameter.ProducerIsStream;
                if (parameter.IsGather && parameter.Role == ParameterRole.Input)
                {
                    problems.Add(At(id, DiagnosticTarget.Parameter, n, p, node.Name,
                        $"Gather parameter '{parameter.Name}' binds to no node; it must read a node producing an array"));
                }
                else if (node.Kind == NodeKindSpec.Reduce && p == 1 && !(bound && parameter.ProducerIsStream)
                    && parameter.Role != ParameterRole.UnknownProducer)
                {
                    problems.Add(At(id, DiagnosticTarget.Parameter, n, p, node.Name,
                        $"parameter '{parameter.Name}' must bind to a stream of {parameter.TypeDisplay} (a kernel, or a task returning "
                        + $"{parameter.TypeDisplay}[])"));
                }
            }

            if (node.Kind == NodeKindSpec.Kernel && !hasStream && !node.Parameters.Any(p => p.IsGather && p.Role == ParameterRole.Node))
            {
                problems.Add(At(id, DiagnosticTarget.Method, n, -1, node.Name,
                    "it reads no stream; bind at least one parameter to a node producing an array, so the kernel has a length"));
            }
        }

        private static ModelDiagnostic At(string id, DiagnosticTarget target, int node, int parameter, params string[] arguments) =>
            new(id, target, node, parameter, -1, -1, arguments.ToEquatableArray());

        internal static string Hint(string? closest) => closest is null ? string.Empty : $"; did you mean '{closest}'?";

        /// <summary>The node name closest to <paramref name="given"/> by edit distance, or null if none is close.</summary>
        public static string? Closest(string given, IReadOnlyList<string> names)
        {
            string? best = null;
            int bestDistance = int.MaxValue;
            foreach (string name in names)
            {
                int distance = EditDistance(given.ToUpperInvariant(), name.ToUpperInvariant());
                if (distance < bestDistance)
                {
                    best = name;
                    bestDistance = distance;
                }
            }

            // Far-off names are no suggestion: at most half the name may differ.
            return best is not null && bestDistance <= Math.Max(2, best.Length / 2) ? best : null;
        }

        private static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }
}
