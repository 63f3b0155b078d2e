using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Kiln.Execution
{
    /// <summary>
    /// A CUDA GPU through the driver API. Generated CUDA C is compiled by NVRTC to PTX once per process and cached on
    /// disk by source hash and architecture, so a second process loads the PTX without compiling.
    /// </summary>
    internal sealed unsafe class CudaDevice : ComputeDevice
    {
        private const int NotReady = 600;
        private const int ContextIsDestroyed = 709;
        private const int AttributeMajor = 75;
        private const int AttributeMinor = 76;

        private static readonly Lazy<IReadOnlyList<CudaDevice>> s_all = new(Probe);
        private static string s_absence = "the CUDA driver reports no device";

        private readonly int _ordinal;
        private readonly int _architecture;
        private readonly object _gate = new();
        private readonly Dictionary<string, (IntPtr Module, DeviceException? Failure)> _modules = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IntPtr> _functions = new(StringComparer.Ordinal);
        private IntPtr _context;

        // Bumped by each context reset; a buffer from an earlier generation was freed by the reset.
        private int _generation;

        private CudaDevice(int ordinal, DeviceInfo info, int architecture)
        {
            _ordinal = ordinal;
            _architecture = architecture;
            Info = info;
        }

        public static IReadOnlyList<CudaDevice> All => s_all.Value;

        /// <summary>Why there is no CUDA device, or empty where there is one.</summary>
        public static string Absence => All.Count > 0 ? string.Empty : (Cuda.Absence.Length > 0 ? Cuda.Absence : s_absence);

        public override DeviceInfo Info { get; }

        public override bool SupportsDouble => true;

        /// <summary>Where compiled PTX is kept between processes.</summary>
        public static string CacheDirectory =>
            Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Path.GetTempPath(), "kiln-cache"), "kiln", "cuda");

        private static IReadOnlyList<CudaDevice> Probe()
        {
            var devices = new List<CudaDevice>();
            Cuda.Api? api = Cuda.Functions;
            if (api is null)
            {
                return devices;
            }

            if (Nvrtc.Functions is null)
            {
                s_absence = "the CUDA driver is present but " + Nvrtc.Absence;
                return devices;
            }

            int code = api.Init(0);
            if (code != 0)
            {
                s_absence = "cuInit failed with " + Cuda.ErrorName(code);
                return devices;
            }

            int count;
            code = api.DeviceGetCount(&count);
            if (code != 0 || count == 0)
            {
                s_absence = code != 0 ? "cuDeviceGetCount failed with " + Cuda.ErrorName(code) : "the CUDA driver reports no device";
                return devices;
            }

            byte* name = stackalloc byte[256];
            for (int ordinal = 0; ordinal < count; ordinal++)
            {
                int device;
                Cuda.Check(api.DeviceGet(&device, ordinal), "cuDeviceGet");
                Cuda.Check(api.DeviceGetName(name, 256, device), "cuDeviceGetName");
                nuint memory;
                Cuda.Check(api.DeviceTotalMem(&memory, device), "cuDeviceTotalMem");
                int major, minor;
                Cuda.Check(api.DeviceGetAttribute(&major, AttributeMajor, device), "cuDeviceGetAttribute");
                Cuda.Check(api.DeviceGetAttribute(&minor, AttributeMinor, device), "cuDeviceGetAttribute");
                string text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((IntPtr)name) ?? "CUDA device " + ordinal;
                devices.Add(new CudaDevice(device, new DeviceInfo(DeviceKind.Cuda, text, (long)memory, IsGpu: true), (major * 10) + minor));
            }

            return devices;
        }

        /// <summary>
        /// Errors after which the context is unusable (every later call returns them, as after a kernel's illegal
        /// address): the CUDA documentation's "sticky" errors.
        /// </summary>
        private static bool IsSticky(int code) => code is 700 or 702 or 710 or 714 or 715 or 716 or 717 or 718 or 719;

        /// <summary>
        /// Checks a call made in the context. A sticky error resets the primary context so that later runs work again
        /// (the reset frees the device memory of any run still in flight on this GPU, which fails on its next call).
        /// </summary>
        private void Check(Cuda.Api api, int generation, int code, string call, string? kernel)
        {
            if (code == 0)
            {
                return;
            }

            string? detail = null;
            if (IsSticky(code))
            {
                detail = Reset(api, generation);
            }

            throw new DeviceException(DeviceKind.Cuda, call, code, Cuda.ErrorName(code), kernel, detail);
        }

        private string Reset(Cuda.Api api, int generation)
        {
            lock (_gate)
            {
                if (_generation != generation)
                {
                    return "The CUDA context had already been reset after this error; later runs start clean.";
                }

                // The reset keeps Kiln's retain of the context; it is released so the next call retains it afresh.
                int code = api.DevicePrimaryCtxReset(_ordinal);
                if (code == 0)
                {
                    code = api.DevicePrimaryCtxRelease(_ordinal);
                }

                _generation++;
                _context = IntPtr.Zero;
                _modules.Clear();
                _functions.Clear();
                return code == 0
                    ? "The error left the CUDA context unusable, so Kiln reset it; later runs start clean."
                    : $"The error left the CUDA context unusable, and resetting it failed with {Cuda.ErrorName(code)}.";
            }
        }

        private Cuda.Api MakeCurrent(out int generation)
        {
            Cuda.Api api = Cuda.Functions!;
            lock (_gate)
            {
                if (_context == IntPtr.Zero)
                {
                    IntPtr context;
                    Cuda.Check(api.DevicePrimaryCtxRetain(&context, _ordinal), "cuDevicePrimaryCtxRetain");
                    _context = context;
                }

                generation = _generation;
                Cuda.Check(api.CtxSetCurrent(_context), "cuCtxSetCurrent");
            }

            return api;
        }

        /// <summary>
        /// The device address of <paramref name="buffer"/>, which must come from the context's current generation: after
        /// a reset its memory is gone, and the address may already belong to another run's allocation.
        /// </summary>
        private static ulong Address(DeviceBuffer buffer, int generation, string call, string? kernel)
        {
            var cuda = (Buffer)buffer;
            return cuda.Generation == generation
                ? cuda.Pointer
                : throw new DeviceException(
                    DeviceKind.Cuda, call, ContextIsDestroyed, "CUDA_ERROR_CONTEXT_IS_DESTROYED", kernel,
                    "The buffer belongs to a CUDA context that Kiln reset after a kernel fault, so this run cannot go on.");
        }

        public override DeviceBuffer Allocate(long bytes, string kernel)
        {
            Cuda.Api api = MakeCurrent(out int generation);
            ulong pointer;
            Check(api, generation, api.MemAlloc(&pointer, (nuint)Math.Max(bytes, 1)), "cuMemAlloc", kernel);
            return new Buffer(this, pointer, bytes, generation);
        }

        public override void Write<T>(DeviceBuffer buffer, ReadOnlySpan<T> data, string kernel)
        {
            if (data.IsEmpty)
            {
                return;
            }

            Cuda.Api api = MakeCurrent(out int generation);
            fixed (T* source = data)
            {
                Check(api, generation, api.MemcpyHtoD(Address(buffer, generation, "cuMemcpyHtoD", kernel), source, (nuint)data.Length * (nuint)sizeof(T)), "cuMemcpyHtoD", kernel);
            }
        }

        public override void Read<T>(DeviceBuffer buffer, Span<T> data, string kernel)
        {
            if (data.IsEmpty)
            {
                return;
            }

            Cuda.Api api = MakeCurrent(out int generation);
            fixed (T* target = data)
            {
                Check(api, generation, api.MemcpyDtoH(target, Address(buffer, generation, "cuMemcpyDtoH", kernel), (nuint)data.Length * (nuint)sizeof(T)), "cuMemcpyDtoH", kernel);
            }
        }

        public override void Launch(string sourceName, string source, string kernel, int length, int groupSize, KernelArgument[] arguments, CancellationToken cancellationToken)
        {
            if (length == 0)
            {
                return;
            }

            Cuda.Api api = MakeCurrent(out int generation);
            IntPtr function = Function(api, generation, sourceName, source, kernel);
            var values = stackalloc ulong[arguments.Length];
            var pointers = stackalloc void*[arguments.Length];
            for (int i = 0; i < arguments.Length; i++)
            {
                values[i] = arguments[i].Buffer is { } buffer ? Address(buffer, generation, "cuLaunchKernel", kernel) : arguments[i].Bits;
                pointers[i] = &values[i];
            }

            uint blocks = (uint)(((long)length + groupSize - 1) / groupSize);
            Check(api, generation, api.LaunchKernel(function, blocks, 1, 1, (uint)groupSize, 1, 1, 0, IntPtr.Zero, pointers, null), "cuLaunchKernel", kernel);
            var spin = new SpinWait();
            int status;
            while ((status = api.StreamQuery(IntPtr.Zero)) == NotReady)
            {
                spin.SpinOnce(sleep1Threshold: 64);
            }

            Check(api, generation, status, "cuStreamQuery", kernel);
            cancellationToken.ThrowIfCancellationRequested();
        }

        private IntPtr Function(Cuda.Api api, int generation, string sourceName, string source, string kernel)
        {
            lock (_gate)
            {
                string key = sourceName + "/" + kernel;
                if (_functions.TryGetValue(key, out IntPtr function))
                {
                    return function;
                }

                if (!_modules.TryGetValue(sourceName, out var module))
                {
                    // A source that does not compile stays failed; a load that fails (out of memory, a sticky error) is
                    // checked, may reset the context, and is tried again next time.
                    module = LoadModule(api, generation, sourceName, source);
                    _modules.Add(sourceName, module);
                }

                if (module.Failure is not null)
                {
                    throw module.Failure;
                }

                byte[] name = Encoding.ASCII.GetBytes(kernel + "\0");
                fixed (byte* text = name)
                {
                    Cuda.Check(api.ModuleGetFunction(&function, module.Module, text), "cuModuleGetFunction", kernel);
                }

                _functions.Add(key, function);
                return function;
            }
        }

        private (IntPtr, DeviceException?) LoadModule(Cuda.Api api, int generation, string sourceName, string source)
        {
            // The key names the compiler too: PTX from another NVRTC may use a newer PTX version than this driver loads.
            string key = $"{source}\n// sm_{_architecture}\n// {Nvrtc.Identity}";
            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            string cached = Path.Combine(CacheDirectory, hash + ".ptx");
            byte[]? ptx = File.Exists(cached) ? File.ReadAllBytes(cached) : null;
            if (ptx is not null && TryLoadModule(api, ptx, out IntPtr fromCache) == 0)
            {
                return (fromCache, null);
            }

            // Not cached, or the cached file does not load (truncated, or from another driver): compile afresh.
            try
            {
                ptx = CudaCompiler.CompileToPtx(sourceName, source, _architecture);
            }
            catch (DeviceException failure)
            {
                return (IntPtr.Zero, failure);
            }

            Directory.CreateDirectory(CacheDirectory);
            string temporary = cached + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temporary, ptx);
            File.Move(temporary, cached, overwrite: true);

            Check(api, generation, TryLoadModule(api, ptx, out IntPtr module), "cuModuleLoadData", sourceName);
            return (module, null);
        }

        private static int TryLoadModule(Cuda.Api api, byte[] ptx, out IntPtr module)
        {
            fixed (byte* image = ptx)
            fixed (IntPtr* handle = &module)
            {
                return api.ModuleLoadData(handle, image);
            }
        }

        private sealed class Buffer : DeviceBuffer
        {
            private readonly CudaDevice _device;
            private ulong _pointer;

            public Buffer(CudaDevice device, ulong pointer, long bytes, int generation)
                : base(bytes)
            {
                _device = device;
                _pointer = pointer;
                Generation = generation;
            }

            /// <summary>The context generation the memory was allocated in.</summary>
            public int Generation { get; }

            public ulong Pointer => _pointer;

            public override void Dispose()
            {
                ulong pointer = Interlocked.Exchange(ref _pointer, 0);
                if (pointer == 0)
                {
                    return;
                }

                // Under the gate, so a reset cannot come between the generation test and the free. A reset since the
                // allocation has freed the memory already, and its address may be another run's by now.
                lock (_device._gate)
                {
                    Cuda.Api api = _device.MakeCurrent(out int generation);
                    if (generation == Generation)
                    {
                        _device.Check(api, generation, api.MemFree(pointer), "cuMemFree", null);
                    }
                }
            }
        }
    }
}
