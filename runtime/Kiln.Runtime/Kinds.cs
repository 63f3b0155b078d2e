namespace Kiln
{
    /// <summary>The kind of a pipeline node.</summary>
    public enum NodeKind
    {
        /// <summary>A <see cref="TaskAttribute"/> method.</summary>
        Task,
        /// <summary>A <see cref="KernelAttribute"/> method.</summary>
        Kernel,
        /// <summary>A <see cref="ReduceAttribute"/> method.</summary>
        Reduce,
        /// <summary>A <see cref="StageAttribute"/> method.</summary>
        Stage,
        /// <summary>A <see cref="MapAttribute"/> method: a task run once per element of a collection.</summary>
        Map,
    }

    /// <summary>Where kernels run.</summary>
    public enum DeviceKind
    {
        /// <summary>A CUDA GPU if present, else an OpenCL GPU, else the CPU; <c>KILN_DEVICE</c> overrides.</summary>
        Auto,
        /// <summary>The CPU, with generated vectorized loops.</summary>
        Cpu,
        /// <summary>An OpenCL device through the ICD loader.</summary>
        OpenCl,
        /// <summary>An NVIDIA GPU through ILGPU's CUDA accelerator (the NVIDIA driver is all a machine needs).</summary>
        Cuda,
    }
}
