using System;
using System.Collections.Generic;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// A CUDA device: an NVIDIA GPU driven by ILGPU's <c>CudaAccelerator</c>, or, where <c>KILN_CUDA_ACCELERATOR=cpu</c>
    /// (a testing aid), ILGPU's <c>CPUAccelerator</c> running the same generated ILGPU kernels on the CPU.
    /// <para>
    /// This class holds no ILGPU type: finding devices goes through <see cref="CudaDriver"/>, and the ILGPU half
    /// (<see cref="IlgpuBackend"/>) is attached by the first generated CUDA launch (<see cref="CudaLaunch.Begin"/>), which
    /// only a pipeline with kernels contains. So a program without kernels never loads ILGPU, and a trimmed one drops it.
    /// </para>
    /// </summary>
    internal sealed class CudaDevice : ComputeDevice
    {
        /// <summary>The environment variable that makes <see cref="DeviceKind.Cuda"/> ILGPU's CPU accelerator (<c>cpu</c>).</summary>
        public const string AcceleratorVariable = "KILN_CUDA_ACCELERATOR";

        private static readonly Lazy<(IReadOnlyList<CudaDevice> Devices, string Absence)> s_all = new(Probe);

        private readonly object _gate = new();
        private ComputeDevice? _backend;

        private CudaDevice(int ordinal, DeviceInfo info, bool onCpu)
        {
            Ordinal = ordinal;
            Info = info;
            OnCpu = onCpu;
        }

        public static IReadOnlyList<CudaDevice> All => s_all.Value.Devices;

        /// <summary>Why there is no CUDA device, or empty where there is one.</summary>
        public static string Absence => s_all.Value.Absence;

        /// <summary>Whether <c>KILN_CUDA_ACCELERATOR=cpu</c> asks for ILGPU's CPU accelerator instead of the GPUs.</summary>
        public static bool CpuRequested =>
            string.Equals(Environment.GetEnvironmentVariable(AcceleratorVariable)?.Trim(), "cpu", StringComparison.OrdinalIgnoreCase);

        /// <summary>The device's index among the driver's CUDA devices (ILGPU numbers them the same way).</summary>
        public int Ordinal { get; }

        /// <summary>Whether this is ILGPU's CPU accelerator standing in for a GPU.</summary>
        public bool OnCpu { get; }

        public override DeviceInfo Info { get; }

        public override bool SupportsDouble => true;

        /// <summary>The ILGPU half, once a generated launch has attached it.</summary>
        internal ComputeDevice Backend => _backend ?? throw new InvalidOperationException(
            $"CUDA device '{Info.Name}' has no ILGPU backend yet: only generated CUDA kernels attach it (CudaLaunch.Begin).");

        /// <summary>Attaches the ILGPU half on first use; later calls return the same one.</summary>
        internal ComputeDevice Attach(Func<CudaDevice, ComputeDevice> create)
        {
            lock (_gate)
            {
                return _backend ??= create(this);
            }
        }

        private static (IReadOnlyList<CudaDevice>, string) Probe()
        {
            var devices = new List<CudaDevice>();
            if (CpuRequested)
            {
                // Not a GPU: Auto never picks it; DeviceKind.Cuda (or KILN_DEVICE=cuda) does.
                devices.Add(new CudaDevice(0, new DeviceInfo(DeviceKind.Cuda, $"ILGPU CPU accelerator ({AcceleratorVariable}=cpu)", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, IsGpu: false), onCpu: true));
                return (devices, string.Empty);
            }

            (IReadOnlyList<DeviceInfo> found, string absence) = CudaDriver.Probe();
            for (int ordinal = 0; ordinal < found.Count; ordinal++)
            {
                devices.Add(new CudaDevice(ordinal, found[ordinal], onCpu: false));
            }

            return (devices, absence);
        }

        public override DeviceBuffer Allocate(long bytes, string kernel) => Backend.Allocate(bytes, kernel);

        public override void Write<T>(DeviceBuffer buffer, ReadOnlySpan<T> data, string kernel) => Backend.Write(buffer, data, kernel);

        public override void Read<T>(DeviceBuffer buffer, Span<T> data, string kernel) => Backend.Read(buffer, data, kernel);

        public override void Launch(string sourceName, string source, string kernel, int length, int groupSize, KernelArgument[] arguments, Delegate? cudaKernel, CancellationToken cancellationToken) =>
            Backend.Launch(sourceName, source, kernel, length, groupSize, arguments, cudaKernel, cancellationToken);
    }
}
