"""The overhead-floor benchmark script runs and prints its table (a few repeats only)."""

from __future__ import annotations

import pytest


def test_overhead_floor_prints_every_part(
    benchmark_script, capsys: pytest.CaptureFixture[str]
) -> None:
    module = benchmark_script("overhead_floor")
    module.main(["--steps", "5"])
    out = capsys.readouterr().out
    assert "| + SQLite checkpoints (sync) |" in out
    assert "| step-log barrier: 1 KB append + fsync |" in out
    assert "| + SQLite checkpoints (async) |" in out
    assert "| functional API, SQLite checkpoints (async) |" in out
    assert "Floor per step (one fsync, two PNGs)" in out
