using System;
using System.ComponentModel;
using ILGPU;

namespace Kiln.Execution
{
    /// <summary>
    /// One CUDA launch of a generated ILGPU kernel. The generated code begins it with <see cref="Begin"/>, adds the
    /// arguments through the returned <see cref="DeviceLaunch"/> as for OpenCL, and its ILGPU launcher (an
    /// <c>Action&lt;CudaLaunch&gt;</c> in the pipeline's nested <c>__KilnCuda</c> class) then reads them back as ILGPU
    /// views and scalars and calls <see cref="Run{TArguments}"/>. Only generated kernel code refers to this class, so a
    /// pipeline without kernels never loads ILGPU.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class CudaLaunch
    {
        private readonly IlgpuBackend _backend;
        private readonly string _sourceName;
        private readonly string _kernel;
        private readonly int _groups;
        private readonly int _groupSize;
        private readonly KernelArgument[] _arguments;

        internal CudaLaunch(IlgpuBackend backend, string sourceName, string kernel, int length, int groups, int groupSize, KernelArgument[] arguments)
        {
            _backend = backend;
            _sourceName = sourceName;
            _kernel = kernel;
            Length = length;
            _groups = groups;
            _groupSize = groupSize;
            _arguments = arguments;
        }

        /// <summary>The number of elements (work-items that do work; the last group may have idle ones).</summary>
        public int Length { get; }

        /// <summary>
        /// Starts a CUDA launch of <paramref name="kernel"/>: attaches ILGPU to the run's CUDA device on first use, then
        /// describes the launch like an OpenCL one; <paramref name="launcher"/> runs the ILGPU kernel.
        /// </summary>
        /// <param name="session">The run's device session (a CUDA device).</param>
        /// <param name="sourceName">The fusion group's name, for errors.</param>
        /// <param name="kernel">The kernel's name, for errors and traces.</param>
        /// <param name="length">The number of elements.</param>
        /// <param name="usesDouble">Whether the kernel computes in double.</param>
        /// <param name="launcher">The generated launcher.</param>
        /// <returns>The launch to add arguments to.</returns>
        public static DeviceLaunch Begin(DeviceSession session, string sourceName, string kernel, int length, bool usesDouble, Action<CudaLaunch> launcher)
        {
            if (session.Device is not CudaDevice cuda)
            {
                throw new InvalidOperationException($"Kernel '{kernel}' ({sourceName}) was begun as a CUDA launch on a {session.Kind} device.");
            }

            cuda.Attach(static device => new IlgpuBackend(device));
            DeviceLaunch launch = session.Begin(sourceName, string.Empty, kernel, length, usesDouble);
            launch.CudaKernel = launcher;
            return launch;
        }

        /// <summary>Argument <paramref name="index"/> (0 is the length) as a view of <typeparamref name="T"/> elements.</summary>
        public ArrayView<T> View<T>(int index)
            where T : unmanaged =>
            _arguments[index].Buffer is { } buffer
                ? _backend.View<T>(buffer, _kernel)
                : throw new InvalidOperationException($"Argument {index} of kernel '{_kernel}' is not a buffer.");

        /// <summary>Argument <paramref name="index"/> as a scalar (bools are bytes, as on OpenCL).</summary>
        public unsafe T Scalar<T>(int index)
            where T : unmanaged
        {
            KernelArgument argument = _arguments[index];
            if (argument.Buffer is not null || argument.Size != sizeof(T))
            {
                throw new InvalidOperationException($"Argument {index} of kernel '{_kernel}' is not a {typeof(T).Name}.");
            }

            ulong bits = argument.Bits;
            return *(T*)&bits;
        }

        /// <summary>Runs <paramref name="kernel"/> (loaded once per accelerator) over the launch's groups and waits.</summary>
        /// <param name="kernel">The generated, explicitly grouped ILGPU kernel.</param>
        /// <param name="arguments">Its arguments.</param>
        public void Run<TArguments>(Action<TArguments> kernel, TArguments arguments)
            where TArguments : struct =>
            _backend.Run(kernel, arguments, _sourceName, _kernel, _groups, _groupSize);
    }
}
