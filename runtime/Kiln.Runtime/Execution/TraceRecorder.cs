using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// Records one run as Chrome trace events (Perfetto and chrome://tracing open the file): a complete event per
    /// node on the thread it started on (an instant event for a skipped node), one per fusion group launch, and one for the run. Each node runs once, so
    /// every record has a slot of its own and recording takes no lock; the file is written when the run ends,
    /// whether it succeeded or not.
    /// </summary>
    internal sealed class TraceRecorder
    {
        private readonly PipelinePlan _plan;
        private readonly string _path;
        private readonly long[] _starts;
        private readonly long[] _ends;
        private readonly int[] _threads;
        private readonly bool[] _failed;
        // Per node, the status of a node that never started ("skipped", "restored"), or null.
        private readonly string?[] _instants;
        private readonly System.Collections.Concurrent.ConcurrentQueue<DeviceRecord> _deviceEvents = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<AttemptRecord> _attempts = new();
        private long _runStart;
        private string _device = "cpu";

        public TraceRecorder(PipelinePlan plan, string path)
        {
            _plan = plan;
            _path = path;
            int count = plan.NodeNames.Length;
            _starts = new long[count];
            _ends = new long[count];
            _threads = new int[count];
            _failed = new bool[count];
            _instants = new string?[count];
        }

        public void UseDevice(string device) => _device = device;

        /// <summary>Records a device launch (<paramref name="size"/>: work-items) or transfer (bytes) that began at <paramref name="start"/> and ends now.</summary>
        public void DeviceEvent(string name, string category, long start, long size, string kernel) =>
            _deviceEvents.Enqueue(new DeviceRecord(name, category, start, Stopwatch.GetTimestamp(), Environment.CurrentManagedThreadId, size, kernel));

        /// <summary>Records one attempt of a map's item or a retried task, which ends now.</summary>
        public void AttemptFinished(AttemptSpan attempt, bool failed, string? silo = null) =>
            _attempts.Enqueue(new AttemptRecord(attempt.Node, attempt.Item, attempt.Start, Stopwatch.GetTimestamp(), attempt.Thread, failed, silo));

        public void RunStarting() => _runStart = Stopwatch.GetTimestamp();

        public void NodeStarting(int node)
        {
            _threads[node] = Environment.CurrentManagedThreadId;
            Volatile.Write(ref _starts[node], Stopwatch.GetTimestamp());
        }

        public void NodeFinished(int node, bool failed)
        {
            _failed[node] = failed;
            Volatile.Write(ref _ends[node], Stopwatch.GetTimestamp());
        }

        /// <summary>
        /// A node that never starts, recorded as an instant: <paramref name="status"/> is "skipped" (a condition skipped it)
        /// or "restored" (its output was read from the run's store).
        /// </summary>
        public void NodeInstant(int node, string status)
        {
            _threads[node] = Environment.CurrentManagedThreadId;
            _instants[node] = status;
            Volatile.Write(ref _starts[node], Stopwatch.GetTimestamp());
        }

        public Exception? Write(Exception? error, bool cancelled)
        {
            long runEnd = Stopwatch.GetTimestamp();
            try
            {
                string? directory = Path.GetDirectoryName(Path.GetFullPath(_path));
                if (directory is not null)
                {
                    Directory.CreateDirectory(directory);
                }

                using FileStream file = File.Create(_path);
                using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = false });
                json.WriteStartObject();
                json.WriteString("displayTimeUnit", "ms");
                json.WriteStartArray("traceEvents");
                WriteMetadata(json);
                WriteRun(json, runEnd, error, cancelled);
                WriteNodes(json);
                WriteGroups(json);
                WriteDeviceEvents(json);
                WriteAttempts(json);
                json.WriteEndArray();
                json.WriteEndObject();
                return null;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return new IOException($"Kiln could not write the trace of pipeline '{_plan.Name}' to '{_path}': {exception.Message}", exception);
            }
        }

        private void WriteMetadata(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("name", "process_name");
            json.WriteString("ph", "M");
            json.WriteNumber("pid", 1);
            json.WriteStartObject("args");
            json.WriteString("name", "Kiln: " + _plan.Name);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        private void WriteRun(Utf8JsonWriter json, long runEnd, Exception? error, bool cancelled)
        {
            BeginComplete(json, _plan.Name, "run", 0, 0, Duration(_runStart, runEnd));
            json.WriteString("pipeline", _plan.Name);
            json.WriteString("status", error is not null ? "failed" : cancelled ? "cancelled" : "completed");
            if (error is PipelineException failure)
            {
                json.WriteString("failedNode", failure.NodeName);
                json.WriteString("error", failure.InnerException?.Message ?? failure.Message);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        private void WriteNodes(Utf8JsonWriter json)
        {
            for (int node = 0; node < _starts.Length; node++)
            {
                long start = Volatile.Read(ref _starts[node]);
                long end = Volatile.Read(ref _ends[node]);
                if (start == 0)
                {
                    continue;
                }

                if (_instants[node] is { } status)
                {
                    WriteInstant(json, node, start, status);
                    continue;
                }

                BeginComplete(json, _plan.NodeNames[node], _plan.KindOf(node).ToString().ToLowerInvariant(), _threads[node], Microseconds(start), end == 0 ? 0 : Duration(start, end));
                json.WriteString("kind", _plan.KindOf(node).ToString());
                if (_plan.GroupOf(node) is string group)
                {
                    json.WriteString("fusionGroup", group);
                }

                if (_plan.IsKernel(node))
                {
                    json.WriteString("device", _device);
                }

                json.WriteString("status", end == 0 ? "unfinished" : _failed[node] ? "failed" : "completed");
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }

        // An instant ("i") event, scoped to its thread: the node was skipped (or restored) where its predecessor finished.
        private void WriteInstant(Utf8JsonWriter json, int node, long at, string status)
        {
            json.WriteStartObject();
            json.WriteString("name", _plan.NodeNames[node]);
            json.WriteString("cat", _plan.KindOf(node).ToString().ToLowerInvariant());
            json.WriteString("ph", "i");
            json.WriteString("s", "t");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", _threads[node]);
            json.WriteNumber("ts", Microseconds(at));
            json.WriteStartObject("args");
            json.WriteString("kind", _plan.KindOf(node).ToString());
            json.WriteString("status", status);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        // A fusion group's launch spans from its first member's start to its last member's end, on its own row.
        private void WriteGroups(Utf8JsonWriter json)
        {
            string?[]? groups = _plan.NodeGroups;
            if (groups is null)
            {
                return;
            }

            for (int node = 0; node < groups.Length; node++)
            {
                string? group = groups[node];
                if (group is null || Array.IndexOf(groups, group) != node || Volatile.Read(ref _starts[node]) == 0)
                {
                    continue;
                }

                long start = long.MaxValue;
                long end = 0;
                for (int member = 0; member < groups.Length; member++)
                {
                    if (groups[member] == group && _starts[member] != 0)
                    {
                        start = Math.Min(start, _starts[member]);
                        end = Math.Max(end, _ends[member]);
                    }
                }

                BeginComplete(json, "launch " + group, "device", _threads[node], Microseconds(start), end == 0 ? 0 : Duration(start, end));
                json.WriteString("fusionGroup", group);
                json.WriteString("device", _device);
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }

        // Launches and transfers, each on the thread that waited for it.
        private void WriteDeviceEvents(Utf8JsonWriter json)
        {
            foreach (DeviceRecord record in _deviceEvents)
            {
                BeginComplete(json, record.Name, record.Category, record.Thread, Microseconds(record.Start), Duration(record.Start, record.End));
                json.WriteString("device", _device);
                json.WriteString("kernel", record.Kernel);
                json.WriteNumber(record.Category == "transfer" ? "bytes" : "workItems", record.Size);
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }

        // Each attempt on the thread it started on, numbered per node and item in the order they started.
        private void WriteAttempts(Utf8JsonWriter json)
        {
            AttemptRecord[] records = _attempts.ToArray();
            Array.Sort(records, static (a, b) => a.Start.CompareTo(b.Start));
            var numbers = new System.Collections.Generic.Dictionary<(int Node, int Item), int>();
            foreach (AttemptRecord record in records)
            {
                int number = numbers.TryGetValue((record.Node, record.Item), out int previous) ? previous + 1 : 1;
                numbers[(record.Node, record.Item)] = number;
                string name = _plan.NodeNames[record.Node] + (record.Item >= 0 ? $"[{record.Item}]" : string.Empty) + " attempt " + number;
                BeginComplete(json, name, "attempt", record.Thread, Microseconds(record.Start), Duration(record.Start, record.End));
                json.WriteString("node", _plan.NodeNames[record.Node]);
                if (record.Item >= 0)
                {
                    json.WriteNumber("item", record.Item);
                }

                json.WriteNumber("attempt", number);
                json.WriteString("status", record.Failed ? "failed" : "completed");
                if (record.Silo is not null)
                {
                    json.WriteString("silo", record.Silo); // a distributed node's attempt: where it ran (SPEC section 12)
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }
        }

        private readonly record struct AttemptRecord(int Node, int Item, long Start, long End, int Thread, bool Failed, string? Silo);

        private readonly record struct DeviceRecord(string Name, string Category, long Start, long End, int Thread, long Size, string Kernel);

        // A complete ("X") event up to its open args object; the caller writes the args and closes both.
        private static void BeginComplete(Utf8JsonWriter json, string name, string category, int thread, double start, double duration)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("cat", category);
            json.WriteString("ph", "X");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", thread);
            json.WriteNumber("ts", start);
            json.WriteNumber("dur", duration);
            json.WriteStartObject("args");
        }

        private static double Duration(long start, long end) => Math.Round((end - start) * 1_000_000.0 / Stopwatch.Frequency, 3);

        private double Microseconds(long timestamp) =>
            Math.Round((timestamp - _runStart) * 1_000_000.0 / Stopwatch.Frequency, 3);
    }
}
