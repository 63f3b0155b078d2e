using System;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>A device that runs generated kernels: compiles them once per process and moves data.</summary>
    internal abstract class ComputeDevice
    {
        public abstract DeviceInfo Info { get; }

        /// <summary>The device API: picks the generated OpenCL C or the generated ILGPU kernel.</summary>
        public DeviceKind Kind => Info.Kind;

        public abstract bool SupportsDouble { get; }

        public abstract DeviceBuffer Allocate(long bytes, string kernel);

        public abstract void Write<T>(DeviceBuffer buffer, ReadOnlySpan<T> data, string kernel)
            where T : unmanaged;

        public abstract void Read<T>(DeviceBuffer buffer, Span<T> data, string kernel)
            where T : unmanaged;

        /// <summary>
        /// Runs <paramref name="kernel"/> over <paramref name="length"/> work-items in groups of <paramref name="groupSize"/>,
        /// and waits for it: on OpenCL the kernel of that name in <paramref name="source"/> (compiled on first use and kept),
        /// on CUDA the generated ILGPU launcher <paramref name="cudaKernel"/> (an <c>Action&lt;CudaLaunch&gt;</c>). Cancellation
        /// stops the wait once the launch has finished (a running kernel cannot be aborted) and then throws.
        /// </summary>
        public abstract void Launch(string sourceName, string source, string kernel, int length, int groupSize, KernelArgument[] arguments, Delegate? cudaKernel, CancellationToken cancellationToken);
    }

    /// <summary>Device memory; released when disposed.</summary>
    internal abstract class DeviceBuffer : IDisposable
    {
        protected DeviceBuffer(long bytes) => Bytes = bytes;

        public long Bytes { get; }

        public abstract void Dispose();
    }

    /// <summary>One argument of a kernel launch: a buffer, or a scalar's bytes.</summary>
    internal readonly struct KernelArgument
    {
        private KernelArgument(DeviceBuffer? buffer, ulong bits, int size)
        {
            Buffer = buffer;
            Bits = bits;
            Size = size;
        }

        public DeviceBuffer? Buffer { get; }

        public ulong Bits { get; }

        public int Size { get; }

        public static KernelArgument Of(DeviceBuffer buffer) => new(buffer, 0, 0);

        public static unsafe KernelArgument Of<T>(T value)
            where T : unmanaged
        {
            ulong bits = 0;
            *(T*)&bits = value;
            return new KernelArgument(null, bits, sizeof(T));
        }
    }
}
