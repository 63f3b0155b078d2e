// selftest.cpp: checks libkiln-cuda-emulator.so through dlopen, the way the .NET runtime loads it: the driver's rules
// (initialization, per-thread contexts, memory bounds), NVRTC's compiles and logs, launches whose results must equal
// plain C++, the strict checks (faults, overruns, divergent barriers), and a timed 1,000,003-element reduction.
//
// Usage: selftest LIBRARY [MAX_REDUCTION_MS]. Prints each failed check and exits with status 1 if there was one.
// The reduction must finish within MAX_REDUCTION_MS (default 1000).

#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace
{
typedef int CUresult;
typedef void* CUcontext;
typedef void* CUmodule;
typedef void* CUfunction;
typedef void* CUstream;
typedef unsigned long long CUdeviceptr;
typedef void* nvrtcProgram;

constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNotInitialized = 3, kInvalidDevice = 101, kInvalidImage = 200,
                   kInvalidContext = 201, kInvalidHandle = 400, kNotFound = 500, kNotReady = 600, kIllegalAddress = 700, kLaunchFailed = 719;
constexpr int kNvrtcInvalidInput = 3, kNvrtcInvalidProgram = 4, kNvrtcInvalidOption = 5, kNvrtcCompilation = 6;
constexpr size_t kDeviceMemory = size_t(256) << 20;

// The entry points, as function pointers from dlsym, as the runtime holds them.
struct Api
{
    CUresult (*cuInit)(unsigned);
    CUresult (*cuDeviceGetCount)(int*);
    CUresult (*cuDeviceGet)(int*, int);
    CUresult (*cuDeviceGetName)(char*, int, int);
    CUresult (*cuDeviceTotalMem_v2)(size_t*, int);
    CUresult (*cuDeviceGetAttribute)(int*, int, int);
    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext*, int);
    CUresult (*cuDevicePrimaryCtxRelease)(int);
    CUresult (*cuCtxSetCurrent)(CUcontext);
    CUresult (*cuCtxGetCurrent)(CUcontext*);
    CUresult (*cuCtxSynchronize)();
    CUresult (*cuModuleLoadData)(CUmodule*, const void*);
    CUresult (*cuModuleUnload)(CUmodule);
    CUresult (*cuModuleGetFunction)(CUfunction*, CUmodule, const char*);
    CUresult (*cuMemAlloc_v2)(CUdeviceptr*, size_t);
    CUresult (*cuMemFree_v2)(CUdeviceptr);
    CUresult (*cuMemcpyHtoD_v2)(CUdeviceptr, const void*, size_t);
    CUresult (*cuMemcpyDtoH_v2)(void*, CUdeviceptr, size_t);
    CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream, void**, void**);
    CUresult (*cuStreamQuery)(CUstream);
    CUresult (*cuStreamSynchronize)(CUstream);
    CUresult (*cuGetErrorName)(CUresult, const char**);
    CUresult (*cuGetErrorString)(CUresult, const char**);
    int (*nvrtcCreateProgram)(nvrtcProgram*, const char*, const char*, int, const char* const*, const char* const*);
    int (*nvrtcCompileProgram)(nvrtcProgram, int, const char* const*);
    int (*nvrtcGetProgramLogSize)(nvrtcProgram, size_t*);
    int (*nvrtcGetProgramLog)(nvrtcProgram, char*);
    int (*nvrtcGetPTXSize)(nvrtcProgram, size_t*);
    int (*nvrtcGetPTX)(nvrtcProgram, char*);
    int (*nvrtcDestroyProgram)(nvrtcProgram*);
    const char* (*nvrtcGetErrorString)(int);
    int (*nvrtcVersion)(int*, int*);
};

Api api;
int failures = 0;
double max_reduction_ms = 1000.0;

