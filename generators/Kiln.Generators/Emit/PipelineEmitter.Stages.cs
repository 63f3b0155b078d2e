using System.Collections.Generic;
using System.Linq;
using Kiln.Model;
using static Kiln.Generators.Emit.GeneratedNames;

namespace Kiln.Generators.Emit
{
    internal static partial class PipelineEmitter
    {
        private const string Tasks = "global::System.Threading.Tasks";
        private const string Streaming = "global::Kiln.Streaming";
        private const string PipeReaderType = "global::System.IO.Pipelines.PipeReader";
        private const string PipeWriterType = "global::System.IO.Pipelines.PipeWriter";

        // A stage group is one executor vertex: Stages{k} creates a pipe per output (a tee where several stages read
        // one source), starts every member on the thread pool, and completes when all have ended. A member never
        // throws to it: Stage{n} reports its failure with Fail and completes its pipe ends with the exception, so
        // its neighbours stop too.
        private static void EmitStageGroup(IndentedWriter writer, LoweredPlan plan, StageLaunch launch)
        {
            EquatableArray<int> members = launch.Members;
            writer.Line();
            using (writer.Block($"private async {Tasks}.ValueTask {StagesMethod(launch.Group)}()"))
            {
                writer.Line($"{Tasks}.Task[] running;");
                using (writer.Block("try"))
                {
                    writer.Line("var options = Options;");
                    foreach (int member in launch.Writers)
                    {
                        writer.Line($"var __pipe{member} = {Streaming}.StagePipes.Create(options);");
                    }

                    // A source with one reader is handed over as it is; several readers share it through a tee.
                    var readerOf = new Dictionary<StageReader, string>();
                    for (int s = 0; s < launch.Sources.Count; s++)
                    {
                        StageSource source = launch.Sources[s];
                        string expression = source.Kind switch
                        {
                            StageSourceKind.Pipe => $"__pipe{source.Producer}.Reader",
                            StageSourceKind.Value => $"{Streaming}.StagePipes.ToReader({NodeField(source.Producer)})",
                            _ => InputField(source.Input),
                        };
                        if (source.Readers.Count == 1)
                        {
                            readerOf[source.Readers[0]] = expression;
                            continue;
                        }

                        writer.Line($"var __tee{s} = new {Streaming}.PipeTee({expression}, {source.Readers.Count});");
                        for (int r = 0; r < source.Readers.Count; r++)
                        {
                            readerOf[source.Readers[r]] = $"__tee{s}.Branches[{r}]";
                        }
                    }

                    writer.Line($"running = new {Tasks}.Task[]");
                    writer.Line("{");
                    foreach (int member in members)
                    {
                        var ends = new List<string>();
                        for (int p = 0; p < plan.Invocations[member].Arguments.Count; p++)
                        {
                            if (readerOf.TryGetValue(new StageReader(member, p), out string? reader))
                            {
                                ends.Add($"new {Streaming}.StageReader({reader}, Token)");
                            }
                        }

                        if (launch.Writers.Contains(member))
                        {
                            ends.Add($"new {Streaming}.StageWriter(__pipe{member}.Writer, Token)");
                        }

                        writer.Line($"    {Tasks}.Task.Run(() => {StageMethod(member)}({string.Join(", ", ends)})),");
                    }

                    writer.Line("};");
                }

                using (writer.Block("catch (global::System.Exception exception)"))
                {
                    writer.Line($"Fail({members[0]}, exception);");
                    writer.Line("return;");
                }

                writer.Line($"await {Tasks}.Task.WhenAll(running).ConfigureAwait(false);");
            }

            foreach (int member in members)
            {
                EmitStage(writer, plan, plan.Invocations[member]);
            }
        }

        private static void EmitStage(IndentedWriter writer, LoweredPlan plan, Invocation stage)
        {
            int node = stage.Node;
            var ends = new List<string>();
            var parameters = new List<string>();
            for (int p = 0; p < stage.Arguments.Count; p++)
            {
                if (stage.Arguments[p].Source == ArgumentSource.PipeReader)
                {
                    parameters.Add($"{PipeReaderType} __r{p}");
                    ends.Add($"__r{p}");
                }
            }

            if (stage.Arguments.Any(a => a.Source == ArgumentSource.PipeWriter))
            {
                parameters.Add($"{PipeWriterType} __w");
                ends.Add("__w");
            }

            string call = "await " + CallExpression(plan, stage, (argument, p) => argument.Source switch
            {
                ArgumentSource.PipeReader => $"__r{p}",
                ArgumentSource.PipeWriter => "__w",
                _ => FieldArgument(argument),
            }) + ".ConfigureAwait(false)";
            writer.Line();
            writer.Open($"private async {Tasks}.Task {StageMethod(node)}({string.Join(", ", parameters)})");
            writer.Line("bool observed = Observed;");
            writer.Line($"if (observed) NodeStarting({node});");
            writer.Line("global::System.Exception? failure = null;");
            writer.Open("try");
            writer.Line(stage.HasOutput ? $"{NodeField(stage.Slot)} = {call};" : call + ";");
            writer.Close();
            writer.Open("catch (global::System.Exception exception)");
            writer.Line("failure = exception;");
            writer.Line($"Fail({node}, exception);");
            writer.Close();
            writer.Line();
            writer.Line("// Complete every end whatever happened, so that no neighbour waits for this stage.");
            foreach (string end in ends)
            {
                writer.Line($"try {{ await {end}.CompleteAsync(failure).ConfigureAwait(false); }}");
                writer.Line($"catch (global::System.Exception exception) {{ Fail({node}, exception); }}");
            }

            writer.Line($"if (observed && failure is null) NodeFinished({node});");
            writer.Close();
        }
    }
}
