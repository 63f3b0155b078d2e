using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Kiln.Execution
{
    /// <summary>
    /// The ILGPU half of a <see cref="CudaDevice"/>: one ILGPU context per process, an accelerator per device, device
    /// memory as ILGPU buffers, and each generated kernel loaded (compiled by ILGPU to PTX and by the driver to SASS)
    /// once per accelerator. A CUDA error during a launch leaves the CUDA context unusable, so the accelerator is then
    /// disposed and the next call makes a new one; buffers from before fail with <c>CUDA_ERROR_CONTEXT_IS_DESTROYED</c>.
    /// </summary>
    internal sealed class IlgpuBackend : ComputeDevice
    {
        /// <summary>Threads per group of the CPU accelerator: <see cref="DeviceLaunch.GroupSize"/> (32 per warp, 8 warps).</summary>
        private const int CpuWarpSize = 32;

        private static readonly object s_contextGate = new();
        private static Context? s_context;
        private static bool s_libDevice;

        private readonly CudaDevice _device;
        private readonly object _gate = new();
        private readonly object _launchGate = new();
        private readonly Dictionary<MethodInfo, Delegate> _kernels = new();
        private Accelerator? _accelerator;
        private int _generation;

        public IlgpuBackend(CudaDevice device) => _device = device;

        public override DeviceInfo Info => _device.Info;

        public override bool SupportsDouble => true;

        /// <summary>Whether ILGPU's context found the CUDA toolkit's libdevice (CUDA_HOME/CUDA_PATH) for math functions.</summary>
        public static bool UsesLibDevice => s_libDevice;

        /// <summary>
        /// The process's ILGPU context: the CPU accelerator's or the GPUs', with ILGPU.Algorithms' math (XMath) and, where
        /// the CUDA toolkit's libdevice is found, libdevice's instead for the functions it has.
        /// </summary>
        private static Context Shared(bool onCpu)
        {
            lock (s_contextGate)
            {
                if (s_context is not null)
                {
                    return s_context;
                }

                s_context = Context.Create(builder =>
                {
                    builder.EnableAlgorithms();
                    if (onCpu)
                    {
                        builder.CPU(new CPUDevice(CpuWarpSize, DeviceLaunch.GroupSize / CpuWarpSize, 1));
                        return;
                    }

                    builder.Cuda();
                    try
                    {
                        builder.LibDevice();
                        s_libDevice = true;
                    }
                    catch (Exception exception) when (exception is NotSupportedException or IOException or UnauthorizedAccessException)
                    {
                        // No CUDA toolkit: ILGPU's own math (ILGPU.Algorithms) stands in; docs/design.md says where it differs.
                    }
                });
                return s_context;
            }
        }

        /// <summary>The accelerator, made on first use and after a reset, with its generation.</summary>
        public Accelerator Current(out int generation)
        {
            lock (_gate)
            {
                if (_accelerator is null)
                {
                    Context context = Shared(_device.OnCpu);
                    try
                    {
                        _accelerator = _device.OnCpu
                            ? context.CreateCPUAccelerator(0)
                            : context.CreateCudaAccelerator(_device.Ordinal);
                    }
                    catch (Exception exception) when (exception is not OutOfMemoryException)
                    {
                        throw Failure("CreateAccelerator", exception, null);
                    }
                }

                generation = _generation;
                return _accelerator;
            }
        }

        /// <summary>A DeviceException for an ILGPU or CUDA failure: the CUDA error's name where there is one.</summary>
        private static DeviceException Failure(string call, Exception exception, string? kernel, string? detail = null)
        {
            // ILGPU gives the CUDA error's enum name (CUDA_ERROR_OUT_OF_MEMORY); its number is the enum's value.
            (int code, string name) = exception is CudaException cuda
                ? (Enum.TryParse(cuda.Error, out CudaError error) ? (int)error : -1, cuda.Error)
                : (-1, exception.GetType().Name);
            string more = detail is null ? exception.Message : exception.Message + Environment.NewLine + detail;
            var failure = new DeviceException(DeviceKind.Cuda, call, code, name, kernel, more);
            return failure;
        }

        /// <summary>
        /// Disposes the accelerator after a CUDA error, so that the next call makes a fresh one (and CUDA context); buffers
        /// of the old one are refused from then on.
        /// </summary>
        private string Reset(int generation)
        {
            lock (_gate)
            {
                if (generation != _generation || _accelerator is null)
                {
                    return "The CUDA context had already been reset after this error; later runs start clean.";
                }

                _generation++;
                _kernels.Clear();
                Accelerator broken = _accelerator;
                _accelerator = null;
                try
                {
                    broken.Dispose();
                }
                catch (Exception exception) when (exception is CudaException or InvalidOperationException)
                {
                    return "The error left the CUDA context unusable; Kiln dropped it (disposing it failed: " + exception.Message + "); later runs start clean.";
                }

                return "The error left the CUDA context unusable, so Kiln reset it; later runs start clean.";
            }
        }

        private static ArrayView<byte> View(DeviceBuffer buffer, int generation, string call, string? kernel)
        {
            var ilgpu = (Buffer)buffer;
            return ilgpu.Generation == generation && ilgpu.Memory is { } memory
                ? memory.View.AsContiguous()
                : throw new DeviceException(
                    DeviceKind.Cuda, call, 709, "CUDA_ERROR_CONTEXT_IS_DESTROYED", kernel,
                    "The buffer belongs to a CUDA context that Kiln reset after a kernel fault, so this run cannot go on.");
        }

        /// <summary>The view of <paramref name="buffer"/> as elements of <typeparamref name="T"/>, for a kernel argument.</summary>
        public ArrayView<T> View<T>(DeviceBuffer buffer, string kernel)
            where T : unmanaged
        {
            Current(out int generation);
            ArrayView<byte> bytes = View(buffer, generation, "LaunchKernel", kernel);
            long count = buffer.Bytes / Marshal.SizeOf<T>();
            return bytes.Cast<T>().SubView(0, count);
        }

        public override DeviceBuffer Allocate(long bytes, string kernel)
        {
            Accelerator accelerator = Current(out int generation);
            try
            {
                return new Buffer(this, accelerator.Allocate1D<byte>(Math.Max(bytes, 1)), bytes, generation);
            }
            catch (Exception exception) when (exception is CudaException or OutOfMemoryException or ArgumentOutOfRangeException or InsufficientMemoryException)
            {
                throw Failure("Allocate1D", exception, kernel);
            }
        }

        // ILGPU's CopyFromCPU/CopyToCPU(ref T, long) want "the base address of the pinned CPU buffer": they take the
        // reference's address as a raw pointer, allocate a buffer object around it, and only then copy (an async copy on a
        // GPU). An unpinned array that a compacting GC moves in between is read from, or written to, its old address:
        // an upload sends stale memory, a download writes into freed heap and leaves the array as it was (zeros). So
        // the host memory stays pinned until the copy has finished (CopyFromCPU/CopyToCPU synchronize before returning).
        public override unsafe void Write<T>(DeviceBuffer buffer, ReadOnlySpan<T> data, string kernel)
        {
            if (data.IsEmpty)
            {
                return;
            }

            Current(out int generation);
            ArrayView<T> view = View(buffer, generation, "CopyFromCPU", kernel).Cast<T>().SubView(0, data.Length);
            try
            {
                fixed (T* source = data)
                {
                    view.CopyFromCPU(ref *source, data.Length);
                }
            }
            catch (CudaException exception)
            {
                throw Failure("CopyFromCPU", exception, kernel, Reset(generation));
            }
        }

        public override unsafe void Read<T>(DeviceBuffer buffer, Span<T> data, string kernel)
        {
            if (data.IsEmpty)
            {
                return;
            }

            Current(out int generation);
            ArrayView<T> view = View(buffer, generation, "CopyToCPU", kernel).Cast<T>().SubView(0, data.Length);
            try
            {
                fixed (T* target = data)
                {
                    view.CopyToCPU(ref *target, data.Length);
                }
            }
            catch (CudaException exception)
            {
                throw Failure("CopyToCPU", exception, kernel, Reset(generation));
            }
        }

        public override void Launch(string sourceName, string source, string kernel, int length, int groupSize, KernelArgument[] arguments, Delegate? cudaKernel, CancellationToken cancellationToken)
        {
            if (length == 0)
            {
                return;
            }

            if (cudaKernel is not Action<CudaLaunch> launcher)
            {
                throw new InvalidOperationException($"Kernel '{kernel}' ({sourceName}) has no generated ILGPU kernel to run on CUDA.");
            }

            int groups = (int)(((long)length + groupSize - 1) / groupSize);
            launcher(new CudaLaunch(this, sourceName, kernel, length, groups, groupSize, arguments));
            cancellationToken.ThrowIfCancellationRequested();
        }

        /// <summary>Loads <paramref name="kernel"/> once per accelerator, launches it and waits.</summary>
        internal void Run<TArguments>(Action<TArguments> kernel, in TArguments arguments, string sourceName, string name, int groups, int groupSize)
            where TArguments : struct
        {
            Accelerator accelerator = Current(out int generation);
            Action<AcceleratorStream, KernelConfig, TArguments> launcher;
            lock (_gate)
            {
                if (_kernels.TryGetValue(kernel.Method, out Delegate? loaded) && generation == _generation)
                {
                    launcher = (Action<AcceleratorStream, KernelConfig, TArguments>)loaded;
                }
                else
                {
                    try
                    {
                        launcher = accelerator is CudaAccelerator
                            && WithoutContraction(accelerator, kernel.Method) is { } compiled
                            ? accelerator.LoadKernel(compiled).CreateLauncherDelegate<Action<AcceleratorStream, KernelConfig, TArguments>>()
                            : accelerator.LoadKernel<TArguments>(kernel);
                    }
                    catch (Exception exception) when (exception is not OutOfMemoryException)
                    {
                        // ILGPU's compiler (or the driver's PTX JIT) refused the generated kernel: a Kiln bug, named.
                        throw Failure("LoadKernel", exception, name, $"The generated ILGPU kernel {kernel.Method.DeclaringType?.FullName}.{kernel.Method.Name} of '{sourceName}' did not compile.");
                    }

                    _kernels[kernel.Method] = launcher;
                }
            }

            try
            {
                // One launch at a time per device: runs on one GPU serialize on its default stream anyway, and ILGPU's
                // CPU accelerator runs one grid at a time on its own threads.
                lock (_launchGate)
                {
                    launcher(accelerator.DefaultStream, new KernelConfig(groups, groupSize), arguments);
                    accelerator.Synchronize();
                }
            }
            catch (CudaException exception)
            {
                throw Failure("LaunchKernel", exception, name, Reset(generation));
            }
        }

        /// <summary>
        /// ILGPU writes float <c>a * b + c</c> as <c>mul.f32</c> and <c>add.f32</c> without a rounding mode, which PTX lets
        /// the driver's compiler contract into one <c>fma</c> (rounded once, unlike C#). This adds <c>.rn</c> to every
        /// float add, sub and mul, which PTX never contracts, so each rounds as in C#.
        /// </summary>
        public static string NoContraction(string ptx) =>
            System.Text.RegularExpressions.Regex.Replace(ptx, @"\b(add|sub|mul)\.f(32|64)\b", "$1.rn.f$2");

        /// <summary>
        /// <paramref name="kernel"/> compiled by the accelerator's own PTX backend (libdevice included) with
        /// <see cref="NoContraction"/> applied, or null where ILGPU's internals are not as in 1.5.3 (then ILGPU's own load
        /// is used, and a GPU may contract).
        /// </summary>
        private static CompiledKernel? WithoutContraction(Accelerator accelerator, MethodInfo kernel)
        {
            const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;
            if (typeof(Accelerator).GetProperty("Backend", Internal)?.GetValue(accelerator) is not ILGPU.Backends.Backend backend
                || typeof(CompiledKernel).GetProperty("EntryPoint", Internal) is not { } entryPoint
                || typeof(ILGPU.Backends.PTX.PTXCompiledKernel).GetConstructor(
                    Internal, new[] { typeof(Context), typeof(ILGPU.Backends.EntryPoints.EntryPoint), typeof(ILGPU.Backends.CompiledKernel.KernelInfo), typeof(string) }) is not { } create)
            {
                return null;
            }

            var compiled = (ILGPU.Backends.PTX.PTXCompiledKernel)backend.Compile(
                ILGPU.Backends.EntryPoints.EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default);
            return (CompiledKernel)create.Invoke(new object?[] { compiled.Context, entryPoint.GetValue(compiled), compiled.Info, NoContraction(compiled.PTXAssembly) });
        }

        private sealed class Buffer : DeviceBuffer
        {
            private readonly IlgpuBackend _backend;
            private MemoryBuffer1D<byte, Stride1D.Dense>? _memory;

            public Buffer(IlgpuBackend backend, MemoryBuffer1D<byte, Stride1D.Dense> memory, long bytes, int generation)
                : base(bytes)
            {
                _backend = backend;
                _memory = memory;
                Generation = generation;
            }

            public int Generation { get; }

            public MemoryBuffer1D<byte, Stride1D.Dense>? Memory => _memory;

            public override void Dispose()
            {
                MemoryBuffer1D<byte, Stride1D.Dense>? memory = Interlocked.Exchange(ref _memory, null);
                if (memory is null)
                {
                    return;
                }

                // A reset since the allocation disposed the accelerator and its buffers with it.
                lock (_backend._gate)
                {
                    if (Generation == _backend._generation)
                    {
                        try
                        {
                            memory.Dispose();
                        }
                        catch (CudaException exception)
                        {
                            throw Failure("MemoryBuffer.Dispose", exception, null);
                        }
                    }
                }
            }
        }
    }
}