void expect(bool condition, const std::string& what)
{
    if (!condition)
    {
        ++failures;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

std::string name_of(CUresult code)
{
    const char* name = nullptr;
    return api.cuGetErrorName(code, &name) == kSuccess ? name : "code " + std::to_string(code);
}

void expect_code(CUresult actual, CUresult expected, const std::string& what)
{
    expect(actual == expected, what + ": expected " + name_of(expected) + ", got " + name_of(actual));
}

void section(const char* title) { std::printf("-- %s\n", title); }

double milliseconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// CUDA C as Kiln's generator writes it: an element-wise kernel, a 256-wide tree reduction, and kernels for the
// emulator's checks.
const char* const kKernels = R"(// selftest kernels
__device__ inline float scale_add(float a, float b, float k) { return a * k + b; }

extern "C" __global__ void elementwise(int length, const float* __restrict__ x, const float* __restrict__ y, float k,
                                       float* __restrict__ out, int* __restrict__ truncated)
{
    int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < length)
    {
        out[i] = scale_add(x[i], y[i], k) + sqrtf(fabsf(x[i]));
        truncated[i] = __float2int_rz(x[i] * 1e9f);
    }
}

extern "C" __global__ void tree_sum(int length, const float* __restrict__ x, float* __restrict__ partials)
{
    __shared__ float tree[256];
    int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    float r = 0.0f;
    if (i < length)
    {
        r = x[i];
    }
    int lid = (int)threadIdx.x;
    tree[lid] = r;
    __syncthreads();
    for (int s = 128; s > 0; s >>= 1)
    {
        if (lid < s) tree[lid] = tree[lid] + tree[lid + s];
        __syncthreads();
    }
    if (lid == 0) partials[blockIdx.x] = tree[0];
}

extern "C" __global__ void conversions(const float* __restrict__ f, const double* __restrict__ d, int* __restrict__ i32,
                                       unsigned int* __restrict__ u32, long long* __restrict__ i64, unsigned long long* __restrict__ u64)
{
    int i = (int)threadIdx.x;
    i32[2 * i] = __float2int_rz(f[i]);
    i32[2 * i + 1] = __double2int_rz(d[i]);
    u32[2 * i] = __float2uint_rz(f[i]);
    u32[2 * i + 1] = __double2uint_rz(d[i]);
    i64[2 * i] = __float2ll_rz(f[i]);
    i64[2 * i + 1] = __double2ll_rz(d[i]);
    u64[2 * i] = __float2ull_rz(f[i]);
    u64[2 * i + 1] = __double2ull_rz(d[i]);
}

extern "C" __global__ void index_3d(unsigned int* __restrict__ out)
{
    unsigned int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    unsigned int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    out[block * blockDim.x * blockDim.y * blockDim.z + thread] = 1000u * block + thread;
}

extern "C" __global__ void write_at(int index, float* __restrict__ out)
{
    if (threadIdx.x == 0 && blockIdx.x == 0) out[index] = 1.0f;
}

extern "C" __global__ void early_return(float* __restrict__ out)
{
    if (threadIdx.x >= 16) return;
    __syncthreads();
    out[threadIdx.x] = 1.0f;
}

extern "C" __global__ void split_barrier(float* __restrict__ out)
{
    if (threadIdx.x < 16)
    {
        __syncthreads();
    }
    else
    {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}

__device__ int deep(int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    return depth == 0 ? 0 : deep(depth - 1) + frame[0];
}

extern "C" __global__ void recurse(int depth, int* __restrict__ out)
{
    out[threadIdx.x] = deep(depth);
}

extern "C" __global__ void divide(int numerator, int denominator, int* __restrict__ out)
{
    out[threadIdx.x] = numerator / denominator;
}
)";

bool load_api(const char* path)
{
    void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr)
    {
        std::printf("cannot load %s: %s\n", path, dlerror());
        return false;
    }

    bool complete = true;
    auto bind = [&](auto& function, const char* name) {
        function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(library, name));
        if (function == nullptr)
        {
            std::printf("missing export %s\n", name);
            complete = false;
        }
    };
#define BIND(name) bind(api.name, #name)
    BIND(cuInit);
    BIND(cuDeviceGetCount);
    BIND(cuDeviceGet);
    BIND(cuDeviceGetName);
    BIND(cuDeviceTotalMem_v2);
    BIND(cuDeviceGetAttribute);
    BIND(cuDevicePrimaryCtxRetain);
    BIND(cuDevicePrimaryCtxRelease);
    BIND(cuCtxSetCurrent);
    BIND(cuCtxGetCurrent);
    BIND(cuCtxSynchronize);
    BIND(cuModuleLoadData);
    BIND(cuModuleUnload);
    BIND(cuModuleGetFunction);
    BIND(cuMemAlloc_v2);
    BIND(cuMemFree_v2);
    BIND(cuMemcpyHtoD_v2);
    BIND(cuMemcpyDtoH_v2);
    BIND(cuLaunchKernel);
    BIND(cuStreamQuery);
    BIND(cuStreamSynchronize);
    BIND(cuGetErrorName);
    BIND(cuGetErrorString);
    BIND(nvrtcCreateProgram);
    BIND(nvrtcCompileProgram);
    BIND(nvrtcGetProgramLogSize);
    BIND(nvrtcGetProgramLog);
    BIND(nvrtcGetPTXSize);
    BIND(nvrtcGetPTX);
    BIND(nvrtcDestroyProgram);
    BIND(nvrtcGetErrorString);
    BIND(nvrtcVersion);
#undef BIND
    return complete;
}

std::string program_log(nvrtcProgram program)
{
    size_t size = 0;
    api.nvrtcGetProgramLogSize(program, &size);
    std::string log(size, '\0');
    api.nvrtcGetProgramLog(program, log.data());
    return log.substr(0, log.find('\0'));
}

// Compiles `source` as Kiln's runtime does (compute_90, --fmad=false); the "PTX", or empty with `result` set.
std::string compile(const char* source, const char* name, int& result, std::string& log)
{
    nvrtcProgram program = nullptr;
    expect(api.nvrtcCreateProgram(&program, source, name, 0, nullptr, nullptr) == 0, "nvrtcCreateProgram");
    const char* options[] = {"--gpu-architecture=compute_90", "--fmad=false"};
    result = api.nvrtcCompileProgram(program, 2, options);
    log = program_log(program);
    std::string ptx;
    size_t size = 0;
    if (result == 0 && api.nvrtcGetPTXSize(program, &size) == 0)
    {
        ptx.resize(size);
        expect(api.nvrtcGetPTX(program, ptx.data()) == 0, "nvrtcGetPTX");
        expect(size == std::strlen(ptx.c_str()) + 1, "nvrtcGetPTXSize counts the terminating NUL");
    }

    expect(api.nvrtcDestroyProgram(&program) == 0 && program == nullptr, "nvrtcDestroyProgram clears the handle");
    return ptx;
}

struct Kernels
{
    CUmodule module = nullptr;
    CUfunction elementwise, tree_sum, conversions, index_3d, write_at, early_return, split_barrier, recurse, divide;
};

