using System;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// Watches one run for progress reports, <see cref="Activity"/> spans and a Chrome trace. Created only when
    /// someone listens, so an unobserved run pays one test of a local per node and nothing else.
    /// </summary>
    /// <remarks>
    /// Only a run someone traces may load <c>System.Diagnostics.DiagnosticSource</c>: once it is loaded,
    /// <see cref="ActivityGate"/> opens and the next run pays the source's initialization. Compiling a method that names
    /// an <see cref="Activity"/> member loads it, so every use of one is in a <c>NoInlining</c> method of its own that
    /// only a traced run calls (<c>_traced</c>), and the methods the executor and generated code call are never
    /// inlined either (an inlining attempt reads their IL). A run with only progress or a trace file stays clear of it.
    /// </remarks>
    internal sealed class RunObserver
    {
        private readonly PipelinePlan _plan;
        private readonly IProgress<PipelineProgress>? _progress;
        private Activity?[]? _nodeActivities;
        private readonly TraceRecorder? _trace;
        private readonly bool _traced;
        private Activity? _runActivity;
        private int _completed;
        private string _device = "cpu";

        [MethodImpl(MethodImplOptions.NoInlining)]
        private RunObserver(PipelinePlan plan, IProgress<PipelineProgress>? progress, bool traced, string? tracePath)
        {
            _plan = plan;
            _progress = progress;
            _traced = traced;
            if (traced)
            {
                CreateNodeActivities();
            }

            _trace = tracePath is null ? null : new TraceRecorder(plan, tracePath);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void CreateNodeActivities() => _nodeActivities = new Activity?[_plan.NodeNames.Length];

        /// <summary>The trace being recorded, if the run is traced.</summary>
        public TraceRecorder? Trace => _trace;

        public static RunObserver? Create(PipelinePlan plan, KilnOptions options)
        {
            bool traced = ActivityGate.HasListeners();
            if (options.Progress is null && !traced && options.TracePath is null)
            {
                return null;
            }

            return new RunObserver(plan, options.Progress, traced, options.TracePath);
        }

        /// <summary>Names the device kernels run on (null: the CPU backend).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void UseDevice(string? device)
        {
            _device = device ?? "cpu";
            _trace?.UseDevice(_device);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void RunStarting()
        {
            _trace?.RunStarting();
            if (_traced)
            {
                StartRunActivity();
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void StartRunActivity()
        {
            _runActivity = KilnActivity.Source.StartActivity(_plan.Name, ActivityKind.Internal);
            _runActivity?.SetTag("kiln.pipeline", _plan.Name);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void NodeStarting(int node)
        {
            _trace?.NodeStarting(node);
            if (_traced)
            {
                StartNodeActivity(node);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void StartNodeActivity(int node)
        {
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

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void NodeFinished(int node)
        {
            _trace?.NodeFinished(node, failed: false);
            if (_traced)
            {
                EndActivity(node, null);
            }

            int completed = Interlocked.Increment(ref _completed);
            _progress?.Report(new PipelineProgress(_plan.NodeNames[node], completed, _plan.NodeNames.Length));
        }

        /// <summary>A skipped node: an instant in the trace, a zero-length activity tagged <c>kiln.skipped</c>, and progress.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void NodeSkipped(int node) => NodeInstant(node, restored: false);

        /// <summary>
        /// A node restored from the run's store (or not needed by what remains to run): an instant in the trace, a
        /// zero-length activity tagged <c>kiln.restored</c>, and progress.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void NodeRestored(int node) => NodeInstant(node, restored: true);

        private void NodeInstant(int node, bool restored)
        {
            _trace?.NodeInstant(node, restored ? "restored" : "skipped");
            if (_traced)
            {
                InstantActivity(node, restored);
            }

            int completed = Interlocked.Increment(ref _completed);
            _progress?.Report(new PipelineProgress(_plan.NodeNames[node], completed, _plan.NodeNames.Length, Skipped: !restored, Restored: restored));
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void InstantActivity(int node, bool restored)
        {
            if (_runActivity is not null)
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
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void NodeFailed(int node, Exception exception)
        {
            _trace?.NodeFinished(node, failed: true);
            if (_traced)
            {
                EndActivity(node, exception);
            }
        }

        /// <summary>Starts one attempt's activity (under its node's) and notes its start for the trace.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public AttemptSpan AttemptStarting(int node, int item) =>
            _traced
                ? TracedAttempt(node, item)
                : default(AttemptSpan) with { Node = node, Item = item, Start = Stopwatch.GetTimestamp(), Thread = Environment.CurrentManagedThreadId };

        [MethodImpl(MethodImplOptions.NoInlining)]
        private AttemptSpan TracedAttempt(int node, int item)
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

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void AttemptFinished(AttemptSpan attempt, Exception? error, string? silo = null)
        {
            _trace?.AttemptFinished(attempt, error is not null, silo);
            if (_traced)
            {
                EndAttemptActivity(attempt, error, silo);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void EndAttemptActivity(AttemptSpan attempt, Exception? error, string? silo)
        {
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
        [MethodImpl(MethodImplOptions.NoInlining)]
        public Exception? RunFinished(Exception? error, bool cancelled)
        {
            if (_traced)
            {
                EndRunActivity(error, cancelled);
            }

            return _trace?.Write(error, cancelled);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void EndRunActivity(Exception? error, bool cancelled)
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
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
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

    /// <summary>
    /// Asks <see cref="KilnActivity.Source"/> for listeners only once someone could be listening. Creating an
    /// <see cref="ActivitySource"/> runs <c>System.Diagnostics.DiagnosticSource</c>'s static initialization, which
    /// took 20–30 ms of a new process's first run here, about a third of a 1,024-task fan-out's first run
    /// (docs/design.md, "Cold start"). Every listener (OpenTelemetry's, or an <see cref="ActivityListener"/> of the
    /// user's) is a type of that assembly, so while the process has not loaded it, nobody can listen and the source
    /// need not exist yet. Once it is loaded, the next run creates the source (which tells every listener about it)
    /// and asks as before.
    /// </summary>
    internal static class ActivityGate
    {
        private const string DiagnosticSourcePrefix = "System.Diagnostics.DiagnosticSource,";
        private static volatile bool s_loaded;

        static ActivityGate()
        {
            // Native AOT: every assembly is in the image from the start and none is ever loaded later, so a watch
            // could miss the listener; open from the start (the source is part of the image there too).
            if (!RuntimeFeature.IsDynamicCodeCompiled)
            {
                s_loaded = true;
                return;
            }

            // Subscribe before looking, so that a load in between is not missed.
            AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
            foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (IsDiagnosticSource(assembly))
                {
                    Open();
                    break;
                }
            }
        }

        /// <summary>Whether a run should be traced: the source exists (or may now be created) and has listeners.</summary>
        public static bool HasListeners() => s_loaded && SourceHasListeners();

        // Apart, so that compiling HasListeners never resolves the DiagnosticSource types.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool SourceHasListeners() => KilnActivity.Source.HasListeners();

        private static void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs e)
        {
            if (IsDiagnosticSource(e.LoadedAssembly))
            {
                Open();
            }
        }

        private static void Open()
        {
            s_loaded = true;
            AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
        }

        private static bool IsDiagnosticSource(Assembly assembly) =>
            assembly.FullName?.StartsWith(DiagnosticSourcePrefix, StringComparison.Ordinal) == true;
    }

    /// <summary>The <see cref="ActivitySource"/> named <c>Kiln</c> that runs and nodes are traced with.</summary>
    public static class KilnActivity
    {
        /// <summary>The source's name, for <c>AddSource("Kiln")</c> in OpenTelemetry.</summary>
        public const string SourceName = "Kiln";

        /// <summary>The source runs and nodes start their activities from.</summary>
        public static ActivitySource Source { get; } = new(SourceName);
    }
}
