// kiln_cuda_emulator.cpp: a CPU emulator of the CUDA driver API and of NVRTC, in one shared library, so that Kiln's
// CUDA backend (runtime/Kiln.Runtime/Devices/CudaDevice.cs) runs unchanged on a machine without a GPU. Load it as
// both KILN_CUDA_LIBRARY and KILN_NVRTC_LIBRARY; README.md says what it checks and what it cannot.
//
// How it works, in the order a program meets it:
//  * nvrtcCompileProgram checks the source with the real NVRTC when one is installed, then compiles it for the host
//    with g++ (kiln_cuda_host.h maps CUDA C onto C++). Its "PTX" is the CUDA source behind a marker header, followed
//    by the real NVRTC's PTX when there is one, so a PTX cache on disk and tests that read the PTX keep working.
//  * cuModuleLoadData compiles that source with g++ into a shared object cached by content hash (next to the
//    precompiled prelude), and dlopens it.
//  * cuLaunchKernel copies the arguments and queues the launch on one worker thread (the null stream). The worker
//    runs the blocks one at a time, each block's threads as fibers on its own OS thread, switching at __syncthreads.
//  * Device memory is mmap'ed between PROT_NONE guard pages; freed memory stays PROT_NONE for a while; a kernel that
//    faults, divides by zero or writes past an allocation fails its launch with a message on stderr, and the error
//    sticks to the context as it does on a GPU.

#define KILN_EMU_ABI_ONLY
#include "kiln_cuda_host.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#if defined(__x86_64__) && !defined(KILN_EMU_USE_UCONTEXT)
#define KILN_EMU_STACK_SWITCH 1 // a hand-written switch: swapcontext makes a system call per switch
#else
#include <ucontext.h>
#endif

extern char** environ;

#define KILN_EXPORT extern "C" __attribute__((visibility("default")))

// ---- The CUDA driver API's and NVRTC's types and codes, as cuda.h and nvrtc.h declare them --------------------

typedef int CUresult;
typedef int CUdevice;
typedef int CUdevice_attribute;
typedef unsigned long long CUdeviceptr;
typedef struct CUstream_st* CUstream; // only the null stream exists

namespace
{
class Context;
class Module;
struct Function;
class Program;
} // namespace

// The handles point at the emulator's own objects.
typedef Context* CUcontext;
typedef Module* CUmodule;
typedef Function* CUfunction;

typedef int nvrtcResult;
typedef Program* nvrtcProgram;

enum : CUresult
{
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_FAILED = 719,
};

enum : nvrtcResult
{
    NVRTC_SUCCESS = 0,
    NVRTC_ERROR_OUT_OF_MEMORY = 1,
    NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2,
    NVRTC_ERROR_INVALID_INPUT = 3,
    NVRTC_ERROR_INVALID_PROGRAM = 4,
    NVRTC_ERROR_INVALID_OPTION = 5,
    NVRTC_ERROR_COMPILATION = 6,
    NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION = 8,
    NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION = 9,
    NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID = 10,
    NVRTC_ERROR_INTERNAL_ERROR = 11,
};

