"""A writer killed with SIGKILL mid-run loses at most the record it was writing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safety.steplog.findings import FindingKind as K
from safety.steplog.parse import parse_log
from safety.steplog.records import OutcomeRecord
from safety.steplog.storage import RunPaths
from safety.steplog.verify import verify_paths
from safety.steplog.writer import StepLog

# Appends records until killed: a skill start (a barrier in "motion" durability) now and then,
# a verification with a frame every tenth, outcomes otherwise (no barrier). It stops by
# itself after 20 s so a failed test never leaves it running.
WRITER = """
import sys, time
import numpy as np
from pathlib import Path
from safety.steplog.records import OutcomeRecord, SkillStartRecord, VerificationRecord
from safety.steplog.writer import StepLog

log = StepLog.open(Path(sys.argv[1]), "killed", durability=sys.argv[2])
end = time.monotonic() + 20
i = 0
while time.monotonic() < end:
    if i % 10 == 9:
        refs = log.put_frames({"cam": np.full((16, 16, 3), i % 256, np.uint8)})
        log.append(VerificationRecord(step=i, success=True, confidence=0.5, frames_after=refs))
    elif i % 25 == 0:
        log.append(SkillStartRecord(step=i, skill="pick", arguments={"object": "x" * 2000}))
    else:
        log.append(OutcomeRecord(status="done", reason="y" * 2000 + str(i)))
    i += 1
"""


def _wait_for_records(log: Path, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.exists() and log.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"the writer did not reach {count} records in {timeout_s} s")


@pytest.mark.parametrize("durability", ["record", "motion"])
def test_sigkill_then_verify_then_reopen(tmp_path: Path, durability: str) -> None:
    """In "motion" durability too: the head follows every record, fsynced or not."""
    paths = RunPaths(tmp_path, "killed")
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), durability])
    try:
        _wait_for_records(paths.log, 60, timeout_s=30)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    before = parse_log(paths.log)
    report = verify_paths(paths)
    assert report.passed(), report.errors  # at most warnings: a cut line, a head one behind
    assert {f.kind for f in report.warnings} <= {
        K.TRUNCATED,
        K.UNANCHORED,
        K.INCOMPLETE,
        K.UNREFERENCED_FRAME,
    }

    with StepLog.open(tmp_path, "killed") as log:
        assert log.size >= len(before.lines)
        log.append(OutcomeRecord(status="stopped", reason="writer was killed"))

    after = parse_log(paths.log)
    assert [line.raw for line in after.lines[: len(before.lines)]] == [
        line.raw for line in before.lines
    ]
    final = verify_paths(paths)
    assert final.passed()
    assert not final.of_kind(K.TRUNCATED)
    assert not final.of_kind(K.UNANCHORED)
    assert after.entries[-1].record.body.kind == "outcome"
