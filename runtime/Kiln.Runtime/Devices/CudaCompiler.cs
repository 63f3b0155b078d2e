using System;
using System.Text;

namespace Kiln.Execution
{
    /// <summary>
    /// Compiles generated CUDA C to PTX with NVRTC. It needs no GPU, so the same call that feeds
    /// <see cref="CudaDevice"/> also checks the generated source wherever NVRTC is installed.
    /// </summary>
    internal static unsafe class CudaCompiler
    {
        /// <summary>
        /// Compiles <paramref name="source"/> for compute capability <paramref name="architecture"/> (e.g. 90 for 9.0)
        /// without fused multiply-add contraction, so <c>a * b + c</c> rounds twice as it does in C#.
        /// </summary>
        /// <returns>The PTX text, NUL-terminated as the driver's module loader expects.</returns>
        /// <exception cref="DeviceException">NVRTC is missing, or the source did not compile (the log is in the message).</exception>
        public static byte[] CompileToPtx(string sourceName, string source, int architecture)
        {
            Nvrtc.Api api = Nvrtc.Functions
                ?? throw new DeviceException(DeviceKind.Cuda, "nvrtcCreateProgram", -1, "NVRTC unavailable", sourceName, Nvrtc.Absence + ".");
            IntPtr program;
            byte[] text = Encoding.UTF8.GetBytes(source + "\0");
            byte[] name = Encoding.UTF8.GetBytes(sourceName + ".cu\0");
            fixed (byte* sourceText = text)
            fixed (byte* nameText = name)
            {
                Nvrtc.Check(api.CreateProgram(&program, sourceText, nameText, 0, null, null), "nvrtcCreateProgram", sourceName);
            }

            try
            {
                byte[] target = Encoding.ASCII.GetBytes($"--gpu-architecture=compute_{architecture}\0");
                byte[] noContraction = Encoding.ASCII.GetBytes("--fmad=false\0");
                int code;
                fixed (byte* first = target)
                fixed (byte* second = noContraction)
                {
                    byte** options = stackalloc byte*[2] { first, second };
                    code = api.CompileProgram(program, 2, options);
                }

                if (code != 0)
                {
                    throw new DeviceException(
                        DeviceKind.Cuda, "nvrtcCompileProgram", code, Nvrtc.ErrorName(code), sourceName,
                        $"The generated source '{sourceName}' did not compile for compute_{architecture}. Compiler log:{Environment.NewLine}{Log(api, program)}");
                }

                nuint size;
                Nvrtc.Check(api.GetPtxSize(program, &size), "nvrtcGetPTXSize", sourceName);
                var ptx = new byte[(int)size];
                fixed (byte* output = ptx)
                {
                    Nvrtc.Check(api.GetPtx(program, output), "nvrtcGetPTX", sourceName);
                }

                return ptx;
            }
            finally
            {
                api.DestroyProgram(&program);
            }
        }

        private static string Log(Nvrtc.Api api, IntPtr program)
        {
            nuint size;
            if (api.GetProgramLogSize(program, &size) != 0 || size == 0)
            {
                return "(NVRTC gave no log)";
            }

            var log = new byte[(int)size];
            fixed (byte* text = log)
            {
                if (api.GetProgramLog(program, text) != 0)
                {
                    return "(NVRTC's log could not be read)";
                }
            }

            return Encoding.UTF8.GetString(log).TrimEnd('\0', '\n', '\r');
        }
    }
}
