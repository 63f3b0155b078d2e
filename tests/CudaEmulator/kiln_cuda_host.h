// kiln_cuda_host.h: the CUDA C++ device-code surface, for the host compiler.
//
// The Kiln CUDA emulator compiles every module's CUDA C source with g++, `-include`-ing this header first. It maps
// CUDA's qualifiers, built-in variables, barrier, intrinsics and math functions onto host C++, so the source runs on
// the CPU with CUDA C's semantics. The library embeds this file and writes it next to its compiled modules, so the
// library is all a test machine needs.
//
// The first part is the ABI between a compiled module and the emulator; kiln_cuda_emulator.cpp includes only that
// part (KILN_EMU_ABI_ONLY). Any change to this file changes every module's cache key, so modules are rebuilt.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

// ---- ABI between a compiled module and the emulator ------------------------------------------------------------

struct uint3
{
    unsigned int x, y, z;
};

struct dim3
{
    unsigned int x, y, z;

    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

// What one emulated CUDA thread sees. The emulator points the module's kiln_emu_current at the running thread's
// record before it starts or resumes that thread (all threads of a block are fibers on one OS thread).
struct kiln_emu_thread
{
    uint3 thread_idx;
    uint3 block_idx;
    dim3 block_dim;
    dim3 grid_dim;

    // Suspends the calling thread until every thread of the block has reached a barrier. `line` is the
    // __syncthreads() call's source line, so threads waiting at different barriers are reported.
    void (*sync_threads)(int line);
};

// One kernel parameter, as cuLaunchKernel needs it to copy the argument out of kernelParams.
struct kiln_emu_parameter
{
    unsigned int size;
    unsigned int alignment;
    bool is_pointer; // checked at launch to point into device memory
};

// One `extern "C" __global__` function. A module exports kiln_emu_kernels(), a table ending with a null name.
struct kiln_emu_kernel
{
    const char* name;
    void (*invoke)(void* const* arguments); // runs the kernel for the current thread; arguments[i] points at parameter i
    unsigned int parameter_count;
    const kiln_emu_parameter* parameters;
};

#define KILN_EMU_CURRENT_THREAD_SYMBOL "kiln_emu_current"
#define KILN_EMU_KERNEL_TABLE_SYMBOL "kiln_emu_kernels"

#ifndef KILN_EMU_ABI_ONLY

// ---- CUDA C++ for the host ---------------------------------------------------------------------------------------

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio> // device-side printf
#include <limits>
#include <math.h> // libstdc++'s <math.h> also puts the float overloads and isnan, signbit... in the global namespace, as CUDA does

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)

// One block runs at a time and its threads share one OS thread, so a static variable is the block's shared memory.
#define __shared__ static

extern "C"
{
__attribute__((visibility("default"))) kiln_emu_thread* kiln_emu_current = nullptr;
}

#define threadIdx (static_cast<const uint3&>(kiln_emu_current->thread_idx))
#define blockIdx (static_cast<const uint3&>(kiln_emu_current->block_idx))
#define blockDim (static_cast<const dim3&>(kiln_emu_current->block_dim))
#define gridDim (static_cast<const dim3&>(kiln_emu_current->grid_dim))
#define __syncthreads() (kiln_emu_current->sync_threads(__LINE__))

// Reinterpreting bit casts.
__device__ inline float __int_as_float(int x) { return std::bit_cast<float>(x); }
__device__ inline int __float_as_int(float x) { return std::bit_cast<int>(x); }
__device__ inline float __uint_as_float(unsigned int x) { return std::bit_cast<float>(x); }
__device__ inline unsigned int __float_as_uint(float x) { return std::bit_cast<unsigned int>(x); }
__device__ inline double __longlong_as_double(long long x) { return std::bit_cast<double>(x); }
__device__ inline long long __double_as_longlong(double x) { return std::bit_cast<long long>(x); }