namespace
{
struct ErrorText
{
    CUresult code;
    const char* name;
    const char* description; // cuGetErrorString's text, as the real driver words it
};

// The codes this emulator returns. cuGetErrorName answers CUDA_ERROR_INVALID_VALUE for any other code, as the real
// driver does for a code it does not know.
constexpr ErrorText kCudaErrors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

const ErrorText* find_error(CUresult code)
{
    for (const ErrorText& error : kCudaErrors)
    {
        if (error.code == code)
        {
            return &error;
        }
    }

    return nullptr;
}

constexpr const char* kNvrtcErrorNames[] = {
    "NVRTC_SUCCESS",
    "NVRTC_ERROR_OUT_OF_MEMORY",
    "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
    "NVRTC_ERROR_INVALID_INPUT",
    "NVRTC_ERROR_INVALID_PROGRAM",
    "NVRTC_ERROR_INVALID_OPTION",
    "NVRTC_ERROR_COMPILATION",
    "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE",
    "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
    "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION",
    "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID",
    "NVRTC_ERROR_INTERNAL_ERROR",
};

// ---- The emulated device ----------------------------------------------------------------------------------------

constexpr const char kDeviceName[] = "Kiln CUDA emulator (CPU)";
constexpr size_t kDefaultMemory = size_t(2) << 30;
constexpr int kComputeCapability = 90; // 9.0, so modules target compute_90
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {2147483647u, 65535, 65535};
constexpr unsigned kMaxSharedMemoryPerBlock = 48 * 1024;

struct DeviceAttribute
{
    CUdevice_attribute id;
    int value;
};

// The attributes the emulator answers (cuda.h's CU_DEVICE_ATTRIBUTE_* numbers); others are CUDA_ERROR_INVALID_VALUE.
constexpr DeviceAttribute kDeviceAttributes[] = {
    {1, int(kMaxThreadsPerBlock)},     // MAX_THREADS_PER_BLOCK
    {2, int(kMaxBlockDim[0])},         // MAX_BLOCK_DIM_X
    {3, int(kMaxBlockDim[1])},         // MAX_BLOCK_DIM_Y
    {4, int(kMaxBlockDim[2])},         // MAX_BLOCK_DIM_Z
    {5, int(kMaxGridDim[0])},          // MAX_GRID_DIM_X
    {6, int(kMaxGridDim[1])},          // MAX_GRID_DIM_Y
    {7, int(kMaxGridDim[2])},          // MAX_GRID_DIM_Z
    {8, int(kMaxSharedMemoryPerBlock)}, // MAX_SHARED_MEMORY_PER_BLOCK
    {10, 32},                          // WARP_SIZE
    {16, 1},                           // MULTIPROCESSOR_COUNT: one worker thread runs every block
    {75, kComputeCapability / 10},     // COMPUTE_CAPABILITY_MAJOR
    {76, kComputeCapability % 10},     // COMPUTE_CAPABILITY_MINOR
};

// ---- Small utilities --------------------------------------------------------------------------------------------

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

std::string format(const char* pattern, ...)
{
    va_list arguments;
    va_start(arguments, pattern);
    va_list copy;
    va_copy(copy, arguments);
    int length = std::vsnprintf(nullptr, 0, pattern, copy);
    va_end(copy);
    std::string text(size_t(std::max(length, 0)), '\0');
    std::vsnprintf(text.data(), text.size() + 1, pattern, arguments);
    va_end(arguments);
    return text;
}

// Everything the emulator has to say goes to stderr with one prefix: an error code alone rarely says enough.
void report(const std::string& message)
{
    std::fprintf(stderr, "kiln-cuda-emulator: %s\n", message.c_str());
}

size_t page_size()
{
    static const size_t size = size_t(sysconf(_SC_PAGESIZE));
    return size;
}

size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// FNV-1a with a 128-bit state: names cache entries by content, without collisions in practice.
std::string content_hash(std::string_view text)
{
    using u128 = unsigned __int128;
    const u128 prime = (u128(1) << 88) + 0x13b;
    u128 hash = (u128(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
    for (unsigned char c : text)
    {
        hash ^= c;
        hash *= prime;
    }

    return format("%016llx%016llx", (unsigned long long)(hash >> 64), (unsigned long long)hash);
}

bool make_directories(const std::string& path, std::string& error)
{
    for (size_t slash = path.find('/', 1); ; slash = path.find('/', slash + 1))
    {
        std::string prefix = path.substr(0, slash);
        if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
        {
            error = format("cannot create %s: %s", prefix.c_str(), std::strerror(errno));
            return false;
        }

        if (slash == std::string::npos)
        {
            return true;
        }
    }
}

// A name no other thread or process uses, for a file that is renamed into place when complete.
std::string temporary_name(const std::string& path)
{
    static std::atomic<unsigned> counter{0};
    return format("%s.%d.%u.tmp", path.c_str(), int(getpid()), counter++);
}

// Writes a file so that readers, in this process or another, see all of it or none of it.
bool write_file_atomically(const std::string& path, std::string_view content, std::string& error)
{
    std::string temporary = temporary_name(path);
    int file = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (file < 0)
    {
        error = format("cannot create %s: %s", temporary.c_str(), std::strerror(errno));
        return false;
    }

    for (size_t written = 0; written < content.size();)
    {
        ssize_t count = write(file, content.data() + written, content.size() - written);
        if (count < 0 && errno != EINTR)
        {
            error = format("cannot write %s: %s", temporary.c_str(), std::strerror(errno));
            close(file);
            unlink(temporary.c_str());
            return false;
        }

        written += size_t(std::max<ssize_t>(count, 0));
    }

    close(file);
    if (rename(temporary.c_str(), path.c_str()) != 0)
    {
        error = format("cannot rename %s to %s: %s", temporary.c_str(), path.c_str(), std::strerror(errno));
        unlink(temporary.c_str());
        return false;
    }

    return true;
}

bool file_exists(const std::string& path)
{
    struct stat info;
    return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0;
}

enum class RunResult
{
    Succeeded,
    Failed,  // it ran and exited with an error
    NotRun,  // it could not be started
};

// Runs a program found on PATH, its stdout and stderr captured in `output`. Success is an exit status of 0 or, where
// the status was reaped by someone else (a host process's SIGCHLD handler may reap every child), the program having
// produced `expected_output`.
RunResult run_program(const std::vector<std::string>& arguments, const std::string& expected_output, std::string& output)
{
    int pipe_ends[2];
    if (pipe2(pipe_ends, O_CLOEXEC) != 0)
    {
        output = format("pipe failed: %s", std::strerror(errno));
        return RunResult::NotRun;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDERR_FILENO);

    // The calling thread may block signals, or the host may ignore SIGPIPE; the compiler gets a clean slate.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t signals;
    sigemptyset(&signals);
    posix_spawnattr_setsigmask(&attributes, &signals);
    sigaddset(&signals, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    for (const std::string& argument : arguments)
    {
        argv.push_back(const_cast<char*>(argument.c_str()));
    }

    argv.push_back(nullptr);
    pid_t child;
    int spawned = posix_spawnp(&child, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(pipe_ends[1]);
    if (spawned != 0)
    {
        close(pipe_ends[0]);
        output = format("cannot run %s: %s", argv[0], std::strerror(spawned));
        return RunResult::NotRun;
    }

    char buffer[4096];
    for (;;)
    {
        ssize_t count = read(pipe_ends[0], buffer, sizeof buffer);
        if (count > 0)
        {
            output.append(buffer, size_t(count));
        }
        else if (count == 0 || errno != EINTR)
        {
            break;
        }
    }

    close(pipe_ends[0]);
    int status = 0;
    pid_t waited;
    while ((waited = waitpid(child, &status, 0)) < 0 && errno == EINTR)
    {
    }

    bool succeeded = waited < 0 ? file_exists(expected_output) : WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return succeeded ? RunResult::Succeeded : RunResult::Failed;
}

// ---- The host compiler: CUDA C source to a shared object the emulator can launch from -----------------------------

// The prelude header, embedded at build time (build.sh passes this folder to the assembler), so the library is the
// only file a test machine needs.
asm(R"(
    .pushsection .rodata
    .balign 16
kiln_emu_prelude_begin:
    .incbin "kiln_cuda_host.h"
kiln_emu_prelude_end:
    .popsection
)");
extern "C" const char kiln_emu_prelude_begin[] __attribute__((visibility("hidden")));
extern "C" const char kiln_emu_prelude_end[] __attribute__((visibility("hidden")));

std::string_view prelude_text() { return {kiln_emu_prelude_begin, size_t(kiln_emu_prelude_end - kiln_emu_prelude_begin)}; }

// `-ffp-contract=off`: a * b + c rounds twice, as NVRTC's --fmad=false and C# do. The sanitizer turns an integer
// division by zero into a trap instruction (SIGILL, which the fault trap catches) instead of x86's SIGFPE: the .NET
// runtime owns SIGFPE for DivideByZeroException and does not take it chained through another handler. The
// precompiled prelude is built with the same flags, which g++ requires to use it.
const std::vector<std::string> kCompilerFlags = {
    "-std=c++20", "-O1", "-fPIC", "-ffp-contract=off", "-fno-fast-math", "-pthread", "-fvisibility=hidden",
    "-fsanitize=integer-divide-by-zero", "-fsanitize-undefined-trap-on-error",
};

// `-z defs`: a kernel that calls something undefined fails to compile rather than to load.
const std::vector<std::string> kLinkFlags = {"-shared", "-Wl,-z,defs"};

std::string cache_directory()
{
    const char* configured = std::getenv("KILN_CUDA_EMULATOR_CACHE");
    return configured != nullptr && *configured != '\0' ? configured : "/tmp/kiln-cuda-emulator";
}

// What the emulator's "PTX" carries: the CUDA source and what it was compiled for.
struct ProgramImage
{
    int architecture = 0; // e.g. 90 for compute_90
    std::string program_name;
    std::string source;
};

constexpr std::string_view kImageMarker = "// kiln-cuda-emulator v1\n";

// The image nvrtcGetPTX returns: a marker, three header lines, the source, and after it the real NVRTC's PTX when
// one compiled the source (for readers of the PTX; cuModuleLoadData reads only the source).
std::string write_image(const ProgramImage& image, std::string_view nvrtc_ptx)
{
    std::string name = image.program_name;
    std::replace(name.begin(), name.end(), '\n', ' ');
    std::string text(kImageMarker);
    text += format("// target: compute_%d\n// program: %s\n// source-bytes: %zu\n", image.architecture, name.c_str(), image.source.size());
    text += image.source;
    text += "\n";
    text += nvrtc_ptx.empty() ? "// No NVRTC was installed, so this image holds no PTX.\n" : "// NVRTC's PTX for the same source and options:\n";
    text += nvrtc_ptx;
    return text;
}

bool read_header_line(std::string_view& text, std::string_view key, std::string& value)
{
    std::string prefix = "// " + std::string(key) + ": ";
    size_t end = text.find('\n');
    if (text.substr(0, prefix.size()) != prefix || end == std::string_view::npos)
    {
        return false;
    }

    value = std::string(text.substr(prefix.size(), end - prefix.size()));
    text.remove_prefix(end + 1);
    return true;
}

bool read_image(const char* image, ProgramImage& program)
{
    std::string_view text(image);
    if (text.substr(0, kImageMarker.size()) != kImageMarker)
    {
        return false;
    }

    text.remove_prefix(kImageMarker.size());
    std::string target, bytes;
    if (!read_header_line(text, "target", target) || !read_header_line(text, "program", program.program_name) ||
        !read_header_line(text, "source-bytes", bytes) || std::sscanf(target.c_str(), "compute_%d", &program.architecture) != 1)
    {
        return false;
    }

    char* end = nullptr;
    unsigned long long size = std::strtoull(bytes.c_str(), &end, 10);
    if (end == bytes.c_str() || *end != '\0' || size > text.size())
    {
        return false;
    }

    program.source = std::string(text.substr(0, size));
    return true;
}

// The kernels a module can launch: every `extern "C" __global__ void NAME(` in the source, skipping comments,
// literals and preprocessor lines. (A kernel without extern "C" has a mangled name the emulator does not compute.)
std::vector<std::string> find_kernels(std::string_view source)
{
    std::vector<std::string> tokens;
    bool line_start = true;
    for (size_t i = 0; i < source.size();)
    {
        char c = source[i];
        if (c == '\n')
        {
            line_start = true;
            ++i;
        }
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
        {
            ++i;
        }
        else if (c == '#' && line_start)
        {
            while (i < source.size() && (source[i] != '\n' || source[i - 1] == '\\'))
            {
                ++i;
            }
        }
        else if (source.substr(i, 2) == "//")
        {
            i = std::min(source.find('\n', i), source.size());
        }
        else if (source.substr(i, 2) == "/*")
        {
            size_t end = source.find("*/", i + 2);
            i = end == std::string_view::npos ? source.size() : end + 2;
        }
        else if (c == '"' || c == '\'')
        {
            size_t start = i++;
            while (i < source.size() && source[i] != c)
            {
                i += source[i] == '\\' ? 2 : 1;
            }

            i = std::min(i + 1, source.size());
            tokens.emplace_back(source.substr(start, i - start));
            line_start = false;
        }
        else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
        {
            size_t start = i;
            bool number = std::isdigit(static_cast<unsigned char>(c));
            auto continues = [&](char next) { return std::isalnum(static_cast<unsigned char>(next)) || next == '_' || (number && next == '\''); };
            while (i < source.size() && continues(source[i]))
            {
                ++i;
            }

            tokens.emplace_back(source.substr(start, i - start));
            line_start = false;
        }
        else
        {
            tokens.emplace_back(1, c);
            ++i;
            line_start = false;
        }
    }

    std::vector<std::string> kernels;
    for (size_t i = 2; i < tokens.size(); ++i)
    {
        if (tokens[i] != "__global__" || tokens[i - 2] != "extern" || tokens[i - 1] != "\"C\"")
        {
            continue;
        }

        // The return type and __launch_bounds__(...) may come in either order before the name.
        bool returns_void = false;
        size_t j = i + 1;
        while (j + 1 < tokens.size())
        {
            if (tokens[j] == "void")
            {
                returns_void = true;
                ++j;
            }
            else if (tokens[j] == "__launch_bounds__")
            {
                int depth = 0;
                do
                {
                    depth += tokens[j] == "(" ? 1 : tokens[j] == ")" ? -1 : 0;
                    ++j;
                } while (j < tokens.size() && depth > 0);
            }
            else
            {
                break;
            }
        }

        if (returns_void && j + 1 < tokens.size() && tokens[j + 1] == "(" &&
            std::find(kernels.begin(), kernels.end(), tokens[j]) == kernels.end())
        {
            kernels.push_back(tokens[j]);
        }
    }

    return kernels;
}

std::string quoted_for_line_directive(const std::string& name)
{
    std::string quoted;
    for (char c : name)
    {
        if (c == '"' || c == '\\')
        {
            quoted += '\\';
        }

        quoted += c == '\n' ? ' ' : c;
    }

    return quoted;
}

// The C++ g++ compiles: NVRTC's predefined macros, the source under its own name (so g++'s messages cite the
// program's lines), and the table of its kernels.
std::string translation_unit(const ProgramImage& image)
{
    std::string text = format(
        "#define __CUDACC__ 1\n#define __CUDACC_RTC__ 1\n#define __CUDA_ARCH__ %d\n#define __KILN_CUDA_EMULATOR__ 1\n#line 1 \"%s\"\n",
        image.architecture * 10, quoted_for_line_directive(image.program_name).c_str());
    text += image.source;
    text += "\n#line 1 \"kiln-cuda-emulator kernel table\"\nstatic const kiln_emu_kernel kiln_emu_kernel_table[] = {\n";
    for (const std::string& kernel : find_kernels(image.source))
    {
        text += "    KILN_EMU_KERNEL(" + kernel + "),\n";
    }

    text += "    {nullptr, nullptr, 0, nullptr},\n};\n";
    text += "extern \"C\" __attribute__((visibility(\"default\"))) const kiln_emu_kernel* " KILN_EMU_KERNEL_TABLE_SYMBOL "() { return kiln_emu_kernel_table; }\n";
    return text;
}

// Writes the prelude next to the modules, once per process, under a name that changes with its content, and
// precompiles it: parsing C++20's <cmath> is most of the time g++ takes for a module. (g++ quietly reads the header
// itself when the precompiled one is missing or unusable.)
bool prepare_prelude(std::string& path, std::string& error)
{
    static std::once_flag once;
    static std::string written_path, write_error;
    std::call_once(once, [] {
        std::string directory = cache_directory();
        std::string header = directory + "/kiln_cuda_host." + content_hash(prelude_text()) + ".h";
        if (!make_directories(directory, write_error) || (!file_exists(header) && !write_file_atomically(header, prelude_text(), write_error)))
        {
            return;
        }

        written_path = header;
        std::string precompiled = header + ".gch";
        if (file_exists(precompiled))
        {
            return;
        }

        std::string temporary = temporary_name(precompiled), output;
        std::vector<std::string> command = {"g++"};
        command.insert(command.end(), kCompilerFlags.begin(), kCompilerFlags.end());
        command.insert(command.end(), {"-x", "c++-header", header, "-o", temporary});
        if (run_program(command, temporary, output) != RunResult::Succeeded || rename(temporary.c_str(), precompiled.c_str()) != 0)
        {
            report("the prelude could not be precompiled, so every module compiles it again:\n" + output);
            unlink(temporary.c_str());
        }
    });
    path = written_path;
    error = write_error;
    return !path.empty();
}

enum class BuildResult
{
    Built,
    CompileFailed, // g++ rejected the source
    SetupFailed,   // the cache could not be written or g++ could not be run
};

// Compiles the image's source into a shared object in the cache, unless a process already did: entries are named
// by a hash of everything that goes into them and renamed into place when complete. `log` gets what went wrong.
BuildResult build_module(const ProgramImage& image, std::string& library, std::string& log)
{
    std::string prelude;
    if (!prepare_prelude(prelude, log))
    {
        return BuildResult::SetupFailed;
    }

    std::string unit = translation_unit(image);
    std::string key;
    for (const std::vector<std::string>* flags : {&kCompilerFlags, &kLinkFlags})
    {
        for (const std::string& flag : *flags)
        {
            key += flag + "\n";
        }
    }

    std::string base = cache_directory() + "/" + content_hash(key + prelude + "\n" + unit);
    library = base + ".so";
    if (file_exists(library))
    {
        return BuildResult::Built;
    }

    // The source stays beside the library, for a debugger and for reading what g++ compiled.
    std::string source = base + ".cpp";
    if (!file_exists(source) && !write_file_atomically(source, unit, log))
    {
        return BuildResult::SetupFailed;
    }

    std::string temporary = temporary_name(library);
    std::vector<std::string> command = {"g++"};
    command.insert(command.end(), kCompilerFlags.begin(), kCompilerFlags.end());
    command.insert(command.end(), kLinkFlags.begin(), kLinkFlags.end());
    command.insert(command.end(), {"-include", prelude, "-x", "c++", source, "-o", temporary});
    RunResult compiled = run_program(command, temporary, log);
    if (compiled == RunResult::Succeeded && rename(temporary.c_str(), library.c_str()) != 0)
    {
        log += format("cannot rename %s to %s: %s\n", temporary.c_str(), library.c_str(), std::strerror(errno));
        compiled = RunResult::NotRun;
    }

    if (compiled != RunResult::Succeeded)
    {
        unlink(temporary.c_str());
    }

    return compiled == RunResult::Succeeded ? BuildResult::Built
        : compiled == RunResult::Failed     ? BuildResult::CompileFailed
                                            : BuildResult::SetupFailed;
}

// ---- Device memory ------------------------------------------------------------------------------------------------

// cuMemAlloc memory is uninitialized; these bytes read as NaN floats and -1 integers, so a read before any write shows.
constexpr unsigned char kUninitializedByte = 0xff;
// Fills the bytes around an allocation's data that no guard page covers; a kernel that writes them is reported.
constexpr unsigned char kCanaryByte = 0xcb;
constexpr size_t kAlignment = 256; // what cuMemAlloc guarantees
constexpr size_t kQuarantinedAllocations = 1024;

// Allocations sit between PROT_NONE guard pages, their end against the upper guard (give or take the 256-byte
// alignment), so a kernel that runs past the end faults. Freed allocations stay mapped PROT_NONE for a while, so a
// stale pointer faults too.
class DeviceMemory
{
public:
    void set_capacity(size_t bytes) { capacity_ = bytes; }

    CUresult allocate(size_t bytes, CUdeviceptr& address)
    {
        if (bytes == 0)
        {
            return CUDA_ERROR_INVALID_VALUE;
        }

        if (bytes > capacity_ - live_bytes_)
        {
            return CUDA_ERROR_OUT_OF_MEMORY;
        }

        size_t page = page_size();
        size_t span = round_up(bytes, kAlignment);
        size_t data_pages = round_up(span, page);
        size_t mapping_size = page + data_pages + page;
        void* mapping = mmap(nullptr, mapping_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mapping == MAP_FAILED)
        {
            return CUDA_ERROR_OUT_OF_MEMORY;
        }

        auto* base = static_cast<std::byte*>(mapping);
        if (mprotect(base + page, data_pages, PROT_READ | PROT_WRITE) != 0)
        {
            munmap(mapping, mapping_size);
            return CUDA_ERROR_OUT_OF_MEMORY;
        }

        Allocation allocation{base, mapping_size, base + page + data_pages - span, bytes};
        std::memset(allocation.data, kUninitializedByte, bytes);
        for (Region canary : canaries(allocation))
        {
            std::memset(canary.start, kCanaryByte, canary.size);
        }

        live_.emplace(reinterpret_cast<uintptr_t>(allocation.data), allocation);
        live_bytes_ += bytes;
        address = reinterpret_cast<uintptr_t>(allocation.data);
        return CUDA_SUCCESS;
    }

    CUresult free(CUdeviceptr address)
    {
        auto found = live_.find(uintptr_t(address));
        if (found == live_.end())
        {
            return CUDA_ERROR_INVALID_VALUE;
        }

        Allocation allocation = found->second;
        live_.erase(found);
        live_bytes_ -= allocation.size;
        mprotect(allocation.mapping, allocation.mapping_size, PROT_NONE);
        madvise(allocation.mapping, allocation.mapping_size, MADV_DONTNEED);
        quarantine_.push_back(allocation);
        if (quarantine_.size() > kQuarantinedAllocations)
        {
            munmap(quarantine_.front().mapping, quarantine_.front().mapping_size);
            quarantine_.pop_front();
        }

        return CUDA_SUCCESS;
    }

    // Whether [address, address + bytes) lies inside one live allocation.
    bool contains(uintptr_t address, size_t bytes) const
    {
        const Allocation* allocation = live_allocation_at(address);
        return allocation != nullptr && bytes <= allocation->size - (address - start(*allocation));
    }

    // Whether a kernel argument points into a live allocation or just past its end.
    bool is_device_pointer(uintptr_t address) const
    {
        const Allocation* allocation = live_allocation_at(address);
        if (allocation == nullptr && address > 0)
        {
            allocation = live_allocation_at(address - 1);
        }

        return allocation != nullptr;
    }

    // Where a faulting address lies, for the report.
    std::string describe(uintptr_t address) const
    {
        if (address < page_size())
        {
            return "a null pointer";
        }

        for (const auto& [data, allocation] : live_)
        {
            if (const std::string where = relative_to(allocation, address, "the"); !where.empty())
            {
                return where;
            }
        }

        for (const Allocation& allocation : quarantine_)
        {
            if (const std::string where = relative_to(allocation, address, "a freed"); !where.empty())
            {
                return where + " (used after cuMemFree)";
            }
        }

        return "no device allocation";
    }

    // Which allocation a kernel wrote past, if any: the canary bytes beside the data must be intact.
    std::string check_canaries() const
    {
        for (const auto& [data, allocation] : live_)
        {
            for (Region canary : canaries(allocation))
            {
                for (size_t i = 0; i < canary.size; ++i)
                {
                    if (static_cast<unsigned char>(canary.start[i]) != kCanaryByte)
                    {
                        uintptr_t address = reinterpret_cast<uintptr_t>(canary.start + i);
                        return format("a write to %#lx, %s", (unsigned long)address, relative_to(allocation, address, "the").c_str());
                    }
                }
            }
        }

        return {};
    }

    void release_all()
    {
        for (const auto& [data, allocation] : live_)
        {
            munmap(allocation.mapping, allocation.mapping_size);
        }

        for (const Allocation& allocation : quarantine_)
        {
            munmap(allocation.mapping, allocation.mapping_size);
        }

        live_.clear();
        quarantine_.clear();
        live_bytes_ = 0;
    }

private:
    struct Allocation
    {
        std::byte* mapping;
        size_t mapping_size;
        std::byte* data;
        size_t size;
    };

    struct Region
    {
        std::byte* start;
        size_t size;
    };

    static uintptr_t start(const Allocation& allocation) { return reinterpret_cast<uintptr_t>(allocation.data); }

    // The unguarded bytes beside the data: up to one alignment unit before it, and the rest of its last unit after.
    static std::array<Region, 2> canaries(const Allocation& allocation)
    {
        std::byte* lower_guard_end = allocation.mapping + page_size();
        std::byte* before = std::max(lower_guard_end, allocation.data - kAlignment);
        std::byte* end = allocation.data + allocation.size;
        return {Region{before, size_t(allocation.data - before)}, Region{end, round_up(allocation.size, kAlignment) - allocation.size}};
    }

    const Allocation* live_allocation_at(uintptr_t address) const
    {
        auto after = live_.upper_bound(address);
        if (after == live_.begin())
        {
            return nullptr;
        }

        const Allocation& allocation = std::prev(after)->second;
        return address - start(allocation) < allocation.size ? &allocation : nullptr;
    }

    // "offset N of the S-byte allocation at A", saying so when that is outside the data; empty when the address
    // is not in the allocation's mapping (guard pages included).
    static std::string relative_to(const Allocation& allocation, uintptr_t address, const char* article)
    {
        uintptr_t mapping = reinterpret_cast<uintptr_t>(allocation.mapping);
        if (address < mapping || address >= mapping + allocation.mapping_size)
        {
            return {};
        }

        uintptr_t begin = start(allocation);
        std::string text = format("offset %lld of %s %zu-byte allocation at %#lx", (long long)(address - begin), article, allocation.size,
                                  (unsigned long)begin);
        return address < begin ? text + ", before its start" : address >= begin + allocation.size ? text + ", past its end" : text;
    }

    size_t capacity_ = 0;
    size_t live_bytes_ = 0;
    std::map<uintptr_t, Allocation> live_; // by data address
    std::deque<Allocation> quarantine_;    // freed, oldest first
};

// ---- Fibers: the threads of a block -------------------------------------------------------------------------------

#if KILN_EMU_STACK_SWITCH
// Saves the callee-saved registers and the SSE and x87 control words on the current stack, stores the stack pointer
// in *save, then switches to the stack `resume` and restores what was saved there. A fiber's first switch "returns"
// into its entry function (see prepare_context).
extern "C" void kiln_emu_switch_stack(void** save, void* resume) __attribute__((visibility("hidden")));
asm(R"(
    .text
    .p2align 4
    .type kiln_emu_switch_stack, @function
kiln_emu_switch_stack:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size kiln_emu_switch_stack, .-kiln_emu_switch_stack
)");
#endif

// A suspended flow of control: a fiber, or the worker's own stack while a fiber runs.
struct ExecutionContext
{
#if KILN_EMU_STACK_SWITCH
    void* stack_pointer = nullptr;
#else
    ucontext_t context;
#endif
};

// Makes the first switch to `context` start `entry`, which must never return, on the given stack.
void prepare_context(ExecutionContext& context, std::byte* stack, size_t size, void (*entry)())
{
#if KILN_EMU_STACK_SWITCH
    // The frame kiln_emu_switch_stack pops: the control words, r15 to rbp, and the return address, here the entry.
    // Above it a null return address for the entry itself, which then starts with the stack pointer 8 bytes past a
    // 16-byte boundary, as after a call.
    auto top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t(15);
    auto* frame = reinterpret_cast<uint64_t*>(top) - 9;
    uint32_t mxcsr;
    uint16_t x87_control;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(x87_control));
    frame[0] = mxcsr | uint64_t(x87_control) << 32;
    std::fill(frame + 1, frame + 7, 0);
    frame[7] = reinterpret_cast<uint64_t>(entry);
    frame[8] = 0;
    context.stack_pointer = frame;
#else
    getcontext(&context.context);
    context.context.uc_stack.ss_sp = stack;
    context.context.uc_stack.ss_size = size;
    context.context.uc_link = nullptr;
    makecontext(&context.context, entry, 0);
#endif
}

void switch_context(ExecutionContext& save, ExecutionContext& resume)
{
#if KILN_EMU_STACK_SWITCH
    kiln_emu_switch_stack(&save.stack_pointer, resume.stack_pointer);
#else
    swapcontext(&save.context, &resume.context);
#endif
}

// The stacks of a block's threads, each above a PROT_NONE guard page; grown to the largest block launched so far.
class FiberStacks
{
public:
    static constexpr size_t kStackSize = 128 * 1024;

    bool reserve(size_t count)
    {
        if (count <= count_)
        {
            return true;
        }

        if (base_ != nullptr)
        {
            munmap(base_, count_ * stride());
            base_ = nullptr;
            count_ = 0;
        }

        void* mapping = mmap(nullptr, count * stride(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mapping == MAP_FAILED)
        {
            return false;
        }

        base_ = static_cast<std::byte*>(mapping);
        count_ = count;
        for (size_t i = 0; i < count; ++i)
        {
            if (mprotect(stack(i), kStackSize, PROT_READ | PROT_WRITE) != 0)
            {
                return false;
            }
        }

        return true;
    }

    std::byte* stack(size_t index) const { return base_ + index * stride() + page_size(); }

    bool is_guard(uintptr_t address) const
    {
        uintptr_t base = reinterpret_cast<uintptr_t>(base_);
        return address >= base && address < base + count_ * stride() && (address - base) % stride() < page_size();
    }

private:
    static size_t stride() { return page_size() + kStackSize; }

    std::byte* base_ = nullptr;
    size_t count_ = 0;
};

// ---- Faults in kernels --------------------------------------------------------------------------------------------

struct Fault
{
    int signal;
    int code;          // siginfo's si_code
    uintptr_t address; // siginfo's si_addr
    const char* access;
};

// A kernel that faults (SIGSEGV, SIGBUS) or traps (SIGILL, also for an integer division by zero, see kCompilerFlags)
// must fail its launch, as on a GPU, rather than kill the process. SIGFPE is left to the .NET runtime. The handler
// jumps back into the worker's launch loop when the worker was running a kernel, and passes any other signal to the
// handler installed before it (the .NET runtime turns faults in managed code into exceptions).
namespace fault_trap
{
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL};
struct sigaction previous[std::size(kSignals)];
pid_t worker_thread = 0;
volatile sig_atomic_t armed = 0; // the worker is running kernel code
sigjmp_buf jump;
Fault fault;

const char* access_kind(int number, void* context)
{
#if defined(__x86_64__) && defined(__linux__)
    // Bit 1 of the page-fault error code tells a write from a read.
    if (number == SIGSEGV)
    {
        return (static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_ERR] & 2) != 0 ? "write" : "read";
    }
#else
    (void)number;
    (void)context;
#endif
    return "access";
}

void handle(int number, siginfo_t* info, void* context)
{
    if (armed && gettid() == worker_thread)
    {
        armed = 0;
        fault = {number, info->si_code, reinterpret_cast<uintptr_t>(info->si_addr), access_kind(number, context)};
        siglongjmp(jump, 1);
    }

    for (size_t i = 0; i < std::size(kSignals); ++i)
    {
        if (kSignals[i] != number)
        {
            continue;
        }

        const struct sigaction& before = previous[i];
        if ((before.sa_flags & SA_SIGINFO) != 0)
        {
            before.sa_sigaction(number, info, context);
        }
        else if (before.sa_handler == SIG_DFL || before.sa_handler == SIG_IGN)
        {
            // Returning re-executes the faulting instruction, which then gets the default action (a core dump).
            signal(number, SIG_DFL);
        }
        else
        {
            before.sa_handler(number);
        }
    }
}

// Called once, on the worker thread.
void install()
{
    worker_thread = gettid();
    struct sigaction action = {};
    action.sa_sigaction = &handle;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kSignals); ++i)
    {
        sigaction(kSignals[i], &action, &previous[i]);
    }
}
} // namespace fault_trap

// ---- Modules and launches -----------------------------------------------------------------------------------------

class Module
{
public:
    std::string program_name;
    void* library = nullptr;                    // the dlopen'ed shared object
    kiln_emu_thread** current_thread = nullptr; // the module's kiln_emu_current
    std::map<std::string, std::unique_ptr<Function>, std::less<>> functions;
};

struct Function
{
    Module* module;
    const kiln_emu_kernel* kernel;
};

struct LaunchJob
{
    Function* function;
    dim3 grid;
    dim3 block;
    std::unique_ptr<std::max_align_t[]> argument_bytes; // copied out of kernelParams when the launch was queued
    std::vector<void*> arguments;                       // where each argument lies in argument_bytes
};

struct LaunchOutcome
{
    CUresult error = CUDA_SUCCESS;
    std::string message;
};

// Runs a launch's blocks one after another. A block's threads are fibers on the worker thread, run in turn: each
// until it returns or reaches __syncthreads(), and when every thread waits at the barrier, all go on.
class BlockRunner
{
public:
    // Runs every block of `job`. A signal in the kernel ends the run with `faulted` set and fault_trap::fault
    // saying what happened; a misused barrier ends it with an error.
    LaunchOutcome run(const LaunchJob& job, bool& faulted)
    {
        size_t count = size_t(job.block.x) * job.block.y * job.block.z;
        if (!stacks_.reserve(count))
        {
            return {CUDA_ERROR_OUT_OF_MEMORY, format("cannot map stacks for %zu threads", count)};
        }

        threads_.resize(count);
        for (size_t t = 0; t < count; ++t)
        {
            kiln_emu_thread& view = threads_[t].view;
            view.thread_idx = {unsigned(t % job.block.x), unsigned(t / job.block.x % job.block.y), unsigned(t / (size_t(job.block.x) * job.block.y))};
            view.block_dim = job.block;
            view.grid_dim = job.grid;
            view.sync_threads = &sync_threads;
        }

        job_ = &job;
        active_ = this;
        faulted = false;
        if (sigsetjmp(fault_trap::jump, 1) != 0)
        {
            faulted = true;
            return {};
        }

        fault_trap::armed = 1;
        LaunchOutcome outcome;
        for (unsigned z = 0; z < job.grid.z && outcome.error == CUDA_SUCCESS; ++z)
        {
            for (unsigned y = 0; y < job.grid.y && outcome.error == CUDA_SUCCESS; ++y)
            {
                for (unsigned x = 0; x < job.grid.x && outcome.error == CUDA_SUCCESS; ++x)
                {
                    block_ = {x, y, z};
                    outcome = run_block();
                }
            }
        }

        fault_trap::armed = 0;
        return outcome;
    }

