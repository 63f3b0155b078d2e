using System.Collections.Generic;
using System.Linq;

namespace Kiln.Model
{
    public static partial class PlanLowering
    {
        private static EquatableArray<StageLaunch> StageLaunches(PipelineSpec spec, Schedule schedule)
        {
            var launches = new List<StageLaunch>();
            for (int g = 0; g < schedule.StageGroups.Count; g++)
            {
                EquatableArray<int> members = schedule.StageGroups[g].Members;

                // Every source of bytes the group reads, with its readers in order.
                var keys = new List<string>();
                var sources = new List<(StageSourceKind Kind, int Producer, string Input, List<StageReader> Readers)>();
                foreach (int member in members)
                {
                    NodeSpec stage = spec.Nodes[member];
                    for (int p = 0; p < stage.Parameters.Count; p++)
                    {
                        ParameterSpec parameter = stage.Parameters[p];
                        if (StagePlanner.SourceKey(spec, stage, parameter) is not string key)
                        {
                            continue;
                        }

                        int index = keys.IndexOf(key);
                        if (index < 0)
                        {
                            StageSourceKind kind = parameter.Role == ParameterRole.Input ? StageSourceKind.Input
                                : spec.Nodes[parameter.Producer].Kind == NodeKindSpec.Stage ? StageSourceKind.Pipe
                                : StageSourceKind.Value;
                            keys.Add(key);
                            bool input = kind == StageSourceKind.Input;
                            sources.Add((kind, input ? -1 : parameter.Producer, input ? parameter.Name : string.Empty, new List<StageReader>()));
                            index = sources.Count - 1;
                        }

                        sources[index].Readers.Add(new StageReader(member, p));
                    }
                }

                launches.Add(new StageLaunch(
                    g,
                    members,
                    members.Where(m => StageSignature.WritesPipe(spec.Nodes[m])).ToEquatableArray(),
                    sources.Select(s => new StageSource(s.Kind, s.Producer, s.Input, s.Readers.ToEquatableArray())).ToEquatableArray()));
            }

            return launches.ToEquatableArray();
        }
    }
}
