using System;
using System.Diagnostics;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// Watches one run for progress reports, <see cref="Activity"/> spans and a Chrome trace. Created only when
    /// someone listens, so an unobserved run pays one test of a local per node and nothing else.
    /// </summary>
    internal sealed class RunObserver
    {
        private readonly PipelinePlan _plan;
        private readonly IProgress<PipelineProgress>? _progress;
        private readonly Activity?[]? _nodeActivities;
        private readonly TraceRecorder? _trace;
        private Activity? _runActivity;
        private int _completed;
        private string _device = "cpu";

        private RunObserver(PipelinePlan plan, IProgress<PipelineProgress>? progress, bool traced, string? tracePath)
        {
            _plan = plan;
            _progress = progress;
            _nodeActivities = traced ? new Activity?[plan.NodeNames.Length] : null;
            _trace = tracePath is null ? null : new TraceRecorder(plan, tracePath);
        }

        /// <summary>The trace being recorded, if the run is traced.</summary>
        public TraceRecorder? Trace => _trace;

        public static RunObserver? Create(PipelinePlan plan, KilnOptions options)
        {
            bool traced = KilnActivity.Source.HasListeners();
            if (options.Progress is null && !traced && options.TracePath is null)
            {
                return null;
            }

            return new RunObserver(plan, options.Progress, traced, options.TracePath);
        }

        /// <summary>Names the device kernels run on (null: the CPU backend).</summary>
        public void UseDevice(string? device)
        {
            _device = device ?? "cpu";
            _trace?.UseDevice(_device);
        }

        public void RunStarting()
        {
            _trace?.RunStarting();
            if (_nodeActivities is not null)
            {
                _runActivity = KilnActivity.Source.StartActivity(_plan.Name, ActivityKind.Internal);
                _runActivity?.SetTag("kiln.pipeline", _plan.Name);
            }
        }

        public void NodeStarting(int node)
        {
            _trace?.NodeStarting(node);
            if (_nodeActivities is not null && _runActivity is not null)
            {
                Activity? previous = Activity.Current;
                Activity? activity = KilnActivity.Source.StartActivity(
                    _plan.NodeNames[node], ActivityKind.Internal, _runActivity.Context);
                if (activity is not null)
                {
                    activity.SetTag("kiln.pipeline", _plan.Name);
                    activity.SetTag("kiln.node", _plan.NodeNames[node]);
                    activity.SetTag("kiln.kind", _plan.KindOf(node).ToString());
                    if (_plan.IsKernel(node))
                    {
                        activity.SetTag("kiln.device", _device);
                    }

                    if (_plan.GroupOf(node) is string group)
                    {
                        activity.SetTag("kiln.fusion_group", group);
                    }

                    _nodeActivities[node] = activity;

                    // StartActivity made it current on this thread; nodes are siblings under the run, so restore
                    // what was current before.
                    Activity.Current = previous;
                }
            }
        }

        public void NodeFinished(int node)
        {
            _trace?.NodeFinished(node, failed: false);
            EndActivity(node, null);
            int completed = Interlocked.Increment(ref _completed);
            _progress?.Report(new PipelineProgress(_plan.NodeNames[node], completed, _plan.NodeNames.Length));
        }

        /// <summary>A skipped node: an instant in the trace, a zero-length activity tagged <c>kiln.skipped</c>, and progress.</summary>
        public void NodeSkipped(int node) => NodeInstant(node, restored: false);

        /// <summary>
        /// A node restored from the run's store (or not needed by what remains to run): an instant in the trace, a
        /// zero-length activity tagged <c>kiln.restored</c>, and progress.
        /// </summary>
        public void NodeRestored(int node) => NodeInstant(node, restored: true);

        private void NodeInstant(int node, bool restored)
        {
            _trace?.NodeInstant(node, restored ? "restored" : "skipped");
            if (_nodeActivities is not null && _runActivity is not null)
            {
                Activity? previous = Activity.Current;
                Activity? activity = KilnActivity.Source.StartActivity(_plan.NodeNames[node], ActivityKind.Internal, _runActivity.Context);
                if (activity is not null)
                {
                    activity.SetTag("kiln.pipeline", _plan.Name);
                    activity.SetTag("kiln.node", _plan.NodeNames[node]);
                    activity.SetTag(restored ? "kiln.restored" : "kiln.skipped", true);
                    activity.Stop();
                }

                Activity.Current = previous;
            }

            int completed = Interlocked.Increment(ref _completed);
            _progress?.Report(new PipelineProgress(_plan.NodeNames[node], completed, _plan.NodeNames.Length, Skipped: !restored, Restored: restored));
        }

        public void NodeFailed(int node, Exception exception)
        {
            _trace?.NodeFinished(node, failed: true);
            EndActivity(node, exception);
        }

        /// <summary>Starts one attempt's activity (under its node's) and notes its start for the trace.</summary>
        public AttemptSpan AttemptStarting(int node, int item)
        {
            Activity? activity = null;
            if (_nodeActivities is not null && _runActivity is not null)
            {
                ActivityContext parent = Volatile.Read(ref _nodeActivities[node])?.Context ?? _runActivity.Context;
                activity = KilnActivity.Source.StartActivity(_plan.NodeNames[node] + " attempt", ActivityKind.Internal, parent);
                if (activity is not null)
                {
                    activity.SetTag("kiln.pipeline", _plan.Name);
                    activity.SetTag("kiln.node", _plan.NodeNames[node]);
                    if (item >= 0)
                    {
                        activity.SetTag("kiln.item", item);
                    }
                }
            }

            // The attempt's activity stays current while the node's method runs, so its own spans nest under it.
            return new AttemptSpan(node, item, Stopwatch.GetTimestamp(), Environment.CurrentManagedThreadId, activity);
        }

        public void AttemptFinished(AttemptSpan attempt, Exception? error, string? silo = null)
        {
            _trace?.AttemptFinished(attempt, error is not null, silo);
            if (attempt.Activity is { } activity)
            {
                if (silo is not null)
                {
                    activity.SetTag("kiln.silo", silo);
                }

                if (error is not null)
                {
                    activity.SetStatus(ActivityStatusCode.Error, error.Message);
                }

                activity.Stop();
            }
        }

        /// <summary>Ends the run's activity and writes the trace; returns what went wrong writing it, if anything.</summary>
        public Exception? RunFinished(Exception? error, bool cancelled)
        {
            if (_runActivity is not null)
            {
                if (error is not null)
                {
                    _runActivity.SetStatus(ActivityStatusCode.Error, error.Message);
                }
                else if (cancelled)
                {
                    _runActivity.SetStatus(ActivityStatusCode.Error, "cancelled");
                }

                _runActivity.Stop();
            }

            return _trace?.Write(error, cancelled);
        }

        private void EndActivity(int node, Exception? error)
        {
            if (_nodeActivities is null)
            {
                return;
            }

            Activity? activity = Interlocked.Exchange(ref _nodeActivities[node], null);
            if (activity is not null)
            {
                if (error is not null)
                {
                    activity.SetStatus(ActivityStatusCode.Error, error.Message);
                }

                activity.Stop();
            }
        }
    }

    /// <summary>One attempt of a map's item or of a retried task, between its start and its end. Used by generated code.</summary>
    /// <param name="Node">The node index.</param>
    /// <param name="Item">The map item's index, or -1.</param>
    /// <param name="Start">When it started (<see cref="Stopwatch.GetTimestamp"/>); 0 when the run is not observed.</param>
    /// <param name="Thread">The managed thread it started on.</param>
    /// <param name="Activity">Its activity, when someone listens to <see cref="KilnActivity.Source"/>.</param>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly record struct AttemptSpan(int Node, int Item, long Start, int Thread, Activity? Activity);

    /// <summary>The <see cref="ActivitySource"/> named <c>Kiln</c> that runs and nodes are traced with.</summary>
    public static class KilnActivity
    {
        /// <summary>The source's name, for <c>AddSource("Kiln")</c> in OpenTelemetry.</summary>
        public const string SourceName = "Kiln";

        /// <summary>The source runs and nodes start their activities from.</summary>
        public static ActivitySource Source { get; } = new(SourceName);
    }
}
