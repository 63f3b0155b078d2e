using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// An OpenCL device with one context and one in-order queue for the process. Programs are built once per source
    /// and kept, as are their kernels; a kernel's arguments are set and its launch enqueued under a lock, since
    /// clSetKernelArg on one kernel object is not thread-safe.
    /// </summary>
    internal sealed unsafe class OpenClDevice : ComputeDevice
    {
        private static readonly Lazy<(IReadOnlyList<OpenClDevice> Devices, string Absence)> s_all = new(Probe);

        private readonly IntPtr _device;
        private readonly object _gate = new();
        private readonly Dictionary<string, Program> _programs = new(StringComparer.Ordinal);
        private OpenClHandle? _context;
        private OpenClHandle? _queue;

        private OpenClDevice(IntPtr device, DeviceInfo info, bool supportsDouble, long maxWorkGroupSize)
        {
            _device = device;
            Info = info;
            SupportsDouble = supportsDouble;
            MaxWorkGroupSize = maxWorkGroupSize;
        }

        /// <summary>Every OpenCL device of every platform, GPUs first.</summary>
        public static IReadOnlyList<OpenClDevice> All => s_all.Value.Devices;

        /// <summary>Why there is no device, for error messages.</summary>
        public static string Absence => s_all.Value.Absence;

        public override DeviceInfo Info { get; }

        public override bool SupportsDouble { get; }

        public long MaxWorkGroupSize { get; }

        private static (IReadOnlyList<OpenClDevice>, string) Probe()
        {
            var devices = new List<OpenClDevice>();
            uint platformCount;
            FaultSignals.Record();
            OpenCl.KeepRuntimeSignalHandlers();
            try
            {
                int code = OpenCl.GetPlatformIds(0, null, &platformCount);
                if (code != 0)
                {
                    return (devices, $"clGetPlatformIds returned {OpenCl.ErrorName(code)} (is an ICD such as pocl-opencl-icd installed?)");
                }
            }
            catch (DllNotFoundException)
            {
                return (devices, "libOpenCL.so.1 could not be loaded (install ocl-icd-libopencl1 and a driver, e.g. pocl-opencl-icd)");
            }
            catch (EntryPointNotFoundException exception)
            {
                return (devices, "libOpenCL.so.1 lacks an entry point: " + exception.Message);
            }

            if (platformCount == 0)
            {
                return (devices, "the OpenCL loader found no platform");
            }

            var platforms = new IntPtr[platformCount];
            fixed (IntPtr* list = platforms)
            {
                OpenCl.Check(OpenCl.GetPlatformIds(platformCount, list, null), "clGetPlatformIDs");
            }

            foreach (IntPtr platform in platforms)
            {
                uint deviceCount;
                if (OpenCl.GetDeviceIds(platform, OpenCl.DeviceTypeAll, 0, null, &deviceCount) != 0 || deviceCount == 0)
                {
                    continue;
                }

                var ids = new IntPtr[deviceCount];
                fixed (IntPtr* list = ids)
                {
                    OpenCl.Check(OpenCl.GetDeviceIds(platform, OpenCl.DeviceTypeAll, deviceCount, list, null), "clGetDeviceIDs");
                }

                foreach (IntPtr id in ids)
                {
                    ulong type = ReadULong(id, OpenCl.DeviceType);
                    long memory = (long)ReadULong(id, OpenCl.DeviceGlobalMemSize);
                    ulong doubles = ReadULong(id, OpenCl.DeviceDoubleFpConfig);
                    nuint workGroup;
                    OpenCl.Check(OpenCl.GetDeviceInfo(id, OpenCl.DeviceMaxWorkGroupSize, (nuint)sizeof(nuint), &workGroup, null), "clGetDeviceInfo");
                    bool gpu = (type & OpenCl.DeviceTypeGpu) != 0;
                    var info = new DeviceInfo(DeviceKind.OpenCl, ReadString(id), memory, gpu);
                    devices.Add(new OpenClDevice(id, info, doubles != 0, (long)workGroup));
                }
            }

            devices.Sort((a, b) => b.Info.IsGpu.CompareTo(a.Info.IsGpu));
            return (devices, devices.Count == 0 ? "no OpenCL platform has a device" : string.Empty);
        }

        private static ulong ReadULong(IntPtr device, uint name)
        {
            ulong value = 0;
            nuint size;
            OpenCl.Check(OpenCl.GetDeviceInfo(device, name, 0, null, &size), "clGetDeviceInfo");
            if (size > (nuint)sizeof(ulong))
            {
                return 0;
            }

            OpenCl.Check(OpenCl.GetDeviceInfo(device, name, size, &value, null), "clGetDeviceInfo");
            return value;
        }

        private static string ReadString(IntPtr device)
        {
            nuint size;
            OpenCl.Check(OpenCl.GetDeviceInfo(device, OpenCl.DeviceName, 0, null, &size), "clGetDeviceInfo");
            var bytes = new byte[(int)size];
            fixed (byte* text = bytes)
            {
                OpenCl.Check(OpenCl.GetDeviceInfo(device, OpenCl.DeviceName, size, text, null), "clGetDeviceInfo");
            }

            return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
        }

        private void EnsureContext()
        {
            if (_queue is not null)
            {
                return;
            }

            lock (_gate)
            {
                if (_queue is not null)
                {
                    return;
                }

                int error;
                IntPtr device = _device;
                IntPtr context = OpenCl.CreateContext(null, 1, &device, IntPtr.Zero, IntPtr.Zero, &error);
                OpenCl.Check(error, "clCreateContext");
                _context = new OpenClHandle(context, OpenCl.ReleaseContext);
                IntPtr queue = OpenCl.CreateCommandQueue(context, _device, 0, &error);
                OpenCl.Check(error, "clCreateCommandQueue");
                _queue = new OpenClHandle(queue, OpenCl.ReleaseCommandQueue);
            }
        }

        public override DeviceBuffer Allocate(long bytes, string kernel)
        {
            EnsureContext();
            int error;

            // A zero-byte buffer is invalid in OpenCL; an empty stream still gets a valid handle.
            IntPtr buffer = OpenCl.CreateBuffer(_context!.DangerousGetHandle(), OpenCl.MemReadWrite, (nuint)Math.Max(bytes, 1), null, &error);
            OpenCl.Check(error, "clCreateBuffer", kernel);
            return new Buffer(new OpenClHandle(buffer, OpenCl.ReleaseMemObject), bytes);
        }

        public override void Write<T>(DeviceBuffer buffer, ReadOnlySpan<T> data, string kernel)
        {
            if (data.IsEmpty)
            {
                return;
            }

            EnsureContext();
            fixed (T* source = data)
            {
                OpenCl.Check(
                    OpenCl.EnqueueWriteBuffer(_queue!.DangerousGetHandle(), Handle(buffer), 1, 0, (nuint)data.Length * (nuint)sizeof(T), source, 0, null, null),
                    "clEnqueueWriteBuffer",
                    kernel);
            }
        }

        public override void Read<T>(DeviceBuffer buffer, Span<T> data, string kernel)
        {
            if (data.IsEmpty)
            {
                return;
            }

            EnsureContext();
            fixed (T* target = data)
            {
                OpenCl.Check(
                    OpenCl.EnqueueReadBuffer(_queue!.DangerousGetHandle(), Handle(buffer), 1, 0, (nuint)data.Length * (nuint)sizeof(T), target, 0, null, null),
                    "clEnqueueReadBuffer",
                    kernel);
            }
        }

        public override void Launch(string sourceName, string source, string kernel, int length, int groupSize, KernelArgument[] arguments, Delegate? cudaKernel, CancellationToken cancellationToken)
        {
            if (length == 0)
            {
                return;
            }

            EnsureContext();
            Program program = GetProgram(sourceName, source);
            try
            {
                IntPtr completion;
                lock (program)
                {
                    IntPtr handle = program.Kernel(kernel);
                    for (int i = 0; i < arguments.Length; i++)
                    {
                        KernelArgument argument = arguments[i];
                        int code;
                        if (argument.Buffer is { } buffer)
                        {
                            IntPtr memory = Handle(buffer);
                            code = OpenCl.SetKernelArg(handle, (uint)i, (nuint)sizeof(IntPtr), &memory);
                        }
                        else
                        {
                            ulong bits = argument.Bits;
                            code = OpenCl.SetKernelArg(handle, (uint)i, (nuint)argument.Size, &bits);
                        }

                        OpenCl.Check(code, $"clSetKernelArg({i})", kernel);
                    }

                    nuint local = (nuint)groupSize;
                    nuint global = (nuint)(((length + groupSize - 1) / groupSize) * groupSize);
                    OpenCl.Check(OpenCl.EnqueueNDRangeKernel(_queue!.DangerousGetHandle(), handle, 1, null, &global, &local, 0, null, &completion), "clEnqueueNDRangeKernel", kernel);
                }

                try
                {
                    Wait(completion, kernel, cancellationToken);
                }
                finally
                {
                    OpenCl.ReleaseEvent(completion);
                }
            }
            finally
            {
                // PoCL compiles a kernel's work-group function with LLVM at its first launch, whether or not it succeeds.
                FaultSignals.Restore();
            }
        }

        // Polls the launch's event so a cancelled run stops waiting as soon as the device is done with its buffers.
        private void Wait(IntPtr completion, string kernel, CancellationToken cancellationToken)
        {
            OpenCl.Check(OpenCl.Flush(_queue!.DangerousGetHandle()), "clFlush", kernel);
            var spin = new SpinWait();
            while (true)
            {
                int status;
                OpenCl.Check(OpenCl.GetEventInfo(completion, OpenCl.EventCommandExecutionStatus, sizeof(int), &status, null), "clGetEventInfo", kernel);
                if (status == OpenCl.Complete)
                {
                    break;
                }

                if (status < 0)
                {
                    throw new DeviceException(DeviceKind.OpenCl, "clEnqueueNDRangeKernel", status, OpenCl.ErrorName(status), kernel, "The launch failed while running.");
                }

                spin.SpinOnce(sleep1Threshold: 64);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        private Program GetProgram(string sourceName, string source)
        {
            lock (_gate)
            {
                if (!_programs.TryGetValue(sourceName, out Program? program))
                {
                    program = Program.Build(this, sourceName, source);
                    _programs.Add(sourceName, program);
                }

                return program.ThrowIfFailed();
            }
        }

        private static IntPtr Handle(DeviceBuffer buffer) => ((Buffer)buffer).Memory.DangerousGetHandle();

        private sealed class Buffer : DeviceBuffer
        {
            public Buffer(OpenClHandle memory, long bytes)
                : base(bytes) => Memory = memory;

            public OpenClHandle Memory { get; }

            public override void Dispose() => Memory.Dispose();
        }

        /// <summary>A built program and its kernels, or the build failure to rethrow (a source that fails once fails always).</summary>
        private sealed class Program
        {
            private const int MaxBuildAttempts = 3;

            // One build at a time in this process: PoCL's kernel cache races on its temporary files when two threads build
            // at once. A build happens once per source and device, so waiting here costs nothing after warm-up.
            private static readonly object s_buildGate = new();

            private readonly Dictionary<string, OpenClHandle> _kernels = new(StringComparer.Ordinal);
            private OpenClHandle? _program;
            private DeviceException? _failure;

            public static Program Build(OpenClDevice device, string sourceName, string source)
            {
                var result = new Program();
                byte[] text = Encoding.UTF8.GetBytes(source);
                int error;
                IntPtr handle;
                fixed (byte* pointer = text)
                {
                    byte* strings = pointer;
                    nuint length = (nuint)text.Length;
                    handle = OpenCl.CreateProgramWithSource(device._context!.DangerousGetHandle(), 1, &strings, &length, &error);
                }

                OpenCl.Check(error, "clCreateProgramWithSource", sourceName);
                result._program = new OpenClHandle(handle, OpenCl.ReleaseProgram);
                byte[] options = Encoding.ASCII.GetBytes("-cl-fp32-correctly-rounded-divide-sqrt\0");
                IntPtr id = device._device;
                int code;
                for (int attempt = 1; ; attempt++)
                {
                    lock (s_buildGate)
                    {
                        fixed (byte* optionText = options)
                        {
                            code = OpenCl.BuildProgram(handle, 1, &id, optionText, IntPtr.Zero, IntPtr.Zero);
                        }

                        FaultSignals.Restore();
                    }

                    // "unable to rename temporary ... No such file or directory" fails a valid source now and then: LLVM
                    // deleted the build's temporary files because a managed fault on another thread reached its
                    // handler during the build (FaultSignals), or PoCL's kernel cache raced with another process's
                    // build. That failure, and only that one, is transient: build again.
                    if (code == 0 || attempt == MaxBuildAttempts
                        || !BuildLog(handle, id).Contains("unable to rename temporary", StringComparison.Ordinal))
                    {
                        break;
                    }
                }

                if (code != 0)
                {
                    string log = BuildLog(handle, id);
                    result._failure = new DeviceException(
                        DeviceKind.OpenCl, "clBuildProgram", code, OpenCl.ErrorName(code), sourceName,
                        $"The generated source '{sourceName}' did not compile on {device.Info.Name}. Compiler log:{Environment.NewLine}{log}");
                }

                return result;
            }

            public Program ThrowIfFailed() => _failure is null ? this : throw _failure;

            public IntPtr Kernel(string name)
            {
                if (!_kernels.TryGetValue(name, out OpenClHandle? kernel))
                {
                    byte[] text = Encoding.ASCII.GetBytes(name + "\0");
                    int error;
                    IntPtr handle;
                    fixed (byte* pointer = text)
                    {
                        handle = OpenCl.CreateKernel(_program!.DangerousGetHandle(), pointer, &error);
                    }

                    OpenCl.Check(error, "clCreateKernel", name);
                    kernel = new OpenClHandle(handle, OpenCl.ReleaseKernel);
                    _kernels.Add(name, kernel);
                }

                return kernel.DangerousGetHandle();
            }

            private static string BuildLog(IntPtr program, IntPtr device)
            {
                nuint size;
                if (OpenCl.GetProgramBuildInfo(program, device, OpenCl.ProgramBuildLog, 0, null, &size) != 0 || size == 0)
                {
                    return "(no log)";
                }

                var bytes = new byte[(int)size];
                fixed (byte* text = bytes)
                {
                    OpenCl.GetProgramBuildInfo(program, device, OpenCl.ProgramBuildLog, size, text, null);
                }

                return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
            }
        }
    }
}
