#!/usr/bin/env bash
# The GPU check of issue 15 in two halves (docs/gpu/README.md):
#   gpu.sh publish   here, with the .NET SDK: a self-contained linux-x64 Kiln.DeviceCheck, packed as
#                    artifacts/devicecheck/devicecheck.tar.xz (git-ignored; carried to the GPU machine, < 64 MiB).
#   gpu.sh run       on the GPU machine (NVIDIA driver, CUDA, PyTorch; no .NET SDK, no network): nvidia-smi, every
#                    DeviceCheck suite and benchmark with --device cuda, then the same chain in PyTorch eager and
#                    torch.compile on the same card. Everything goes to $OUT/gpu-run.txt (and to stdout).
# Optional: gpu.sh run --quick (short suites, 1M-float benchmarks), DEVICECHECK_DEVICE=opencl|cpu to try it elsewhere.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/artifacts/devicecheck"
tarball="$dir/devicecheck.tar.xz"
limit_bytes=$((64 * 1024 * 1024))

publish() {
  set -e
  local staging="$root/artifacts/devicecheck-publish"
  rm -rf "$staging" "$dir"
  mkdir -p "$dir"
  dotnet publish "$root/tests/Kiln.DeviceCheck" -c Release -r linux-x64 --self-contained -o "$staging" -nologo
  git -C "$root" rev-parse HEAD > "$staging/commit.txt" 2>/dev/null || echo unknown > "$staging/commit.txt"
  (git -C "$root" status --porcelain | grep -q .) && echo "(with uncommitted changes)" >> "$staging/commit.txt" || true
  tar -C "$staging" -cf - . | xz -T0 -6 > "$tarball"
  local size
  size=$(stat -c %s "$tarball")
  printf 'published %s: %d bytes (%.1f MiB; the limit for what is carried is 64 MiB)\n' "$tarball" "$size" "$(echo "$size / 1048576" | bc -l)"
  if [ "$size" -ge "$limit_bytes" ]; then
    echo "error: the tarball is over 64 MiB" >&2
    exit 1
  fi
  echo "published from commit $(head -n1 "$staging/commit.txt")"
}

run() {
  local quick="" out="${OUT:-$dir/out}"
  [ "${1:-}" = "--quick" ] && quick="--quick"
  local device="${DEVICECHECK_DEVICE:-cuda}"
  mkdir -p "$out"
  local log="$out/gpu-run.txt"
  exec > >(tee "$log") 2>&1
  local status=0 started=$SECONDS
  echo "==== Kiln GPU check: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(hostname)"
  [ -f "$tarball" ] || { echo "error: $tarball is missing: run 'gpu.sh publish' here and carry artifacts/devicecheck"; exit 2; }
  local app="${TMPDIR:-/tmp}/kiln-devicecheck"
  rm -rf "$app" && mkdir -p "$app" && xz -dc "$tarball" | tar -C "$app" -xf -
  echo "==== DeviceCheck built from commit: $(cat "$app/commit.txt")"
  echo "==== nvidia-smi"
  nvidia-smi || echo "(nvidia-smi failed)"
  nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.mem,driver_version --format=csv || true
  command -v nvcc >/dev/null && nvcc --version | tail -n 2
  echo "==== Kiln.DeviceCheck --device $device $quick  [$((SECONDS - started)) s]"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 timeout -k 10 330 "$app/Kiln.DeviceCheck" --device "$device" $quick
  local rc=$?
  echo "==== Kiln.DeviceCheck exit code $rc  [$((SECONDS - started)) s]"
  [ "$rc" -eq 0 ] || status=1
  echo "==== PyTorch: the same chain, eager and torch.compile, and a device copy  [$((SECONDS - started)) s]"
  local n=$((64 << 20))
  [ -n "$quick" ] && n=$((1 << 20))
  timeout -k 10 150 python3 "$root/tests/Kiln.DeviceCheck/torch_chain.py" "$n" 20
  local prc=$?
  echo "==== torch_chain.py exit code $prc  [$((SECONDS - started)) s]"
  echo "==== done $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $((SECONDS - started)) s; DeviceCheck $([ "$status" -eq 0 ] && echo PASS || echo FAIL)"
  exit "$status"
}

case "${1:-}" in
  publish) publish ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 publish|run [--quick]" >&2; exit 2 ;;
esac