    bool is_stack_guard(uintptr_t address) const { return stacks_.is_guard(address); }

    // The block, and the thread that was running, for a fault report.
    std::string position() const
    {
        const uint3& thread = threads_[current_].view.thread_idx;
        return block_text() + format(" thread (%u,%u,%u)", thread.x, thread.y, thread.z);
    }

private:
    enum class State
    {
        Runnable,
        AtBarrier,
        Exited,
    };

    struct EmulatedThread
    {
        kiln_emu_thread view;
        ExecutionContext context;
        State state;
        int barrier_line;
    };

    std::string block_text() const { return format("block (%u,%u,%u)", block_.x, block_.y, block_.z); }

    std::string thread_text(size_t index) const
    {
        const uint3& thread = threads_[index].view.thread_idx;
        return format("thread (%u,%u,%u)", thread.x, thread.y, thread.z);
    }

    LaunchOutcome run_block()
    {
        for (size_t t = 0; t < threads_.size(); ++t)
        {
            threads_[t].view.block_idx = block_;
            threads_[t].state = State::Runnable;
            prepare_context(threads_[t].context, stacks_.stack(t), FiberStacks::kStackSize, &thread_entry);
        }

        for (;;)
        {
            // Every thread is runnable at the start of a round; each passes control to the next (pass_on), the
            // last one back here.
            current_ = 0;
            *job_->function->module->current_thread = &threads_[0].view;
            switch_context(scheduler_, threads_[0].context);

            // Every thread has now returned or waits at a barrier.
            auto waiting = [](const EmulatedThread& thread) { return thread.state == State::AtBarrier; };
            size_t at_barrier = size_t(std::count_if(threads_.begin(), threads_.end(), waiting));
            if (at_barrier == 0)
            {
                return {};
            }

            size_t first = size_t(std::find_if(threads_.begin(), threads_.end(), waiting) - threads_.begin());
            if (at_barrier < threads_.size())
            {
                return {CUDA_ERROR_LAUNCH_FAILED,
                        format("%s: __syncthreads() at line %d was reached by %zu of the block's %zu threads; the others had returned "
                               "(a barrier in divergent code: undefined behaviour on a GPU)",
                               block_text().c_str(), threads_[first].barrier_line, at_barrier, threads_.size())};
            }

            for (size_t t = 0; t < threads_.size(); ++t)
            {
                if (threads_[t].barrier_line != threads_[first].barrier_line)
                {
                    return {CUDA_ERROR_LAUNCH_FAILED,
                            format("%s: threads wait at different __syncthreads(): %s at line %d, %s at line %d "
                                   "(a barrier in divergent code: undefined behaviour on a GPU)",
                                   block_text().c_str(), thread_text(first).c_str(), threads_[first].barrier_line, thread_text(t).c_str(),
                                   threads_[t].barrier_line)};
                }

                threads_[t].state = State::Runnable;
            }
        }
    }