Kernels load_kernels(const std::string& ptx)
{
    Kernels kernels;
    expect_code(api.cuModuleLoadData(&kernels.module, ptx.c_str()), kSuccess, "cuModuleLoadData");
    auto get = [&](CUfunction& function, const char* name) {
        expect_code(api.cuModuleGetFunction(&function, kernels.module, name), kSuccess, std::string("cuModuleGetFunction ") + name);
    };
    get(kernels.elementwise, "elementwise");
    get(kernels.tree_sum, "tree_sum");
    get(kernels.conversions, "conversions");
    get(kernels.index_3d, "index_3d");
    get(kernels.write_at, "write_at");
    get(kernels.early_return, "early_return");
    get(kernels.split_barrier, "split_barrier");
    get(kernels.recurse, "recurse");
    get(kernels.divide, "divide");
    return kernels;
}

CUdeviceptr allocate(size_t bytes)
{
    CUdeviceptr address = 0;
    expect_code(api.cuMemAlloc_v2(&address, bytes), kSuccess, "cuMemAlloc of " + std::to_string(bytes) + " bytes");
    return address;
}

CUresult launch(CUfunction function, unsigned blocks, unsigned threads, std::vector<void*> arguments)
{
    return api.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, 0, nullptr, arguments.data(), nullptr);
}

// A launch whose kernel fails: it is queued fine, the error comes at the next synchronization and then sticks.
void expect_kernel_failure(CUresult launched, CUresult expected, const std::string& what)
{
    expect_code(launched, kSuccess, what + ": the launch is queued");
    expect_code(api.cuCtxSynchronize(), expected, what);
    CUdeviceptr unused;
    expect_code(api.cuMemAlloc_v2(&unused, 16), expected, what + ": the error sticks to the context");
}

// Destroys and recreates the primary context, the only way past a sticky error; the modules must be loaded again.
CUcontext reset_context()
{
    CUcontext context = nullptr;
    expect_code(api.cuDevicePrimaryCtxRelease(0), kSuccess, "cuDevicePrimaryCtxRelease");
    expect_code(api.cuDevicePrimaryCtxRetain(&context, 0), kSuccess, "cuDevicePrimaryCtxRetain");
    expect_code(api.cuCtxSetCurrent(context), kSuccess, "cuCtxSetCurrent");
    return context;
}

// PTX's cvt.rzi: truncate, saturate, NaN to 0.
template <class Integer, class Float>
Integer reference_conversion(Float value)
{
    if (std::isnan(value))
    {
        return 0;
    }

    long double truncated = std::trunc(static_cast<long double>(value));
    if (truncated <= static_cast<long double>(std::numeric_limits<Integer>::min()))
    {
        return std::numeric_limits<Integer>::min();
    }

    if (truncated >= static_cast<long double>(std::numeric_limits<Integer>::max()))
    {
        return std::numeric_limits<Integer>::max();
    }

    return static_cast<Integer>(truncated);
}

void check_before_initialization()
{
    section("calls before cuInit");
    int count = 0;
    CUdeviceptr address;
    CUcontext context;
    expect_code(api.cuDeviceGetCount(&count), kNotInitialized, "cuDeviceGetCount before cuInit");
    expect_code(api.cuMemAlloc_v2(&address, 16), kNotInitialized, "cuMemAlloc before cuInit");
    expect_code(api.cuDevicePrimaryCtxRetain(&context, 0), kNotInitialized, "cuDevicePrimaryCtxRetain before cuInit");
    const char* text = nullptr;
    expect(api.cuGetErrorName(kIllegalAddress, &text) == kSuccess && std::string(text) == "CUDA_ERROR_ILLEGAL_ADDRESS", "cuGetErrorName works before cuInit");
    expect(api.cuGetErrorString(kOutOfMemory, &text) == kSuccess && std::string(text) == "out of memory", "cuGetErrorString");
    expect(api.cuGetErrorName(12345, &text) == kInvalidValue && text == nullptr, "cuGetErrorName of an unknown code");
    expect_code(api.cuInit(1), kInvalidValue, "cuInit with flags");
    expect_code(api.cuInit(0), kSuccess, "cuInit");
}

void check_device_queries()
{
    section("device queries");
    int count = 0, device = -1, value = 0;
    expect(api.cuDeviceGetCount(&count) == kSuccess && count == 1, "one device");
    expect_code(api.cuDeviceGet(&device, 1), kInvalidDevice, "cuDeviceGet(1)");
    expect(api.cuDeviceGet(&device, 0) == kSuccess && device == 0, "cuDeviceGet(0)");
    char name[256];
    expect(api.cuDeviceGetName(name, sizeof name, 0) == kSuccess && std::string(name) == "Kiln CUDA emulator (CPU)", "device name");
    char short_name[5];
    expect(api.cuDeviceGetName(short_name, sizeof short_name, 0) == kSuccess && std::string(short_name) == "Kiln", "a short name buffer truncates");
    size_t memory = 0;
    expect(api.cuDeviceTotalMem_v2(&memory, 0) == kSuccess && memory == kDeviceMemory, "total memory from KILN_CUDA_EMULATOR_MEMORY");
    expect(api.cuDeviceGetAttribute(&value, 75, 0) == kSuccess && value == 9, "compute capability major 9");
    expect(api.cuDeviceGetAttribute(&value, 76, 0) == kSuccess && value == 0, "compute capability minor 0");
    expect(api.cuDeviceGetAttribute(&value, 1, 0) == kSuccess && value == 1024, "1024 threads per block");
    expect_code(api.cuDeviceGetAttribute(&value, 9999, 0), kInvalidValue, "an unknown attribute");
    expect_code(api.cuDeviceGetAttribute(&value, 75, 1), kInvalidDevice, "an attribute of device 1");
}