namespace kiln_emu
{
// PTX's cvt.rzi: truncate toward zero, saturate to the destination's range, NaN gives 0. (A C++ cast is undefined
// outside the range, and x86 gives the "integer indefinite" value instead.)
template <class Integer, class Float>
constexpr Integer convert_rz(Float value)
{
    if (value != value)
    {
        return 0;
    }

    // 2^digits: the first value above the range of an unsigned type, or of a signed type's non-negative half.
    constexpr Float limit = Float(std::uint64_t(1) << (std::numeric_limits<Integer>::digits - 1)) * Float(2);
    if (value >= limit)
    {
        return std::numeric_limits<Integer>::max();
    }

    if constexpr (std::is_signed_v<Integer>)
    {
        if (value <= -limit)
        {
            return std::numeric_limits<Integer>::min();
        }
    }
    else if (value <= Float(0))
    {
        return 0;
    }

    return static_cast<Integer>(value);
}
} // namespace kiln_emu

__device__ inline int __float2int_rz(float x) { return kiln_emu::convert_rz<int>(x); }
__device__ inline unsigned int __float2uint_rz(float x) { return kiln_emu::convert_rz<unsigned int>(x); }
__device__ inline long long __float2ll_rz(float x) { return kiln_emu::convert_rz<long long>(x); }
__device__ inline unsigned long long __float2ull_rz(float x) { return kiln_emu::convert_rz<unsigned long long>(x); }
__device__ inline int __double2int_rz(double x) { return kiln_emu::convert_rz<int>(x); }
__device__ inline unsigned int __double2uint_rz(double x) { return kiln_emu::convert_rz<unsigned int>(x); }
__device__ inline long long __double2ll_rz(double x) { return kiln_emu::convert_rz<long long>(x); }
__device__ inline unsigned long long __double2ull_rz(double x) { return kiln_emu::convert_rz<unsigned long long>(x); }

// CUDA's min/max overloads (the floating-point ones are fminf/fmaxf, which ignore a NaN operand).
__device__ inline int min(int a, int b) { return a < b ? a : b; }
__device__ inline int max(int a, int b) { return a > b ? a : b; }
__device__ inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
__device__ inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
__device__ inline long long min(long long a, long long b) { return a < b ? a : b; }
__device__ inline long long max(long long a, long long b) { return a > b ? a : b; }
__device__ inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
__device__ inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
__device__ inline float min(float a, float b) { return fminf(a, b); }
__device__ inline float max(float a, float b) { return fmaxf(a, b); }
__device__ inline double min(double a, double b) { return fmin(a, b); }
__device__ inline double max(double a, double b) { return fmax(a, b); }

// ---- Kernel table: the emulator appends one KILN_EMU_KERNEL(name) per kernel to the module's source ----------

namespace kiln_emu
{
template <class... Parameters>
struct signature
{
    static_assert(((alignof(Parameters) <= alignof(std::max_align_t)) && ...), "over-aligned kernel parameters are not supported");

    // One extra element, so a kernel without parameters still has an array.
    static constexpr kiln_emu_parameter parameters[sizeof...(Parameters) + 1] = {
        {sizeof(Parameters), alignof(Parameters), std::is_pointer_v<Parameters>}..., {0, 0, false}};
};

template <class... Parameters>
constexpr const kiln_emu_parameter* parameters_of(void (*)(Parameters...))
{
    return signature<Parameters...>::parameters;
}

template <class... Parameters>
constexpr unsigned int arity_of(void (*)(Parameters...))
{
    return sizeof...(Parameters);
}

template <class... Parameters, std::size_t... Index>
inline void apply(void (*kernel)(Parameters...), void* const* arguments, std::index_sequence<Index...>)
{
    kernel(*static_cast<Parameters*>(arguments[Index])...);
}

template <auto Kernel>
void invoke(void* const* arguments)
{
    apply(Kernel, arguments, std::make_index_sequence<arity_of(Kernel)>{});
}
} // namespace kiln_emu

#define KILN_EMU_KERNEL(name) \
    kiln_emu_kernel { #name, &kiln_emu::invoke<&name>, kiln_emu::arity_of(&name), kiln_emu::parameters_of(&name) }

#endif // KILN_EMU_ABI_ONLY