    // Where every fiber starts: the kernel, for the thread the scheduler has just switched to.
    static void thread_entry()
    {
        BlockRunner& runner = *active_;
        runner.job_->function->kernel->invoke(runner.job_->arguments.data());
        runner.threads_[runner.current_].state = State::Exited;
        runner.pass_on();
        __builtin_unreachable();
    }

    static void sync_threads(int line)
    {
        BlockRunner& runner = *active_;
        EmulatedThread& self = runner.threads_[runner.current_];
        self.state = State::AtBarrier;
        self.barrier_line = line;
        runner.pass_on();
    }

    // Suspends the running thread and runs the next one of the round, or returns to the scheduler after the last:
    // one switch per thread rather than two.
    void pass_on()
    {
        EmulatedThread& self = threads_[current_];
        if (++current_ == threads_.size())
        {
            switch_context(self.context, scheduler_);
            return;
        }

        *job_->function->module->current_thread = &threads_[current_].view;
        switch_context(self.context, threads_[current_].context);
    }

    static inline BlockRunner* active_ = nullptr; // the fibers' way back to their runner; only the worker runs one

    const LaunchJob* job_ = nullptr;
    uint3 block_ = {0, 0, 0};
    std::vector<EmulatedThread> threads_;
    size_t current_ = 0; // the running thread
    FiberStacks stacks_;
    ExecutionContext scheduler_; // the worker's stack while a fiber runs
};

// ---- The driver ---------------------------------------------------------------------------------------------------

// The device's primary context, the one context there is (Kiln uses only primary contexts).
class Context
{
public:
    int retain_count = 0; // the context exists while positive
    // A failed launch's error: every later call in the context returns it until the context is destroyed, as on a GPU.
    CUresult sticky_error = CUDA_SUCCESS;
    DeviceMemory memory;
    std::map<Module*, std::unique_ptr<Module>> modules;
    std::unordered_set<const Function*> functions; // of the loaded modules, to validate handles
    std::deque<LaunchJob> queue;                   // the null stream: launches not started yet
    bool running = false;                          // the worker is running a launch
};

thread_local Context* t_current_context = nullptr; // as in CUDA, each thread has its own current context

class Driver
{
public:
    // Never destroyed: the worker thread may still wait on it while static destructors run at exit.
    static Driver& instance()
    {
        static Driver* driver = new Driver;
        return *driver;
    }

