#!/usr/bin/env bash
# Lint, type-check and run the whole test suite in the environment scripts/setup.sh made.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export MUJOCO_GL="${MUJOCO_GL:-osmesa}"
export PYOPENGL_PLATFORM="${PYOPENGL_PLATFORM:-osmesa}"
echo "== ruff check" && .venv/bin/ruff check .
echo "== ruff format --check" && .venv/bin/ruff format --check .
echo "== mypy (strict)" && .venv/bin/mypy && .venv/bin/mypy benchmarks
echo "== pytest" && .venv/bin/pytest -q -p no:cacheprovider --timeout 600 "$@"