CUcontext check_contexts()
{
    section("contexts are per thread");
    CUdeviceptr address;
    expect_code(api.cuMemAlloc_v2(&address, 16), kInvalidContext, "cuMemAlloc without a current context");
    expect_code(api.cuCtxSynchronize(), kInvalidContext, "cuCtxSynchronize without a current context");
    CUcontext context = nullptr, current = nullptr;
    expect_code(api.cuDevicePrimaryCtxRetain(&context, 0), kSuccess, "cuDevicePrimaryCtxRetain");
    expect_code(api.cuCtxSetCurrent(reinterpret_cast<CUcontext>(0x1234)), kInvalidContext, "cuCtxSetCurrent of a bogus context");
    expect_code(api.cuCtxSetCurrent(context), kSuccess, "cuCtxSetCurrent");
    expect(api.cuCtxGetCurrent(&current) == kSuccess && current == context, "cuCtxGetCurrent");
    std::thread([&] {
        CUdeviceptr other;
        CUcontext none = context;
        expect(api.cuCtxGetCurrent(&none) == kSuccess && none == nullptr, "a new thread has no current context");
        expect_code(api.cuMemAlloc_v2(&other, 16), kInvalidContext, "cuMemAlloc on another thread without cuCtxSetCurrent");
        expect_code(api.cuCtxSetCurrent(context), kSuccess, "cuCtxSetCurrent on another thread");
        expect_code(api.cuMemAlloc_v2(&other, 16), kSuccess, "cuMemAlloc on another thread after cuCtxSetCurrent");
        expect_code(api.cuMemFree_v2(other), kSuccess, "cuMemFree on another thread");
    }).join();
    return context;
}

void check_memory()
{
    section("memory: alignment, limits, bounds");
    CUdeviceptr address = 0;
    expect_code(api.cuMemAlloc_v2(&address, 0), kInvalidValue, "cuMemAlloc of 0 bytes");
    CUdeviceptr small = allocate(3);
    expect(small % 256 == 0, "allocations are 256-byte aligned");
    unsigned char fresh[3];
    expect(api.cuMemcpyDtoH_v2(fresh, small, 3) == kSuccess && fresh[0] == 0xff && fresh[2] == 0xff, "fresh memory is filled with 0xff, not zeros");
    expect_code(api.cuMemFree_v2(small + 1), kInvalidValue, "cuMemFree of a pointer inside an allocation");
    expect_code(api.cuMemFree_v2(small), kSuccess, "cuMemFree");
    expect_code(api.cuMemFree_v2(small), kInvalidValue, "cuMemFree twice");
    expect_code(api.cuMemFree_v2(0x1000), kInvalidValue, "cuMemFree of an unknown pointer");

    CUdeviceptr big = allocate(200 << 20);
    expect_code(api.cuMemAlloc_v2(&address, 100 << 20), kOutOfMemory, "allocating past the device's memory");
    expect_code(api.cuMemFree_v2(big), kSuccess, "cuMemFree of 200 MiB");
    CUdeviceptr again = allocate(100 << 20);
    expect_code(api.cuMemFree_v2(again), kSuccess, "freed memory counts again");

    std::vector<int> host(1000), back(1000);
    for (int i = 0; i < 1000; ++i)
    {
        host[size_t(i)] = i * 7;
    }

    CUdeviceptr buffer = allocate(4000), neighbour = allocate(4000);
    expect_code(api.cuMemcpyHtoD_v2(buffer, host.data(), 4000), kSuccess, "cuMemcpyHtoD");
    expect(api.cuMemcpyDtoH_v2(back.data(), buffer, 4000) == kSuccess && back == host, "the copy comes back");
    expect_code(api.cuMemcpyHtoD_v2(buffer, host.data(), 4001), kInvalidValue, "cuMemcpyHtoD one byte past the end");
    expect_code(api.cuMemcpyDtoH_v2(back.data(), buffer + 4, 3997), kInvalidValue, "cuMemcpyDtoH past the end from an offset");
    expect_code(api.cuMemcpyHtoD_v2(buffer + 3996, host.data(), 4), kSuccess, "cuMemcpyHtoD of the last four bytes");
    expect_code(api.cuMemcpyDtoH_v2(back.data(), 0x1000, 4), kInvalidValue, "cuMemcpyDtoH from a pointer that is not device memory");
    expect_code(api.cuMemcpyDtoH_v2(back.data(), buffer, 8000), kInvalidValue, "cuMemcpyDtoH spanning two allocations");
    expect_code(api.cuMemFree_v2(buffer), kSuccess, "cuMemFree");
    expect_code(api.cuMemcpyDtoH_v2(back.data(), buffer, 4), kInvalidValue, "cuMemcpyDtoH from freed memory");
    expect_code(api.cuMemFree_v2(neighbour), kSuccess, "cuMemFree");
}

