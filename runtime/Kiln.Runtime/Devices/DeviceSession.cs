using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// A run's use of a device: the streams it made or uploaded stay on the device, one buffer per node, until the
    /// run ends, when every buffer is released (success, failure or cancellation alike). Generated code launches
    /// fusion groups through <see cref="Begin"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class DeviceSession : IDisposable
    {
        private readonly ComputeDevice _device;
        private readonly DeviceBuffer?[] _resident;
        private readonly List<DeviceBuffer> _scratch = new();
        private bool _disposed;

        internal DeviceSession(ComputeDevice device, int nodeCount, TraceRecorder? trace = null)
        {
            _device = device;
            _resident = new DeviceBuffer?[nodeCount];
            Trace = trace;
        }

        /// <summary>
        /// The session a run's kernels use: the device <paramref name="options"/> ask for, or null for the CPU. The
        /// device layer chooses and opens it; the executor only receives it and releases it at the end.
        /// </summary>
        /// <exception cref="DeviceUnavailableException">A device was asked for explicitly and none is there.</exception>
        internal static DeviceSession? Open(KilnOptions options, int nodeCount, TraceRecorder? trace)
        {
            ComputeDevice? device = Kiln.Devices.Select(options.Device);
            return device is null ? null : new DeviceSession(device, nodeCount, trace);
        }

        /// <summary>Records transfers and launches as trace events when the run is traced.</summary>
        internal TraceRecorder? Trace { get; }

        /// <summary>The device this run uses.</summary>
        internal ComputeDevice Device => _device;

        /// <summary>The device kind: which generated kernel to launch (OpenCL C, or the ILGPU kernel on CUDA).</summary>
        public DeviceKind Kind => _device.Kind;

        /// <summary>The device's name, for traces.</summary>
        public string Name => _device.Info.Name;

        /// <summary>Starts describing one launch of <paramref name="kernel"/> over <paramref name="length"/> elements.</summary>
        /// <param name="sourceName">The generated source's name, for errors and the program cache.</param>
        /// <param name="source">The generated OpenCL C (empty for a CUDA launch, which runs an ILGPU kernel).</param>
        /// <param name="kernel">The kernel's name in the source.</param>
        /// <param name="length">The number of elements.</param>
        /// <param name="usesDouble">Whether the source computes in double.</param>
        /// <returns>The launch to add arguments to.</returns>
        public DeviceLaunch Begin(string sourceName, string source, string kernel, int length, bool usesDouble)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (usesDouble && !_device.SupportsDouble)
            {
                throw new NotSupportedException(
                    $"Kernel '{kernel}' computes in double, but {_device.Info.Kind} device '{_device.Info.Name}' does not support double precision. Run it on the CPU (KilnOptions.Device = DeviceKind.Cpu) or use float.");
            }

            return new DeviceLaunch(this, _device, sourceName, source, kernel, length);
        }

        internal DeviceBuffer StreamBuffer<T>(int node, T[]? host, string kernel)
            where T : unmanaged
        {
            lock (_resident)
            {
                if (_resident[node] is { } buffer)
                {
                    return buffer;
                }

                if (host is null)
                {
                    throw new InvalidOperationException($"Kernel '{kernel}' reads node {node}'s stream, which is neither on the device nor on the host.");
                }

                buffer = _device.Allocate((long)host.Length * Unsafe<T>.Size, kernel);
                try
                {
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    _device.Write<T>(buffer, host, kernel);
                    Trace?.DeviceEvent($"upload node {node}", "transfer", start, buffer.Bytes, kernel);
                }
                catch
                {
                    buffer.Dispose();
                    throw;
                }

                _resident[node] = buffer;
                return buffer;
            }
        }

        internal DeviceBuffer OutputBuffer<T>(int node, int length, string kernel)
            where T : unmanaged
        {
            DeviceBuffer buffer = _device.Allocate((long)length * Unsafe<T>.Size, kernel);
            lock (_resident)
            {
                _resident[node]?.Dispose();
                _resident[node] = buffer;
            }

            return buffer;
        }

        internal DeviceBuffer ScratchBuffer<T>(int count, string kernel)
            where T : unmanaged
        {
            DeviceBuffer buffer = _device.Allocate((long)count * Unsafe<T>.Size, kernel);
            lock (_resident)
            {
                _scratch.Add(buffer);
            }

            return buffer;
        }

        internal void Release(DeviceBuffer buffer)
        {
            lock (_resident)
            {
                _scratch.Remove(buffer);
            }

            buffer.Dispose();
        }

        internal DeviceBuffer Resident(int node, string kernel) =>
            _resident[node] ?? throw new InvalidOperationException($"Kernel '{kernel}' has no device stream for node {node}.");

        /// <summary>Releases every buffer of the run.</summary>
        /// <exception cref="DeviceException">A buffer could not be freed (the others still were).</exception>
        public void Dispose()
        {
            if (Release() is { } failure)
            {
                throw failure;
            }
        }

        /// <summary>Releases every buffer of the run, each even if freeing another fails.</summary>
        /// <returns>The first failure to free a buffer, or null.</returns>
        internal Exception? Release()
        {
            lock (_resident)
            {
                if (_disposed)
                {
                    return null;
                }

                _disposed = true;
                Exception? first = null;
                void Free(DeviceBuffer? buffer)
                {
                    try
                    {
                        buffer?.Dispose();
                    }
                    catch (DeviceException failure)
                    {
                        first ??= failure;
                    }
                }

                for (int i = 0; i < _resident.Length; i++)
                {
                    Free(_resident[i]);
                    _resident[i] = null;
                }

                foreach (DeviceBuffer buffer in _scratch)
                {
                    Free(buffer);
                }

                _scratch.Clear();
                return first;
            }
        }

        private static class Unsafe<T>
            where T : unmanaged
        {
            public static readonly unsafe int Size = sizeof(T);
        }
    }

    /// <summary>One kernel launch being described by generated code: arguments in the kernel's order, then <see cref="Run"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class DeviceLaunch
    {
        /// <summary>Work-items per group; reductions fold each group's items in a fixed tree of this size.</summary>
        public const int GroupSize = DeviceContract.GroupSize;

        private readonly DeviceSession _session;
        private readonly ComputeDevice _device;
        private readonly string _sourceName;
        private readonly string _source;
        private readonly string _kernel;
        private readonly int _length;
        private readonly List<KernelArgument> _arguments = new();
        private readonly Dictionary<int, DeviceBuffer> _partials = new();
        private DeviceBuffer? _fault;

        internal DeviceLaunch(DeviceSession session, ComputeDevice device, string sourceName, string source, string kernel, int length)
        {
            _session = session;
            _device = device;
            _sourceName = sourceName;
            _source = source;
            _kernel = kernel;
            _length = length;
            _arguments.Add(KernelArgument.Of(length));
        }

        /// <summary>The generated ILGPU launcher of a CUDA launch (<see cref="CudaLaunch.Begin"/>), an <c>Action&lt;CudaLaunch&gt;</c>.</summary>
        internal Delegate? CudaKernel { get; set; }

        /// <summary>The arguments so far: the length first, then each in the order the generated code added them.</summary>
        internal List<KernelArgument> Arguments => _arguments;

        /// <summary>The number of elements.</summary>
        internal int Length => _length;

        /// <summary>The kernel's name, for errors.</summary>
        internal string KernelName => _kernel;

        /// <summary>The number of work-groups, hence of reduction partials.</summary>
        public int Groups => (int)(((long)_length + GroupSize - 1) / GroupSize);

        /// <summary>A stream read element by element: the node's device buffer, uploaded from <paramref name="host"/> if not yet there.</summary>
        public DeviceLaunch Stream<T>(int node, T[]? host)
            where T : unmanaged
        {
            _arguments.Add(KernelArgument.Of(_session.StreamBuffer(node, host, _kernel)));
            return this;
        }

        /// <summary>A gathered stream: its buffer and its length.</summary>
        public unsafe DeviceLaunch Gather<T>(int node, T[]? host)
            where T : unmanaged
        {
            DeviceBuffer buffer = _session.StreamBuffer(node, host, _kernel);
            _arguments.Add(KernelArgument.Of(buffer));
            _arguments.Add(KernelArgument.Of((int)(buffer.Bytes / sizeof(T))));
            return this;
        }

        /// <summary>A uniform scalar.</summary>
        public DeviceLaunch Uniform<T>(T value)
            where T : unmanaged
        {
            _arguments.Add(KernelArgument.Of(value));
            return this;
        }

        /// <summary>A uniform bool, passed as one byte (OpenCL kernels cannot take bool).</summary>
        public DeviceLaunch Uniform(bool value)
        {
            _arguments.Add(KernelArgument.Of((byte)(value ? 1 : 0)));
            return this;
        }

        /// <summary>A stream the launch writes: it stays on the device as node <paramref name="node"/>'s.</summary>
        public DeviceLaunch Output<T>(int node)
            where T : unmanaged
        {
            _arguments.Add(KernelArgument.Of(_session.OutputBuffer<T>(node, _length, _kernel)));
            return this;
        }

        /// <summary>One partial result per work-group for reduction <paramref name="node"/>.</summary>
        public DeviceLaunch Partials<T>(int node)
            where T : unmanaged
        {
            DeviceBuffer buffer = _session.ScratchBuffer<T>(Math.Max(1, Groups), _kernel);
            _partials[node] = buffer;
            _arguments.Add(KernelArgument.Of(buffer));
            return this;
        }

        /// <summary>
        /// The last argument of a kernel that can fail as C# would (an integer division by zero, <c>int.MinValue / -1</c>,
        /// <c>Math.Abs</c> of a minimum value): a flag the kernel sets instead of trapping or giving an unspecified
        /// value. <see cref="Run"/> reads it and throws what C# would have thrown.
        /// </summary>
        public DeviceLaunch FaultFlag()
        {
            _fault = _session.ScratchBuffer<int>(1, _kernel);
            _device.Write<int>(_fault, stackalloc int[] { NoFault }, _kernel);
            _arguments.Add(KernelArgument.Of(_fault));
            return this;
        }

        /// <summary>Launches and waits.</summary>
        /// <exception cref="DivideByZeroException">The kernel divided an integer by zero.</exception>
        /// <exception cref="OverflowException">The kernel computed <c>MinValue / -1</c> or <c>Math.Abs(MinValue)</c>.</exception>
        /// <exception cref="ArithmeticException">The kernel called <c>Math.Sign</c> of a NaN.</exception>
        public void Run(CancellationToken cancellationToken)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            _device.Launch(_sourceName, _source, _kernel, _length, GroupSize, _arguments.ToArray(), CudaKernel, cancellationToken);
            _session.Trace?.DeviceEvent(_kernel, "launch", start, _length, _kernel);
            if (_fault is null)
            {
                return;
            }

            // The flag's buffer stays with the run's scratch buffers and is freed when the run ends.
            Span<int> fault = stackalloc int[1];
            _device.Read<int>(_fault, fault, _kernel);
            _fault = null;
            switch (fault[0])
            {
                case NoFault:
                    return;
                case DivideByZeroFault:
                    throw new DivideByZeroException($"Kernel '{_kernel}' ({_sourceName}) attempted to divide an integer by zero.");
                case OverflowFault:
                    throw new OverflowException($"Kernel '{_kernel}' ({_sourceName}) overflowed: an integer MinValue divided by -1, or Math.Abs of a MinValue.");
                case NaNFault:
                    throw new ArithmeticException($"Kernel '{_kernel}' ({_sourceName}) called Math.Sign of a NaN: Math.Sign does not accept floating point Not-a-Number values.");
                default:
                    throw new InvalidOperationException($"Kernel '{_kernel}' ({_sourceName}) left the unknown fault code {fault[0]}: the generated code and Kiln.Runtime disagree.");
            }
        }

        // The values the generated device code writes to the fault flag (DeviceDialect.FaultPrelude, IlgpuKernelWriter).
        private const int NoFault = DeviceContract.NoFault;
        private const int DivideByZeroFault = DeviceContract.DivideByZeroFault;
        private const int OverflowFault = DeviceContract.OverflowFault;
        private const int NaNFault = DeviceContract.NaNFault;

        /// <summary>Copies node <paramref name="node"/>'s stream to the host (once, where a task or a sink reads it).</summary>
        public T[] Download<T>(int node)
            where T : unmanaged
        {
            var host = GC.AllocateUninitializedArray<T>(_length);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            DeviceBuffer buffer = _session.Resident(node, _kernel);
            _device.Read<T>(buffer, host, _kernel);
            _session.Trace?.DeviceEvent($"download node {node}", "transfer", start, buffer.Bytes, _kernel);
            return host;
        }

        /// <summary>Copies reduction <paramref name="node"/>'s per-group partials to the host and frees them.</summary>
        public T[] DownloadPartials<T>(int node)
            where T : unmanaged
        {
            var host = new T[Groups];
            DeviceBuffer buffer = _partials[node];
            _device.Read<T>(buffer, host, _kernel);
            _session.Release(buffer);
            return host;
        }
    }
}
