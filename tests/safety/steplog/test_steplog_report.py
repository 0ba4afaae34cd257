"""The HTML report is one self-contained file: frames inline, nothing fetched, input escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safety.steplog.errors import RunNotFoundError
from safety.steplog.records import GoalRecord, OutcomeRecord
from safety.steplog.report import write_report
from safety.steplog.storage import RunPaths
from safety.steplog.writer import StepLog


def test_report_inlines_every_frame_and_references_nothing_outside(
    demo: RunPaths, tmp_path: Path
) -> None:
    stats = write_report(demo.root, demo.run_id, tmp_path / "out" / "report.html")
    html = stats.path.read_text()
    assert (stats.entries, stats.frames, stats.missing_frames, stats.integrity_ok) == (
        12,
        8,
        0,
        True,
    )
    srcs = re.findall(r'src="([^"]*)"', html)
    assert len(srcs) == 16
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r"(?:href|src)=\"(?:https?:)?//", html)
    assert "default-src 'none'" in html
    assert html.count('class="entry"') == 12


def test_report_escapes_what_the_log_says(tmp_path: Path) -> None:
    with StepLog.open(tmp_path, "r1") as log:
        log.append(GoalRecord(text="<script>alert(1)</script> & <img src=x>"))
        log.append(OutcomeRecord(status="refused", reason="<b>no</b>"))
    html = write_report(tmp_path, "r1", tmp_path / "r.html").path.read_text()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<img src=x>" not in html


def test_report_marks_missing_frames_and_a_failed_check(demo: RunPaths, tmp_path: Path) -> None:
    next(demo.frames.iterdir()).unlink()
    stats = write_report(demo.root, demo.run_id, tmp_path / "r.html")
    html = stats.path.read_text()
    assert (stats.missing_frames, stats.integrity_ok) == (1, False)
    assert "frame missing" in html
    assert "Integrity check FAILED" in html


def test_report_of_an_unknown_run_says_what_exists(demo: RunPaths, tmp_path: Path) -> None:
    with pytest.raises(RunNotFoundError, match="Did you mean demo"):
        write_report(demo.root, "demoo", tmp_path / "r.html")