std::string check_nvrtc()
{
    section("NVRTC");
    nvrtcProgram program = nullptr;
    expect(api.nvrtcCreateProgram(nullptr, kKernels, "x.cu", 0, nullptr, nullptr) == kNvrtcInvalidProgram, "nvrtcCreateProgram without a handle");
    expect(api.nvrtcCreateProgram(&program, nullptr, "x.cu", 0, nullptr, nullptr) == kNvrtcInvalidInput, "nvrtcCreateProgram without a source");
    expect(std::string(api.nvrtcGetErrorString(kNvrtcCompilation)) == "NVRTC_ERROR_COMPILATION", "nvrtcGetErrorString");
    int major = 0, minor = 0;
    expect(api.nvrtcVersion(&major, &minor) == 0 && major >= 11, "nvrtcVersion");

    expect(api.nvrtcCreateProgram(&program, kKernels, "selftest.cu", 0, nullptr, nullptr) == 0, "nvrtcCreateProgram");
    size_t size = 0;
    expect(api.nvrtcGetPTXSize(program, &size) == kNvrtcInvalidInput, "nvrtcGetPTXSize before a compile");
    const char* unknown[] = {"--gpu-architecture=compute_90", "--use_fast_math"};
    expect(api.nvrtcCompileProgram(program, 2, unknown) == kNvrtcInvalidOption, "an unknown option");
    expect(program_log(program).find("unrecognized option --use_fast_math") != std::string::npos, "the log names the unknown option");
    const char* twice[] = {"-arch=compute_90", "-arch=compute_80"};
    expect(api.nvrtcCompileProgram(program, 2, twice) == kNvrtcInvalidOption, "two architectures");
    expect(api.nvrtcDestroyProgram(&program) == 0, "nvrtcDestroyProgram");
    expect(api.nvrtcDestroyProgram(&program) == kNvrtcInvalidProgram, "nvrtcDestroyProgram of a destroyed program");

    int result = 0;
    std::string log;
    auto started = std::chrono::steady_clock::now();
    std::string ptx = compile(kKernels, "selftest.cu", result, log);
    expect(result == 0, "the kernels compile: " + log);
    std::printf("   compiled the kernels in %.0f ms\n", milliseconds_since(started));
    expect(ptx.rfind("// kiln-cuda-emulator v1\n", 0) == 0, "the PTX starts with the emulator's marker");
    bool real_ptx = ptx.find(".entry tree_sum(") != std::string::npos;
    std::printf("   the installed NVRTC's PTX is included: %s\n", real_ptx ? "yes" : "no (no NVRTC found)");
    if (real_ptx)
    {
        expect(ptx.find(".target sm_90") != std::string::npos && ptx.find(".entry elementwise(") != std::string::npos, "the real PTX targets sm_90");
    }

    std::string broken_ptx = compile("extern \"C\" __global__ void kiln_group0(int length, float* o1)\n{\n    o1[0] = kiln_undefined_helper(length);\n}\n",
                                     "Broken.Group0.cu", result, log);
    expect(result == kNvrtcCompilation && broken_ptx.empty(), "a compile error is NVRTC_ERROR_COMPILATION");
    expect(log.find("kiln_undefined_helper") != std::string::npos && log.find("Broken.Group0") != std::string::npos,
           "the log names the program and the error: " + log);

    // NVRTC accepts a warp vote, but the emulator's host C++ has none: the log must say which compiler refused.
    compile("extern \"C\" __global__ void vote(unsigned* out) { out[0] = __ballot_sync(0xffffffffu, 1); }\n", "vote.cu", result, log);
    expect(result == kNvrtcCompilation, "CUDA C the emulator lacks does not compile");
    if (real_ptx)
    {
        expect(log.find("g++ did not") != std::string::npos, "the log says NVRTC compiled it and g++ did not: " + log);
    }

    return ptx;
}

Kernels check_modules(const std::string& ptx)
{
    section("modules");
    CUmodule module = nullptr;
    expect_code(api.cuModuleLoadData(&module, "//\n// Generated by NVIDIA NVVM Compiler\n.version 7.8\n"), kInvalidImage, "real PTX is not an emulator image");
    Kernels kernels = load_kernels(ptx);
    CUfunction function = nullptr;
    expect_code(api.cuModuleGetFunction(&function, kernels.module, "scale_add"), kNotFound, "a __device__ function is not a kernel");
    expect_code(api.cuModuleGetFunction(&function, kernels.module, "missing"), kNotFound, "an unknown kernel");

    // A second module of the same image, unloaded: its handles go, the first module's stay.
    Kernels other = load_kernels(ptx);
    expect_code(api.cuModuleUnload(other.module), kSuccess, "cuModuleUnload");
    int length = 1;
    CUdeviceptr buffer = allocate(4);
    expect_code(launch(other.write_at, 1, 1, {&length, &buffer}), kInvalidHandle, "launching a kernel of an unloaded module");
    expect_code(api.cuModuleUnload(other.module), kInvalidHandle, "cuModuleUnload twice");
    expect_code(api.cuMemFree_v2(buffer), kSuccess, "cuMemFree");
    return kernels;
}