    std::mutex mutex;
    std::condition_variable launch_queued;
    std::condition_variable launches_finished;
    std::atomic<bool> initialized{false};
    size_t total_memory = kDefaultMemory;
    Context context;

    // What every call in the current context checks first: initialization, a current context, and the context's
    // sticky error. Locks the driver.
    CUresult enter(std::unique_lock<std::mutex>& lock)
    {
        if (!initialized)
        {
            return CUDA_ERROR_NOT_INITIALIZED;
        }

        lock = std::unique_lock(mutex);
        if (t_current_context != &context || context.retain_count == 0)
        {
            return CUDA_ERROR_INVALID_CONTEXT;
        }

        return context.sticky_error;
    }

    // Waits until the null stream's launches have run, as copies, frees and synchronizations do.
    CUresult synchronize(std::unique_lock<std::mutex>& lock)
    {
        wait_for_launches(lock);
        return context.retain_count == 0 ? CUDA_ERROR_INVALID_CONTEXT : context.sticky_error;
    }

    // enter(), then synchronize(): for the calls that wait for the null stream.
    CUresult enter_synchronized(std::unique_lock<std::mutex>& lock)
    {
        CUresult status = enter(lock);
        return status != CUDA_SUCCESS ? status : synchronize(lock);
    }

    void queue_launch(LaunchJob job)
    {
        context.queue.push_back(std::move(job));
        launch_queued.notify_one();
        static std::once_flag worker_started;
        std::call_once(worker_started, [this] { std::thread(&Driver::run_launches, this).detach(); });
    }

    // Frees what the context holds, when its last retain is released.
    void destroy_context(std::unique_lock<std::mutex>& lock)
    {
        wait_for_launches(lock);
        for (auto& [handle, module] : context.modules)
        {
            dlclose(module->library);
        }

        context.modules.clear();
        context.functions.clear();
        context.memory.release_all();
        context.sticky_error = CUDA_SUCCESS;
    }

private:
    void wait_for_launches(std::unique_lock<std::mutex>& lock)
    {
        launches_finished.wait(lock, [this] { return context.queue.empty() && !context.running; });
    }

