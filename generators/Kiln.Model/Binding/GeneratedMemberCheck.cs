using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>
    /// What stands in the way of the generated members themselves (SPEC section 7): names they need (KILN017), types
    /// too private for <c>RunAsync</c> (KILN018) and types no field can hold (KILN019). Each is a KILN error, never a
    /// CS error in generated code.
    /// </summary>
    public static class GeneratedMemberCheck
    {
        // A sink becomes a property of the Result record; these names are the record's own members or its name.
        private static readonly HashSet<string> RecordMemberNames = new()
        {
            "Result", "EqualityContract", "Equals", "GetHashCode", "ToString", "PrintMembers", "Deconstruct",
            "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
        };

        /// <summary>Whether a sink by this name can be a property of the <c>Result</c> record.</summary>
        public static bool CanBeRecordProperty(string name) => !RecordMemberNames.Contains(name);

        /// <summary>Whether the generator emits the <c>Result</c> record: for several sinks.</summary>
        public static bool HasResultRecord(BoundPipeline bound) => bound.Sinks.Count > 1;

        public static void Check(BoundPipeline bound, List<ModelDiagnostic> problems)
        {
            PipelineSpec spec = bound.Spec;
            bool record = HasResultRecord(bound);
            foreach (string name in spec.ReservedMembers)
            {
                if (name != "Result" || record)
                {
                    problems.Add(new ModelDiagnostic(
                        DiagnosticIds.ReservedName, DiagnosticTarget.Member, -1, -1, -1, -1,
                        new[] { name, spec.Name, WhatNeeds(name) }.ToEquatableArray()));
                }
            }

            if (GeneratedSignature.ReservedMemberNames.Contains(spec.Name) && (spec.Name != "Result" || record))
            {
                problems.Add(new ModelDiagnostic(
                    DiagnosticIds.ReservedName, DiagnosticTarget.Type, -1, -1, -1, -1,
                    new[] { spec.Name, spec.Name, WhatNeeds(spec.Name) + ", and a member cannot be named as its class" }.ToEquatableArray()));
            }

            if (record)
            {
                foreach (int sink in bound.Sinks)
                {
                    string name = spec.Nodes[sink].Name;
                    if (RecordMemberNames.Contains(name) && !spec.ReservedMembers.Contains(name))
                    {
                        problems.Add(At(DiagnosticIds.ReservedName, DiagnosticTarget.Method, sink, -1, name, spec.Name,
                            "it is a sink, so the Result record would have a property by that name, which records reserve"));
                    }
                }
            }

            var reported = new HashSet<string>();
            for (int n = 0; n < spec.Nodes.Count; n++)
            {
                NodeSpec node = spec.Nodes[n];
                if (node.HasOutput && node.OutputUse == TypeUse.Unholdable && node.SignatureProblems.Count == 0)
                {
                    problems.Add(At(DiagnosticIds.UnholdableType, DiagnosticTarget.Method, n, -1, $"The output of '{node.Name}'", node.OutputDisplay ?? "?"));
                }

                if (node.HasOutput && node.OutputUse == TypeUse.Private && bound.Sinks.Contains(n))
                {
                    problems.Add(At(DiagnosticIds.PrivateSignatureType, DiagnosticTarget.Method, n, -1, spec.Name, $"sink '{node.Name}' returns",
                        node.OutputDisplay ?? "?"));
                }

                for (int p = 0; p < node.Parameters.Count; p++)
                {
                    ParameterSpec parameter = node.Parameters[p];
                    if (parameter.Role != ParameterRole.Input || !reported.Add(parameter.Name))
                    {
                        continue;
                    }

                    if (parameter.Use == TypeUse.Unholdable && node.SignatureProblems.Count == 0)
                    {
                        problems.Add(At(DiagnosticIds.UnholdableType, DiagnosticTarget.Parameter, n, p, $"Pipeline input '{parameter.Name}'",
                            parameter.TypeDisplay));
                    }
                    else if (parameter.Use == TypeUse.Private)
                    {
                        problems.Add(At(DiagnosticIds.PrivateSignatureType, DiagnosticTarget.Parameter, n, p, spec.Name, $"input '{parameter.Name}' is",
                            parameter.TypeDisplay));
                    }
                }
            }
        }

        private static string WhatNeeds(string name) => name switch
        {
            "RunAsync" => "the generated RunAsync runs the pipeline",
            "Graph" => "the generated Graph property describes the pipeline",
            "Result" => "the generated Result record holds the outputs of the pipeline's sinks",
            _ => "the generated run class has that name",
        };

        private static ModelDiagnostic At(string id, DiagnosticTarget target, int node, int parameter, params string[] arguments) =>
            new(id, target, node, parameter, -1, -1, arguments.ToEquatableArray());
    }
}