void check_launch_validation(const Kernels& kernels)
{
    section("launch validation");
    int index = 0;
    CUdeviceptr buffer = allocate(1024);
    std::vector<void*> arguments = {&index, &buffer};
    void* extra[] = {nullptr};
    expect_code(api.cuLaunchKernel(kernels.write_at, 1, 1, 1, 0, 1, 1, 0, nullptr, arguments.data(), nullptr), kInvalidValue, "a block of 0 threads");
    expect_code(api.cuLaunchKernel(kernels.write_at, 1, 1, 1, 1025, 1, 1, 0, nullptr, arguments.data(), nullptr), kInvalidValue, "1025 threads");
    expect_code(api.cuLaunchKernel(kernels.write_at, 1, 1, 1, 32, 32, 2, 0, nullptr, arguments.data(), nullptr), kInvalidValue, "32x32x2 threads");
    expect_code(api.cuLaunchKernel(kernels.write_at, 0, 1, 1, 32, 1, 1, 0, nullptr, arguments.data(), nullptr), kInvalidValue, "a grid of 0 blocks");
    expect_code(api.cuLaunchKernel(kernels.write_at, 1, 1, 1, 32, 1, 1, 0, reinterpret_cast<CUstream>(1), arguments.data(), nullptr), kInvalidHandle,
                "a stream other than the null stream");
    expect_code(api.cuLaunchKernel(kernels.write_at, 1, 1, 1, 32, 1, 1, 0, nullptr, arguments.data(), extra), kInvalidValue, "arguments in `extra`");
    expect_code(api.cuLaunchKernel(kernels.write_at, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr), kInvalidValue, "no kernelParams");
    expect_code(api.cuLaunchKernel(reinterpret_cast<CUfunction>(&index), 1, 1, 1, 32, 1, 1, 0, nullptr, arguments.data(), nullptr), kInvalidHandle,
                "a bogus function handle");
    float host[4];
    CUdeviceptr host_pointer = reinterpret_cast<uintptr_t>(host);
    expect_code(launch(kernels.write_at, 1, 32, {&index, &host_pointer}), kInvalidValue, "a host pointer as a device pointer");
    CUdeviceptr freed = allocate(64);
    api.cuMemFree_v2(freed);
    expect_code(launch(kernels.write_at, 1, 32, {&index, &freed}), kInvalidValue, "a freed pointer as an argument");
    expect_code(api.cuCtxSynchronize(), kSuccess, "refused launches leave no error behind");
    expect_code(api.cuMemFree_v2(buffer), kSuccess, "cuMemFree");
}

void check_results(const Kernels& kernels)
{
    section("launch results equal plain C++");
    constexpr int kLength = 1'000'003;
    constexpr unsigned kThreads = 256, kBlocks = (kLength + kThreads - 1) / kThreads;
    std::vector<float> x(kLength), y(kLength);
    for (int i = 0; i < kLength; ++i)
    {
        x[size_t(i)] = float(i % 1000) / 1000.0f * (i % 3 == 0 ? -3.0f : 2.5f);
        y[size_t(i)] = float(i % 1013 * 7 % 1013) - 500.0f;
    }

    x[5] = std::numeric_limits<float>::quiet_NaN();
    x[6] = 1e30f;
    const size_t bytes = sizeof(float) * kLength;
    CUdeviceptr dx = allocate(bytes), dy = allocate(bytes), dout = allocate(bytes), dtruncated = allocate(bytes);
    CUdeviceptr dpartials = allocate(kBlocks * sizeof(float));
    expect_code(api.cuMemcpyHtoD_v2(dx, x.data(), bytes), kSuccess, "upload x");
    expect_code(api.cuMemcpyHtoD_v2(dy, y.data(), bytes), kSuccess, "upload y");

    // The arguments live in variables that change right after the launch: the driver must have copied them.
    int length = kLength;
    float k = 1.5f;
    CUdeviceptr out_argument = dout;
    auto started = std::chrono::steady_clock::now();
    expect_code(launch(kernels.elementwise, kBlocks, kThreads, {&length, &dx, &dy, &k, &out_argument, &dtruncated}), kSuccess, "launch elementwise");
    length = 0;
    k = -99.0f;
    out_argument = 0;
    expect_code(api.cuStreamSynchronize(nullptr), kSuccess, "cuStreamSynchronize");
    std::printf("   elementwise over %d elements (%u blocks of %u threads): %.1f ms\n", kLength, kBlocks, kThreads, milliseconds_since(started));
    std::vector<float> out(kLength);
    std::vector<int> truncated(kLength);
    expect_code(api.cuMemcpyDtoH_v2(out.data(), dout, bytes), kSuccess, "download out");
    expect_code(api.cuMemcpyDtoH_v2(truncated.data(), dtruncated, bytes), kSuccess, "download truncated");
    int mismatches = 0;
    for (int i = 0; i < kLength; ++i)
    {
        float expected = x[size_t(i)] * 1.5f + y[size_t(i)] + std::sqrt(std::fabs(x[size_t(i)]));
        bool same = std::memcmp(&expected, &out[size_t(i)], sizeof expected) == 0;
        mismatches += !same || truncated[size_t(i)] != reference_conversion<int>(x[size_t(i)] * 1e9f);
    }

    expect(mismatches == 0, "elementwise results equal C++ bit for bit (" + std::to_string(mismatches) + " differ)");

    // The reduction: queued, not finished at once, then each block's partial equals the same tree in C++.
    started = std::chrono::steady_clock::now();
    length = kLength;
    expect_code(launch(kernels.tree_sum, kBlocks, kThreads, {&length, &dx, &dpartials}), kSuccess, "launch tree_sum");
    expect_code(api.cuStreamQuery(nullptr), kNotReady, "cuStreamQuery right after the launch");
    expect_code(api.cuStreamQuery(reinterpret_cast<CUstream>(1)), kInvalidHandle, "cuStreamQuery of another stream");
    CUresult status;
    while ((status = api.cuStreamQuery(nullptr)) == kNotReady)
    {
        std::this_thread::yield();
    }

    double elapsed = milliseconds_since(started);
    expect_code(status, kSuccess, "cuStreamQuery once the reduction is done");
    std::printf("   tree_sum over %d elements (%u blocks of %u threads, 9 barriers each): %.1f ms\n", kLength, kBlocks, kThreads, elapsed);
    expect(elapsed < max_reduction_ms, "the reduction takes less than " + std::to_string(int(max_reduction_ms)) + " ms");
    std::vector<float> partials(kBlocks);
    expect_code(api.cuMemcpyDtoH_v2(partials.data(), dpartials, kBlocks * sizeof(float)), kSuccess, "download partials");
    mismatches = 0;
    for (unsigned block = 0; block < kBlocks; ++block)
    {
        float tree[kThreads];
        for (unsigned lid = 0; lid < kThreads; ++lid)
        {
            size_t i = size_t(block) * kThreads + lid;
            tree[lid] = i < size_t(kLength) ? x[i] : 0.0f;
        }

        for (unsigned s = kThreads / 2; s > 0; s >>= 1)
        {
            for (unsigned lid = 0; lid < s; ++lid)
            {
                tree[lid] = tree[lid] + tree[lid + s];
            }
        }

        mismatches += std::memcmp(&tree[0], &partials[block], sizeof(float)) != 0;
    }

    expect(mismatches == 0, "tree_sum partials equal the C++ tree bit for bit (" + std::to_string(mismatches) + " differ)");
    for (CUdeviceptr buffer : {dx, dy, dout, dtruncated, dpartials})
    {
        expect_code(api.cuMemFree_v2(buffer), kSuccess, "cuMemFree");
    }
}