    // The worker thread: runs the queued launches in order, with no lock held while a kernel runs.
    void run_launches()
    {
        prepare_worker_thread();
        BlockRunner runner;
        std::unique_lock lock(mutex);
        for (;;)
        {
            launch_queued.wait(lock, [this] { return !context.queue.empty(); });
            LaunchJob job = std::move(context.queue.front());
            context.queue.pop_front();
            context.running = true;
            lock.unlock();
            bool faulted = false;
            LaunchOutcome outcome = runner.run(job, faulted);
            lock.lock();
            if (faulted)
            {
                outcome = describe_fault(runner);
            }
            else if (outcome.error == CUDA_SUCCESS)
            {
                if (std::string overrun = context.memory.check_canaries(); !overrun.empty())
                {
                    outcome = {CUDA_ERROR_ILLEGAL_ADDRESS, "after it ran: " + overrun};
                }
            }

            if (outcome.error != CUDA_SUCCESS)
            {
                report(format("kernel %s of %s failed with %s, %s. The context keeps this error until it is destroyed, as on a GPU.",
                              job.function->kernel->name, job.function->module->program_name.c_str(), find_error(outcome.error)->name,
                              outcome.message.c_str()));
                context.sticky_error = outcome.error;
                context.queue.clear(); // later launches do not run after a failed one on a GPU either
            }

            context.running = false;
            launches_finished.notify_all();
        }
    }

    // The worker gets an alternate signal stack (a fiber's stack may have overflowed), only the fault signals, and
    // the fault trap.
    static void prepare_worker_thread()
    {
        constexpr size_t kSignalStackSize = 64 * 1024;
        stack_t signal_stack = {};
        signal_stack.ss_sp = new std::byte[kSignalStackSize]; // lives as long as the thread, which is forever
        signal_stack.ss_size = kSignalStackSize;
        sigaltstack(&signal_stack, nullptr);
        sigset_t blocked;
        sigfillset(&blocked);
        for (int signal : fault_trap::kSignals)
        {
            sigdelset(&blocked, signal);
        }

        pthread_sigmask(SIG_SETMASK, &blocked, nullptr);
        fault_trap::install();
    }

