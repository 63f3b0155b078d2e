using System.Collections.Generic;

namespace Kiln.Model
{
    /// <summary>
    /// The binding rules particular to stages (SPEC section 8): a <c>PipeReader</c> bound to another stage reads that
    /// stage's output pipe, not its result; every output pipe must be read; signature problems become KILN011.
    /// </summary>
    public static class StageBinding
    {
        /// <summary>Whether parameter <paramref name="parameter"/> of <paramref name="node"/> reads another stage's output pipe.</summary>
        public static bool ReadsPipe(PipelineSpec spec, NodeSpec node, ParameterSpec parameter) =>
            node.Kind == NodeKindSpec.Stage
            && parameter.Role == ParameterRole.Node
            && StageSignature.IsPipeReader(parameter)
            && spec.Nodes[parameter.Producer].Kind == NodeKindSpec.Stage;

        /// <summary>Checks a pipe edge: the producing stage must write a pipe.</summary>
        public static void CheckPipe(PipelineSpec spec, int node, int parameter, List<ModelDiagnostic> problems)
        {
            ParameterSpec reader = spec.Nodes[node].Parameters[parameter];
            NodeSpec producer = spec.Nodes[reader.Producer];
            if (!StageSignature.WritesPipe(producer))
            {
                problems.Add(Problem(DiagnosticTarget.Parameter, node, parameter, spec.Nodes[node].Name,
                    $"PipeReader '{reader.Name}' reads '{producer.Name}', which writes no pipe; give '{producer.Name}' a 'PipeWriter output'"));
            }
        }

        /// <summary>KILN011 for each signature problem of a stage, and for an output pipe no stage reads.</summary>
        public static void Check(PipelineSpec spec, int node, List<ModelDiagnostic> problems)
        {
            NodeSpec stage = spec.Nodes[node];
            if (stage.Kind != NodeKindSpec.Stage)
            {
                return;
            }

            foreach (SignatureProblem problem in stage.SignatureProblems)
            {
                DiagnosticTarget target = problem.Parameter < 0 ? DiagnosticTarget.Method : DiagnosticTarget.Parameter;
                problems.Add(Problem(target, node, problem.Parameter, stage.Name, problem.Message));
            }

            int output = StageSignature.OutputParameter(stage);
            if (output < 0 || stage.SignatureProblems.Count > 0 || IsRead(spec, node))
            {
                return;
            }

            problems.Add(Problem(DiagnosticTarget.Parameter, node, output, stage.Name,
                "no stage reads its output pipe; bind a PipeReader parameter of another stage to it"));
        }

        private static bool IsRead(PipelineSpec spec, int producer)
        {
            foreach (NodeSpec node in spec.Nodes)
            {
                foreach (ParameterSpec parameter in node.Parameters)
                {
                    if (parameter.Producer == producer && ReadsPipe(spec, node, parameter))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        internal static ModelDiagnostic Problem(DiagnosticTarget target, int node, int parameter, string stage, string message) =>
            new(DiagnosticIds.InvalidStage, target, node, parameter, -1, -1, new[] { stage, message }.ToEquatableArray());
    }
}