void check_conversions_and_indices(const Kernels& kernels)
{
    section("intrinsics and thread indices");
    const float nan = std::numeric_limits<float>::quiet_NaN(), infinity = std::numeric_limits<float>::infinity();
    const std::vector<float> f = {nan, infinity, -infinity, 3e9f, -3e9f, 1e19f, 2e19f, -1.5f, -0.5f, 2.9f, -2.9f, 4294967040.0f, 0.0f, -0.0f, 1e-30f, 123456.7f};
    std::vector<double> d;
    for (float value : f)
    {
        d.push_back(double(value));
    }

    d[9] = 4294967295.9; // just under 2^32
    d[10] = -2147483648.9;
    const unsigned n = unsigned(f.size());
    CUdeviceptr df = allocate(n * sizeof(float)), dd = allocate(n * sizeof(double));
    CUdeviceptr di32 = allocate(2 * n * 4), du32 = allocate(2 * n * 4), di64 = allocate(2 * n * 8), du64 = allocate(2 * n * 8);
    api.cuMemcpyHtoD_v2(df, f.data(), n * sizeof(float));
    api.cuMemcpyHtoD_v2(dd, d.data(), n * sizeof(double));
    expect_code(launch(kernels.conversions, 1, n, {&df, &dd, &di32, &du32, &di64, &du64}), kSuccess, "launch conversions");
    std::vector<int> i32(2 * n);
    std::vector<unsigned> u32(2 * n);
    std::vector<long long> i64(2 * n);
    std::vector<unsigned long long> u64(2 * n);
    api.cuMemcpyDtoH_v2(i32.data(), di32, 2 * n * 4);
    api.cuMemcpyDtoH_v2(u32.data(), du32, 2 * n * 4);
    api.cuMemcpyDtoH_v2(i64.data(), di64, 2 * n * 8);
    api.cuMemcpyDtoH_v2(u64.data(), du64, 2 * n * 8);
    for (unsigned i = 0; i < n; ++i)
    {
        std::string input = std::to_string(d[i]);
        expect(i32[2 * i] == reference_conversion<int>(f[i]) && i32[2 * i + 1] == reference_conversion<int>(d[i]), "__float2int_rz/__double2int_rz of " + input);
        expect(u32[2 * i] == reference_conversion<unsigned>(f[i]) && u32[2 * i + 1] == reference_conversion<unsigned>(d[i]), "__float2uint_rz/__double2uint_rz of " + input);
        expect(i64[2 * i] == reference_conversion<long long>(f[i]) && i64[2 * i + 1] == reference_conversion<long long>(d[i]), "__float2ll_rz/__double2ll_rz of " + input);
        expect(u64[2 * i] == reference_conversion<unsigned long long>(f[i]) && u64[2 * i + 1] == reference_conversion<unsigned long long>(d[i]),
               "__float2ull_rz/__double2ull_rz of " + input);
    }

    // A 3D grid of 3D blocks: every thread writes its own slot once.
    const unsigned grid[3] = {2, 3, 2}, block[3] = {4, 2, 3};
    const unsigned threads = block[0] * block[1] * block[2], total = grid[0] * grid[1] * grid[2] * threads;
    CUdeviceptr dindices = allocate(total * 4);
    std::vector<void*> arguments = {&dindices};
    expect_code(api.cuLaunchKernel(kernels.index_3d, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, nullptr, arguments.data(), nullptr),
                kSuccess, "launch index_3d");
    std::vector<unsigned> indices(total);
    expect_code(api.cuMemcpyDtoH_v2(indices.data(), dindices, total * 4), kSuccess, "download indices");
    bool all = true;
    for (unsigned i = 0; i < total; ++i)
    {
        all = all && indices[i] == 1000u * (i / threads) + i % threads;
    }

    expect(all, "threadIdx, blockIdx, blockDim and gridDim in 3D");
    for (CUdeviceptr buffer : {df, dd, di32, du32, di64, du64, dindices})
    {
        api.cuMemFree_v2(buffer);
    }
}