    LaunchOutcome describe_fault(const BlockRunner& runner) const
    {
        const Fault& fault = fault_trap::fault;
        std::string where = format("%s: ", runner.position().c_str());
        switch (fault.signal)
        {
        case SIGILL:
            return {CUDA_ERROR_LAUNCH_FAILED,
                    where + "a trap in the host-compiled kernel, such as an integer division by zero (a GPU gives an unspecified value; C# throws)"};
        default:
            std::string target = runner.is_stack_guard(fault.address) ? "the guard page below its stack (the thread's stack overflowed)"
                                                                        : context.memory.describe(fault.address);
            return {CUDA_ERROR_ILLEGAL_ADDRESS, where + format("illegal %s at %#lx, %s", fault.access, (unsigned long)fault.address, target.c_str())};
        }
    }
};

// Checks for the device calls: the driver is initialized and `device` is the one device.
CUresult check_device(CUdevice device)
{
    if (!Driver::instance().initialized)
    {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    return device == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}
} // namespace

// ---- Driver API entry points --------------------------------------------------------------------------------------

KILN_EXPORT CUresult cuInit(unsigned int flags)
{
    if (flags != 0)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    Driver& driver = Driver::instance();
    std::lock_guard lock(driver.mutex);
    if (driver.initialized)
    {
        return CUDA_SUCCESS;
    }

    if (const char* memory = std::getenv("KILN_CUDA_EMULATOR_MEMORY"); memory != nullptr && *memory != '\0')
    {
        char* end = nullptr;
        errno = 0;
        unsigned long long bytes = std::strtoull(memory, &end, 10);
        if (!std::isdigit(static_cast<unsigned char>(memory[0])) || *end != '\0' || errno != 0 || bytes == 0)
        {
            report(format("KILN_CUDA_EMULATOR_MEMORY=%s is not a positive number of bytes", memory));
            return CUDA_ERROR_INVALID_VALUE;
        }

        driver.total_memory = size_t(bytes);
    }

    driver.context.memory.set_capacity(driver.total_memory);
    driver.initialized = true;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDeviceGetCount(int* count)
{
    if (!Driver::instance().initialized)
    {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    if (count == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    *count = 1;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal)
{
    if (!Driver::instance().initialized)
    {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    if (device == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    if (ordinal != 0)
    {
        return CUDA_ERROR_INVALID_DEVICE;
    }

    *device = 0;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDeviceGetName(char* name, int length, CUdevice device)
{
    if (CUresult status = check_device(device); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (name == nullptr || length <= 0)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    std::snprintf(name, size_t(length), "%s", kDeviceName);
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device)
{
    if (CUresult status = check_device(device); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (bytes == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    *bytes = Driver::instance().total_memory;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice device)
{
    if (CUresult status = check_device(device); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (value == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    for (const DeviceAttribute& known : kDeviceAttributes)
    {
        if (known.id == attribute)
        {
            *value = known.value;
            return CUDA_SUCCESS;
        }
    }

    return CUDA_ERROR_INVALID_VALUE;
}

KILN_EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext* context, CUdevice device)
{
    if (CUresult status = check_device(device); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (context == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    Driver& driver = Driver::instance();
    std::lock_guard lock(driver.mutex);
    driver.context.retain_count++;
    *context = &driver.context;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device)
{
    if (CUresult status = check_device(device); status != CUDA_SUCCESS)
    {
        return status;
    }

    Driver& driver = Driver::instance();
    std::unique_lock lock(driver.mutex);
    if (driver.context.retain_count == 0)
    {
        return CUDA_ERROR_INVALID_CONTEXT;
    }

    if (--driver.context.retain_count == 0)
    {
        driver.destroy_context(lock);
    }

    return CUDA_SUCCESS;
}

// cuda.h maps cuDevicePrimaryCtxRelease to the _v2 entry point; the driver exports both names.
KILN_EXPORT CUresult cuDevicePrimaryCtxRelease(CUdevice device) { return cuDevicePrimaryCtxRelease_v2(device); }

// Destroys every allocation, module and the sticky error of the primary context, the way out after a kernel fault.
// As in CUDA, the retain count is unchanged: the context is usable again at once.
KILN_EXPORT CUresult cuDevicePrimaryCtxReset_v2(CUdevice device)
{
    if (CUresult status = check_device(device); status != CUDA_SUCCESS)
    {
        return status;
    }

    Driver& driver = Driver::instance();
    std::unique_lock lock(driver.mutex);
    driver.destroy_context(lock);
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuDevicePrimaryCtxReset(CUdevice device) { return cuDevicePrimaryCtxReset_v2(device); }

KILN_EXPORT CUresult cuCtxSetCurrent(CUcontext context)
{
    Driver& driver = Driver::instance();
    if (!driver.initialized)
    {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    std::lock_guard lock(driver.mutex);
    if (context != nullptr && (context != &driver.context || driver.context.retain_count == 0))
    {
        return CUDA_ERROR_INVALID_CONTEXT;
    }

    t_current_context = context;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuCtxGetCurrent(CUcontext* context)
{
    if (!Driver::instance().initialized)
    {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    if (context == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    *context = t_current_context;
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuCtxSynchronize()
{
    std::unique_lock<std::mutex> lock;
    return Driver::instance().enter_synchronized(lock);
}

KILN_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* address, size_t bytes)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
    {
        return status;
    }

    return address == nullptr ? CUDA_ERROR_INVALID_VALUE : driver.context.memory.allocate(bytes, *address);
}

KILN_EXPORT CUresult cuMemFree_v2(CUdeviceptr address)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    CUresult status = driver.enter_synchronized(lock);
    return status != CUDA_SUCCESS ? status : driver.context.memory.free(address);
}

KILN_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void* source, size_t bytes)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    CUresult status = driver.enter_synchronized(lock);
    if (status != CUDA_SUCCESS || bytes == 0)
    {
        return status;
    }

    if (source == nullptr || !driver.context.memory.contains(uintptr_t(destination), bytes))
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    std::memcpy(reinterpret_cast<void*>(uintptr_t(destination)), source, bytes);
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuMemcpyDtoH_v2(void* destination, CUdeviceptr source, size_t bytes)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    CUresult status = driver.enter_synchronized(lock);
    if (status != CUDA_SUCCESS || bytes == 0)
    {
        return status;
    }

    if (destination == nullptr || !driver.context.memory.contains(uintptr_t(source), bytes))
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    std::memcpy(destination, reinterpret_cast<const void*>(uintptr_t(source)), bytes);
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuModuleLoadData(CUmodule* module, const void* image)
{
    Driver& driver = Driver::instance();
    {
        std::unique_lock<std::mutex> lock;
        if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
        {
            return status;
        }

        if (module == nullptr || image == nullptr)
        {
            return CUDA_ERROR_INVALID_VALUE;
        }
    }

    // Compiling takes a while, so the driver is not locked meanwhile.
    ProgramImage program;
    if (!read_image(static_cast<const char*>(image), program))
    {
        report(format("cuModuleLoadData: the image does not start with \"%.*s\", so it did not come from the emulator's NVRTC "
                      "(real PTX, perhaps from a PTX cache shared with a machine that has a GPU, cannot run here)",
                      int(kImageMarker.size() - 1), kImageMarker.data()));
        return CUDA_ERROR_INVALID_IMAGE;
    }

    if (program.architecture > kComputeCapability)
    {
        report(format("cuModuleLoadData: %s was compiled for compute_%d, newer than the device's %d.%d",
                      program.program_name.c_str(), program.architecture, kComputeCapability / 10, kComputeCapability % 10));
        return CUDA_ERROR_INVALID_PTX;
    }

    std::string path, log;
    if (build_module(program, path, log) != BuildResult::Built)
    {
        report(format("cuModuleLoadData: %s could not be compiled for the host:\n%s", program.program_name.c_str(), log.c_str()));
        return CUDA_ERROR_INVALID_PTX;
    }

    auto loaded = std::make_unique<Module>();
    loaded->program_name = program.program_name;
    loaded->library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (loaded->library == nullptr)
    {
        report(format("cuModuleLoadData: %s", dlerror()));
        return CUDA_ERROR_INVALID_PTX;
    }

    auto kernels = reinterpret_cast<const kiln_emu_kernel* (*)()>(dlsym(loaded->library, KILN_EMU_KERNEL_TABLE_SYMBOL));
    loaded->current_thread = static_cast<kiln_emu_thread**>(dlsym(loaded->library, KILN_EMU_CURRENT_THREAD_SYMBOL));
    if (kernels == nullptr || loaded->current_thread == nullptr)
    {
        report(format("cuModuleLoadData: %s lacks the emulator's symbols", path.c_str()));
        dlclose(loaded->library);
        return CUDA_ERROR_INVALID_IMAGE;
    }

    for (const kiln_emu_kernel* kernel = kernels(); kernel->name != nullptr; ++kernel)
    {
        loaded->functions.emplace(kernel->name, std::make_unique<Function>(Function{loaded.get(), kernel}));
    }

    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
    {
        dlclose(loaded->library);
        return status;
    }

    for (const auto& [name, function] : loaded->functions)
    {
        driver.context.functions.insert(function.get());
    }

    *module = loaded.get();
    driver.context.modules.emplace(loaded.get(), std::move(loaded));
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuModuleUnload(CUmodule module)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter_synchronized(lock); status != CUDA_SUCCESS) // its code may be running
    {
        return status;
    }

    auto found = driver.context.modules.find(module);
    if (found == driver.context.modules.end())
    {
        return CUDA_ERROR_INVALID_HANDLE;
    }

    for (const auto& [name, function] : module->functions)
    {
        driver.context.functions.erase(function.get());
    }

    dlclose(module->library);
    driver.context.modules.erase(found);
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (function == nullptr || name == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    if (driver.context.modules.find(module) == driver.context.modules.end())
    {
        return CUDA_ERROR_INVALID_HANDLE;
    }

    auto found = module->functions.find(std::string_view(name));
    if (found == module->functions.end())
    {
        return CUDA_ERROR_NOT_FOUND;
    }

    *function = found->second.get();
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,
                                    unsigned int block_x, unsigned int block_y, unsigned int block_z, unsigned int shared_memory_bytes,
                                    CUstream stream, void** parameters, void** extra)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (driver.context.functions.count(function) == 0 || stream != nullptr)
    {
        return CUDA_ERROR_INVALID_HANDLE;
    }

    const unsigned grid[3] = {grid_x, grid_y, grid_z};
    const unsigned block[3] = {block_x, block_y, block_z};
    for (int axis = 0; axis < 3; ++axis)
    {
        if (grid[axis] == 0 || grid[axis] > kMaxGridDim[axis] || block[axis] == 0 || block[axis] > kMaxBlockDim[axis])
        {
            return CUDA_ERROR_INVALID_VALUE;
        }
    }

    // Dynamic shared memory is checked against the limit, though no emulated kernel can use it (no extern __shared__).
    if (uint64_t(block_x) * block_y * block_z > kMaxThreadsPerBlock || shared_memory_bytes > kMaxSharedMemoryPerBlock)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    const kiln_emu_kernel& kernel = *function->kernel;
    if (extra != nullptr)
    {
        report("cuLaunchKernel: the emulator takes arguments in kernelParams only, not in `extra`");
        return CUDA_ERROR_INVALID_VALUE;
    }

    if (kernel.parameter_count > 0 && parameters == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    // The arguments are copied now, as the real driver does: the caller may reuse its memory once this returns.
    std::vector<size_t> offsets;
    size_t total = 0;
    for (unsigned i = 0; i < kernel.parameter_count; ++i)
    {
        total = round_up(total, kernel.parameters[i].alignment);
        offsets.push_back(total);
        total += kernel.parameters[i].size;
    }

    LaunchJob job{function, dim3(grid_x, grid_y, grid_z), dim3(block_x, block_y, block_z),
                  std::make_unique<std::max_align_t[]>(total / sizeof(std::max_align_t) + 1), {}};
    auto* bytes = reinterpret_cast<std::byte*>(job.argument_bytes.get());
    for (unsigned i = 0; i < kernel.parameter_count; ++i)
    {
        if (parameters[i] == nullptr)
        {
            return CUDA_ERROR_INVALID_VALUE;
        }

        std::memcpy(bytes + offsets[i], parameters[i], kernel.parameters[i].size);
        job.arguments.push_back(bytes + offsets[i]);
        if (kernel.parameters[i].is_pointer)
        {
            uintptr_t pointer;
            std::memcpy(&pointer, bytes + offsets[i], sizeof pointer);
            if (pointer != 0 && !driver.context.memory.is_device_pointer(pointer))
            {
                report(format("cuLaunchKernel: argument %u of %s is %#lx, which points into no live device allocation", i, kernel.name,
                              (unsigned long)pointer));
                return CUDA_ERROR_INVALID_VALUE;
            }
        }
    }

    driver.queue_launch(std::move(job));
    return CUDA_SUCCESS;
}

KILN_EXPORT CUresult cuStreamQuery(CUstream stream)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
    {
        return status;
    }

    if (stream != nullptr)
    {
        return CUDA_ERROR_INVALID_HANDLE;
    }

    return driver.context.queue.empty() && !driver.context.running ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

KILN_EXPORT CUresult cuStreamSynchronize(CUstream stream)
{
    Driver& driver = Driver::instance();
    std::unique_lock<std::mutex> lock;
    if (CUresult status = driver.enter(lock); status != CUDA_SUCCESS)
    {
        return status;
    }

    return stream != nullptr ? CUDA_ERROR_INVALID_HANDLE : driver.synchronize(lock);
}

KILN_EXPORT CUresult cuGetErrorName(CUresult error, const char** text)
{
    if (text == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    const ErrorText* known = find_error(error);
    *text = known != nullptr ? known->name : nullptr;
    return known != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

KILN_EXPORT CUresult cuGetErrorString(CUresult error, const char** text)
{
    if (text == nullptr)
    {
        return CUDA_ERROR_INVALID_VALUE;
    }

    const ErrorText* known = find_error(error);
    *text = known != nullptr ? known->description : nullptr;
    return known != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// ---- NVRTC --------------------------------------------------------------------------------------------------------

KILN_EXPORT nvrtcResult nvrtcCreateProgram(nvrtcProgram* program, const char* source, const char* name, int header_count,
                                           const char* const* headers, const char* const* include_names);

namespace
{
class Program
{
public:
    std::string source;
    std::string name;
    std::string log;
    std::string image; // the "PTX", after a successful compile
    bool compiled = false;
};

// The programs not yet destroyed, to validate handles.
class Programs
{
public:
    static Programs& instance()
    {
        static Programs* programs = new Programs;
        return *programs;
    }

    void add(Program* program)
    {
        std::lock_guard lock(mutex_);
        live_.insert(program);
    }

    bool contains(Program* program)
    {
        std::lock_guard lock(mutex_);
        return live_.count(program) != 0;
    }

    bool remove(Program* program)
    {
        std::lock_guard lock(mutex_);
        return live_.erase(program) != 0;
    }

private:
    std::mutex mutex_;
    std::unordered_set<Program*> live_;
};

// The NVRTC installed on this machine, if any, which checks each source with the real CUDA compiler before g++ builds
// it and provides the real PTX.
class RealNvrtc
{
public:
    // Null when no NVRTC is installed, or the one found is this library (KILN_NVRTC_LIBRARY may have put it first).
    static RealNvrtc* find()
    {
        static RealNvrtc* found = [] {
            for (const char* name : {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"})
            {
                void* library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
                if (library == nullptr)
                {
                    continue;
                }

                auto* real = new RealNvrtc(library);
                if (real->complete() && real->create_ != &nvrtcCreateProgram)
                {
                    return real;
                }

                delete real;
                dlclose(library);
            }

            return static_cast<RealNvrtc*>(nullptr);
        }();
        return found;
    }

    // Compiles the program with the same options; `log` gets NVRTC's log, `ptx` its PTX when it succeeds.
    nvrtcResult compile(const Program& program, int option_count, const char* const* options, std::string& log, std::string& ptx)
    {
        std::lock_guard lock(mutex_);
        nvrtcProgram handle = nullptr;
        nvrtcResult result = create_(&handle, program.source.c_str(), program.name.c_str(), 0, nullptr, nullptr);
        if (result != NVRTC_SUCCESS)
        {
            log = format("kiln-cuda-emulator: the installed NVRTC's nvrtcCreateProgram failed with %s\n", error_string_(result));
            return result;
        }

        result = compile_(handle, option_count, options);
        size_t size = 0;
        if (log_size_(handle, &size) == NVRTC_SUCCESS && size > 1)
        {
            log.resize(size);
            get_log_(handle, log.data());
            log.resize(size - 1); // the NUL
        }

        if (result == NVRTC_SUCCESS && ptx_size_(handle, &size) == NVRTC_SUCCESS && size > 1)
        {
            ptx.resize(size);
            get_ptx_(handle, ptx.data());
            ptx.resize(size - 1);
        }

        destroy_(&handle);
        return result;
    }

    void version(int& major, int& minor) { version_(&major, &minor); }

private:
    explicit RealNvrtc(void* library)
        : create_(reinterpret_cast<decltype(create_)>(dlsym(library, "nvrtcCreateProgram"))),
          compile_(reinterpret_cast<decltype(compile_)>(dlsym(library, "nvrtcCompileProgram"))),
          log_size_(reinterpret_cast<decltype(log_size_)>(dlsym(library, "nvrtcGetProgramLogSize"))),
          get_log_(reinterpret_cast<decltype(get_log_)>(dlsym(library, "nvrtcGetProgramLog"))),
          ptx_size_(reinterpret_cast<decltype(ptx_size_)>(dlsym(library, "nvrtcGetPTXSize"))),
          get_ptx_(reinterpret_cast<decltype(get_ptx_)>(dlsym(library, "nvrtcGetPTX"))),
          destroy_(reinterpret_cast<decltype(destroy_)>(dlsym(library, "nvrtcDestroyProgram"))),
          error_string_(reinterpret_cast<decltype(error_string_)>(dlsym(library, "nvrtcGetErrorString"))),
          version_(reinterpret_cast<decltype(version_)>(dlsym(library, "nvrtcVersion")))
    {
    }

    bool complete() const
    {
        return create_ && compile_ && log_size_ && get_log_ && ptx_size_ && get_ptx_ && destroy_ && error_string_ && version_;
    }

    nvrtcResult (*create_)(nvrtcProgram*, const char*, const char*, int, const char* const*, const char* const*);
    nvrtcResult (*compile_)(nvrtcProgram, int, const char* const*);
    nvrtcResult (*log_size_)(nvrtcProgram, size_t*);
    nvrtcResult (*get_log_)(nvrtcProgram, char*);
    nvrtcResult (*ptx_size_)(nvrtcProgram, size_t*);
    nvrtcResult (*get_ptx_)(nvrtcProgram, char*);
    nvrtcResult (*destroy_)(nvrtcProgram*);
    const char* (*error_string_)(nvrtcResult);
    nvrtcResult (*version_)(int*, int*);
    std::mutex mutex_; // one compile at a time, whatever the installed version promises
};

// "compute_90" or "sm_90" (an "a" or "f" suffix allowed) to 90.
bool parse_architecture(std::string_view value, int& architecture)
{
    for (std::string_view prefix : {"compute_", "sm_"})
    {
        if (value.substr(0, prefix.size()) != prefix)
        {
            continue;
        }

        std::string_view digits = value.substr(prefix.size());
        if (!digits.empty() && (digits.back() == 'a' || digits.back() == 'f'))
        {
            digits.remove_suffix(1);
        }

        if (digits.empty() || digits.size() > 4 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        {
            return false;
        }

        architecture = std::stoi(std::string(digits));
        return true;
    }

    return false;
}

// The options the emulator understands, which are those Kiln passes: the target architecture and --fmad. The
// rest are refused, with NVRTC's own wording, rather than silently ignored.
nvrtcResult parse_options(int count, const char* const* options, int& architecture, std::string& log)
{
    architecture = 52; // NVRTC 11 and 12's default target
    bool architecture_given = false;
    for (int i = 0; i < count; ++i)
    {
        if (options[i] == nullptr)
        {
            log = format("nvrtc: error: option %d is a null pointer\n", i);
            return NVRTC_ERROR_INVALID_OPTION;
        }

        std::string_view option = options[i];
        std::string_view value;
        // "--name=value", or "--name" then "value" as the next option, as NVRTC accepts both.
        auto takes = [&](std::string_view name) {
            if (option.size() > name.size() && option.substr(0, name.size()) == name && option[name.size()] == '=')
            {
                value = option.substr(name.size() + 1);
                return true;
            }

            if (option == name && i + 1 < count && options[i + 1] != nullptr)
            {
                value = options[++i];
                return true;
            }

            return false;
        };

        if (takes("--gpu-architecture") || takes("-arch"))
        {
            if (architecture_given || !parse_architecture(value, architecture))
            {
                log = "nvrtc: error: invalid value for --gpu-architecture (-arch)\n";
                return NVRTC_ERROR_INVALID_OPTION;
            }

            architecture_given = true;
        }
        else if (takes("--fmad") || takes("-fmad"))
        {
            // g++ never contracts (-ffp-contract=off), which is --fmad=false; with --fmad=true a GPU may round less.
            if (value != "true" && value != "false")
            {
                log = "nvrtc: error: invalid value for --fmad (-fmad)\n";
                return NVRTC_ERROR_INVALID_OPTION;
            }
        }
        else
        {
            log = format("nvrtc: error: unrecognized option %s found\n", options[i]);
            return NVRTC_ERROR_INVALID_OPTION;
        }
    }

    return NVRTC_SUCCESS;
}

// The program, if `program` is a live handle.
Program* live(nvrtcProgram program) { return Programs::instance().contains(program) ? program : nullptr; }
} // namespace

KILN_EXPORT nvrtcResult nvrtcCreateProgram(nvrtcProgram* program, const char* source, const char* name, int header_count,
                                           const char* const* headers, const char* const* include_names)
{
    if (program == nullptr)
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    if (source == nullptr || header_count < 0 || (header_count > 0 && (headers == nullptr || include_names == nullptr)))
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    if (header_count > 0)
    {
        report("nvrtcCreateProgram: the emulator does not support headers given to NVRTC");
        return NVRTC_ERROR_INVALID_INPUT;
    }

    auto* created = new Program;
    created->source = source;
    created->name = name != nullptr ? name : "default_program";
    Programs::instance().add(created);
    *program = created;
    return NVRTC_SUCCESS;
}

KILN_EXPORT nvrtcResult nvrtcCompileProgram(nvrtcProgram handle, int option_count, const char* const* options)
{
    Program* program = live(handle);
    if (program == nullptr)
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    if (option_count < 0 || (option_count > 0 && options == nullptr))
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    program->log.clear();
    program->image.clear();
    program->compiled = false;
    ProgramImage image{0, program->name, program->source};
    if (nvrtcResult result = parse_options(option_count, options, image.architecture, program->log); result != NVRTC_SUCCESS)
    {
        return result;
    }

    std::string ptx;
    RealNvrtc* real = RealNvrtc::find();
    if (real != nullptr)
    {
        if (nvrtcResult result = real->compile(*program, option_count, options, program->log, ptx); result != NVRTC_SUCCESS)
        {
            return result;
        }
    }

    std::string library, compiler_log;
    BuildResult built = build_module(image, library, compiler_log);
    if (built != BuildResult::Built)
    {
        if (real != nullptr && built == BuildResult::CompileFailed)
        {
            program->log += "kiln-cuda-emulator: NVRTC compiled this source but g++ did not, so it uses CUDA C that kiln_cuda_host.h lacks:\n";
        }

        program->log += compiler_log;
        return built == BuildResult::CompileFailed ? NVRTC_ERROR_COMPILATION : NVRTC_ERROR_INTERNAL_ERROR;
    }

    program->image = write_image(image, ptx);
    program->compiled = true;
    return NVRTC_SUCCESS;
}

KILN_EXPORT nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram handle, size_t* size)
{
    Program* program = live(handle);
    if (program == nullptr)
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    if (size == nullptr)
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    *size = program->log.size() + 1;
    return NVRTC_SUCCESS;
}

KILN_EXPORT nvrtcResult nvrtcGetProgramLog(nvrtcProgram handle, char* log)
{
    Program* program = live(handle);
    if (program == nullptr)
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    if (log == nullptr)
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    std::memcpy(log, program->log.c_str(), program->log.size() + 1);
    return NVRTC_SUCCESS;
}

// Stricter than NVRTC 11.8, which answers success without writing anything when the program has not compiled.
KILN_EXPORT nvrtcResult nvrtcGetPTXSize(nvrtcProgram handle, size_t* size)
{
    Program* program = live(handle);
    if (program == nullptr)
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    if (size == nullptr || !program->compiled)
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    *size = program->image.size() + 1;
    return NVRTC_SUCCESS;
}

KILN_EXPORT nvrtcResult nvrtcGetPTX(nvrtcProgram handle, char* ptx)
{
    Program* program = live(handle);
    if (program == nullptr)
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    if (ptx == nullptr || !program->compiled)
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    std::memcpy(ptx, program->image.c_str(), program->image.size() + 1);
    return NVRTC_SUCCESS;
}

KILN_EXPORT nvrtcResult nvrtcDestroyProgram(nvrtcProgram* program)
{
    if (program == nullptr || !Programs::instance().remove(*program))
    {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    delete *program;
    *program = nullptr;
    return NVRTC_SUCCESS;
}

KILN_EXPORT const char* nvrtcGetErrorString(nvrtcResult result)
{
    return result >= 0 && size_t(result) < std::size(kNvrtcErrorNames) ? kNvrtcErrorNames[result] : "NVRTC_ERROR unknown";
}

// The installed NVRTC's version when there is one (it compiles the sources), else 12.0.
KILN_EXPORT nvrtcResult nvrtcVersion(int* major, int* minor)
{
    if (major == nullptr || minor == nullptr)
    {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    if (RealNvrtc* real = RealNvrtc::find(); real != nullptr)
    {
        real->version(*major, *minor);
    }
    else
    {
        *major = 12;
        *minor = 0;
    }

    return NVRTC_SUCCESS;
}
