#!/usr/bin/env bash
# Set up Steward on a fresh Debian/Ubuntu machine with Python 3.11+:
#   1. system packages (OSMesa for offscreen MuJoCo, Chromium for the report's browser test,
#      a compiler and cmake for llama-cpp-python) - installed when root or passwordless sudo,
#      otherwise it stops and prints the exact command;
#   2. a virtual environment in .venv with the project and its pinned, tested versions;
#   3. the embedded planner runtime and model (scripts/setup_llm.sh; cached, reused).
# Idempotent: a second run only checks.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: Steward needs Python 3.11 or newer; found: $("$python" --version 2>&1)." >&2
  echo "setup: install python3.11 (Debian: apt-get install -y python3 python3-venv) or set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

# espeak-ng synthesises the spoken-goal tests; libportaudio2 lets `--listen` use a microphone.
apt_packages=(libosmesa6 chromium chromium-driver build-essential cmake python3-venv espeak-ng libportaudio2)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = none ] || ! command -v apt-get >/dev/null; then
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip wheel
# The CPU build of torch first and pinned, so no other requirement pulls a CUDA build.
# On machines whose package index serves only CUDA builds, set
# TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu.
if [ -n "${TORCH_INDEX_URL:-}" ]; then
  "${pip[@]}" install -c constraints.txt --index-url "$TORCH_INDEX_URL" torch
else
  "${pip[@]}" install -c constraints.txt torch
fi
"${pip[@]}" install -c constraints.txt -e ".[sim,dev,bench,vla]"

if [ "${STEWARD_SKIP_LLM:-0}" != 1 ]; then
  bash scripts/setup_llm.sh .venv/bin/python
fi
echo "setup: ready (.venv)"
