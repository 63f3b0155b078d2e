using System;
using System.Collections.Generic;
using Kiln.Model;

namespace Kiln.Generators.Emit.Device
{
    /// <summary>
    /// The translated bodies one device source defines, each written once, a kernel's helpers before the kernel: the
    /// bookkeeping both kernel writers share (OpenCL C and CUDA's ILGPU C#), which differ only in names and text.
    /// </summary>
    internal sealed class KernelFunctions
    {
        private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
        private readonly Func<KernelBody, int, string> _name;
        private readonly Action<KernelBody, string> _write;

        /// <param name="name">The function name of a body, given how many were defined before it.</param>
        /// <param name="write">Writes a body under its name.</param>
        public KernelFunctions(Func<KernelBody, int, string> name, Action<KernelBody, string> write)
        {
            _name = name;
            _write = write;
        }

        /// <summary>The name of <paramref name="program"/>'s kernel, writing it (and its helpers, callees first) the first time.</summary>
        public string Function(KernelProgram program)
        {
            foreach (KernelBody helper in program.Helpers)
            {
                Define(helper);
            }

            return Define(program.Kernel);
        }

        /// <summary>The name of an already written body (a helper a kernel calls).</summary>
        public string this[string body] => _names[body];

        private string Define(KernelBody body)
        {
            if (_names.TryGetValue(body.Name, out string? name))
            {
                return name;
            }

            name = _name(body, _names.Count);
            _names.Add(body.Name, name);
            _write(body, name);
            return name;
        }
    }
}
