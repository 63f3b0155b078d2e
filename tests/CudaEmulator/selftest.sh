#!/usr/bin/env bash
# Builds the CUDA emulator and its self-test, and runs it, once with the x86-64 context switch and once with the
# ucontext fallback other machines use: ./selftest.sh [OUTDIR] (a temporary folder by default).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/kiln-cuda-emulator-selftest.XXXXXX")}"
mkdir -p "$out"
export KILN_CUDA_EMULATOR_CACHE="$out/cache"

g++ -std=c++20 -O2 -pthread -ffp-contract=off -Wall -Wextra "$here/selftest.cpp" -o "$out/selftest" -ldl

library="$("$here/build.sh" "$out")"
echo "== $library"
"$out/selftest" "$library"

fallback="$("$here/build.sh" "$out/ucontext" -DKILN_EMU_USE_UCONTEXT)"
echo "== $fallback (ucontext fallback)"
# swapcontext makes a system call per switch, so the fallback gets 20 s for the reduction rather than 1 s.
"$out/selftest" "$fallback" 20000
