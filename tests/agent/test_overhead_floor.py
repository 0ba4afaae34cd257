"""The overhead-floor benchmark script runs and prints its table (a few repeats only)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "overhead_floor.py"


def test_overhead_floor_prints_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("overhead_floor", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["overhead_floor"] = module
    spec.loader.exec_module(module)
    module.main(["--steps", "5"])
    out = capsys.readouterr().out
    assert "| + SQLite checkpoints (sync) |" in out
    assert "| step-log barrier: 1 KB append + fsync |" in out
    assert "| + SQLite checkpoints (async) |" in out
    assert "Floor per step (one fsync, two PNGs)" in out
