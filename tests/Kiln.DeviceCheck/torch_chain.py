#!/usr/bin/env python3
"""The DeviceCheck chain ((x*1.5+0.25)^2-0.5)*3 in PyTorch on the same card: eager (four kernels) and torch.compile
(fused by Triton), plus a device-to-device copy for the bandwidth ceiling. Times with CUDA events, warmed, median.
Usage: python3 torch_chain.py [n] [repetitions]   (n defaults to 64M floats)."""
import statistics
import sys
import time


def main() -> int:
    try:
        import torch
    except ImportError as missing:
        print(f"torch: not installed ({missing})")
        return 1

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 64 << 20
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    if not torch.cuda.is_available():
        print("torch: CUDA not available")
        return 1

    dev = torch.device("cuda")
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}, n={n}, repetitions={reps}")
    gen = torch.Generator(device=dev).manual_seed(9000)
    x = torch.rand(n, device=dev, generator=gen, dtype=torch.float32) * 4 - 2

    def chain(t):
        # Four element-wise ops, squared as a multiplication, as Kiln's four kernels.
        s = t * 1.5 + 0.25
        s = s * s
        s = s - 0.5
        return s * 3.0

    def copy(t):
        out = torch.empty_like(t)
        out.copy_(t)
        return out

    def timed(fn, warmups=3):
        for _ in range(warmups):
            fn(x)
        torch.cuda.synchronize()
        times = []
        for _ in range(reps):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn(x)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        return statistics.median(times), min(times)

    rows = []
    t0 = time.perf_counter()
    compiled = torch.compile(chain)
    compiled(x)
    torch.cuda.synchronize()
    compile_s = time.perf_counter() - t0

    expected = chain(x.double()).float()
    error = (compiled(x) - expected).abs().max().item()
    rows.append(("torch eager chain (4 kernels)", *timed(chain), 8 * n, ""))
    rows.append(("torch.compile chain (Triton, fused)", *timed(compiled), 8 * n, f"first call {compile_s:.1f} s; max abs err vs fp64 {error:.3g}"))
    rows.append(("torch copy_ (device to device)", *timed(copy), 8 * n, ""))
    rows.append(("torch sum (float32)", *timed(lambda t: t.sum()), 4 * n, ""))

    # Launch overhead on 1K elements: the whole call, host clock, synchronised each time (as Kiln's run is).
    small = x[:1024].clone()
    for name, fn in (("1K: torch eager chain", chain), ("1K: torch.compile chain", compiled)):
        for _ in range(20):
            fn(small)
        torch.cuda.synchronize()
        samples = []
        for _ in range(200):
            t = time.perf_counter()
            fn(small)
            torch.cuda.synchronize()
            samples.append((time.perf_counter() - t) * 1000)
        med = statistics.median(samples)
        rows.append((name, med, min(samples), 8 * 1024, f"{med * 1000:.1f} us per call (host clock, synchronised)"))

    print(f"  {'benchmark':<44} {'median ms':>11} {'best ms':>11} {'GB/s':>9}  note")
    for name, med, best, nbytes, note in rows:
        print(f"  {name:<44} {med:11.3f} {best:11.3f} {nbytes / (med / 1000) / 1e9:9.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
