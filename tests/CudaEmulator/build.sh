#!/usr/bin/env bash
# Builds the CUDA emulator: ./build.sh OUTDIR [extra g++ flags...] writes OUTDIR/libkiln-cuda-emulator.so and prints its path.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [extra g++ flags...]" >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# -Wa,-I: the assembler finds kiln_cuda_host.h, which the library embeds (.incbin) to write out for g++ at run time.
g++ -std=c++20 -O2 -fPIC -shared -pthread -fvisibility=hidden -Wall -Wextra \
  -Wa,-I,"$here" -Wl,--version-script="$here/exports.map" "$@" \
  "$here/kiln_cuda_emulator.cpp" -o "$out/libkiln-cuda-emulator.so" -ldl
echo "$out/libkiln-cuda-emulator.so"