void check_concurrent_threads(CUcontext context, const Kernels& kernels)
{
    section("several host threads at once");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
    {
        threads.emplace_back([&, t] {
            api.cuCtxSetCurrent(context);
            constexpr int kLength = 10'000;
            std::vector<float> x(kLength, float(t)), y(kLength, 1.0f), out(kLength);
            for (int round = 0; round < 20; ++round)
            {
                CUdeviceptr dx = allocate(kLength * 4), dy = allocate(kLength * 4), dout = allocate(kLength * 4), dtruncated = allocate(kLength * 4);
                api.cuMemcpyHtoD_v2(dx, x.data(), kLength * 4);
                api.cuMemcpyHtoD_v2(dy, y.data(), kLength * 4);
                int length = kLength;
                float k = float(round);
                expect_code(launch(kernels.elementwise, (kLength + 255) / 256, 256, {&length, &dx, &dy, &k, &dout, &dtruncated}), kSuccess, "concurrent launch");
                expect_code(api.cuMemcpyDtoH_v2(out.data(), dout, kLength * 4), kSuccess, "concurrent download");
                float expected = float(t) * float(round) + 1.0f + std::sqrt(float(t));
                expect(out[0] == expected && out[kLength - 1] == expected, "a concurrent launch's result");
                for (CUdeviceptr buffer : {dx, dy, dout, dtruncated})
                {
                    api.cuMemFree_v2(buffer);
                }
            }
        });
    }

    for (std::thread& thread : threads)
    {
        thread.join();
    }
}

void check_kernel_failures(const std::string& ptx)
{
    section("kernels that fail (the emulator reports each on stderr)");
    int index = 1024;
    CUdeviceptr buffer = allocate(1024 * sizeof(float));
    Kernels kernels = load_kernels(ptx);
    expect_kernel_failure(launch(kernels.write_at, 1, 1, {&index, &buffer}), kIllegalAddress, "a write one element past a 4096-byte allocation hits the guard page");

    reset_context();
    kernels = load_kernels(ptx);
    index = 1000;
    buffer = allocate(1000 * sizeof(float));
    expect_kernel_failure(launch(kernels.write_at, 1, 1, {&index, &buffer}), kIllegalAddress, "a write one element past a 4000-byte allocation changes its canary");

    reset_context();
    kernels = load_kernels(ptx);
    CUdeviceptr null = 0;
    index = 0;
    expect_kernel_failure(launch(kernels.write_at, 1, 1, {&index, &null}), kIllegalAddress, "a write through a null pointer");

    reset_context();
    kernels = load_kernels(ptx);
    buffer = allocate(256 * sizeof(float));
    expect_kernel_failure(launch(kernels.early_return, 1, 64, {&buffer}), kLaunchFailed, "__syncthreads after some threads returned");

    reset_context();
    kernels = load_kernels(ptx);
    buffer = allocate(256 * sizeof(float));
    expect_kernel_failure(launch(kernels.split_barrier, 1, 64, {&buffer}), kLaunchFailed, "threads at different __syncthreads");

    reset_context();
    kernels = load_kernels(ptx);
    buffer = allocate(256 * sizeof(int));
    int depth = 10'000;
    expect_kernel_failure(launch(kernels.recurse, 1, 2, {&depth, &buffer}), kIllegalAddress, "a thread's stack overflows");

    reset_context();
    kernels = load_kernels(ptx);
    buffer = allocate(256 * sizeof(int));
    int numerator = 7, denominator = 0;
    expect_kernel_failure(launch(kernels.divide, 1, 32, {&numerator, &denominator, &buffer}), kLaunchFailed, "an integer division by zero");

    CUcontext context = reset_context();
    kernels = load_kernels(ptx);
    buffer = allocate(256 * sizeof(int));
    denominator = 2;
    expect_code(launch(kernels.divide, 1, 32, {&numerator, &denominator, &buffer}), kSuccess, "a launch after the context was recreated");
    int quotient = 0;
    expect(api.cuMemcpyDtoH_v2(&quotient, buffer, sizeof quotient) == kSuccess && quotient == 3, "a recreated context works");

    // Releasing the last retain destroys the context: its memory and modules go with it.
    expect_code(api.cuDevicePrimaryCtxRelease(0), kSuccess, "cuDevicePrimaryCtxRelease");
    expect_code(api.cuMemFree_v2(buffer), kInvalidContext, "a destroyed context is not usable");
    expect_code(api.cuDevicePrimaryCtxRelease(0), kInvalidContext, "cuDevicePrimaryCtxRelease of a released context");
    expect_code(api.cuCtxSetCurrent(context), kInvalidContext, "cuCtxSetCurrent of a released context");
}
} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 3)
    {
        std::fprintf(stderr, "usage: %s LIBRARY [MAX_REDUCTION_MS]\n", argv[0]);
        return 2;
    }

    if (argc == 3)
    {
        max_reduction_ms = std::atof(argv[2]);
    }

    std::setvbuf(stdout, nullptr, _IOLBF, 0); // in order with the emulator's reports on stderr

    setenv("KILN_CUDA_EMULATOR_MEMORY", std::to_string(kDeviceMemory).c_str(), 1);
    if (!load_api(argv[1]))
    {
        return 1;
    }

    check_before_initialization();
    check_device_queries();
    CUcontext context = check_contexts();
    check_memory();
    std::string ptx = check_nvrtc();
    Kernels kernels = check_modules(ptx);
    check_launch_validation(kernels);
    check_results(kernels);
    check_conversions_and_indices(kernels);
    check_concurrent_threads(context, kernels);
    check_kernel_failures(ptx);

    std::printf(failures == 0 ? "selftest passed\n" : "selftest FAILED: %d checks\n", failures);
    return failures == 0 ? 0 : 1;
}
