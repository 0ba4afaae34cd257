"""The reader groups records by step, and the filters select what a reviewer asks for."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from safety.steplog.describe import run_lines
from safety.steplog.errors import StepLogCorruptError
from safety.steplog.logs import (
    STEP_SUMMARY_EVENT,
    configure_logging,
    log_step_summary,
    run_context,
    step_context,
)
from safety.steplog.reader import EventView, StepView, TimelineFilter, open_run, read_all
from safety.steplog.storage import RunPaths
from safety.verdict import Decision


def labels(entries: list[StepView | EventView]) -> list[str]:
    return [f"step {e.step}" if isinstance(e, StepView) else e.record.body.kind for e in entries]


def test_the_timeline_groups_each_steps_records(demo: RunPaths) -> None:
    view = open_run(demo.root, demo.run_id)
    assert labels(view.entries) == [
        "goal",
        "plan",
        "step 0",
        "step 1",
        "replan",
        "plan",
        "step 2",
        "step 3",
        "replan",
        "plan",
        "step 4",
        "outcome",
    ]
    assert (view.denials, view.approvals, view.categories) == (1, 1, ["fire"])
    step0 = view.steps[0]
    assert step0.skill_end is not None
    assert step0.verification is not None
    assert [s.count for s in step0.shield] == [3]


def test_a_closer_look_is_filed_with_its_step_and_described(demo: RunPaths) -> None:
    step2 = open_run(demo.root, demo.run_id).steps[2]
    assert [look.kind for look in step2.looks] == ["look", "look_result"]
    lines = run_lines(step2)
    assert "knob_look for turned_on(top_left_burner): unsure from the usual view" in lines
    assert "knob_look: turned_on(top_left_burner) holds (0.99)" in lines


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (TimelineFilter(verdict=Decision.DENY), ["step 1", "replan"]),
        (TimelineFilter(verdict=Decision.ASK_HUMAN), ["step 2"]),
        (TimelineFilter(category="fire"), ["step 1", "replan", "step 2"]),
        (TimelineFilter(category="electrical"), []),
        (TimelineFilter(approvals=True), ["step 2"]),
        (TimelineFilter(replans=True), ["step 1", "replan", "step 3", "replan"]),
        (TimelineFilter(replans=True, verdict=Decision.ALLOW), ["step 3", "replan"]),
        (TimelineFilter(category="fire", approvals=True), ["step 2"]),
    ],
)
def test_filters_select_the_right_entries(
    demo: RunPaths, flt: TimelineFilter, expected: list[str]
) -> None:
    assert labels(open_run(demo.root, demo.run_id).filtered(flt)) == expected


def test_unreadable_lines_are_counted_not_fatal(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    lines[3] = b"garbage"
    log_file.write(lines)
    view = open_run(demo.root, demo.run_id)
    assert (view.unreadable_lines, view.records) == (1, 27)


def test_list_reports_unreadable_runs_beside_good_ones(demo: RunPaths) -> None:
    (demo.root / "broken").mkdir()
    (demo.root / "broken" / "steplog.jsonl").write_bytes(b"\x00\x01binary")
    runs = read_all(demo.root)
    assert [r if isinstance(r, tuple) else r.run_id for r in runs][1] == "demo"
    broken = runs[0]
    assert isinstance(broken, tuple)
    assert "not a Steward step log" in broken[1]
    with pytest.raises(StepLogCorruptError, match="steward audit verify broken"):
        open_run(demo.root, "broken")


def test_one_summary_line_per_step_with_run_and_step_bound(demo: RunPaths) -> None:
    view = open_run(demo.root, demo.run_id)
    with capture_logs() as logs, run_context("demo"):
        for step in view.steps:
            with step_context(step.step):
                log_step_summary(step)
    assert [e["event"] for e in logs] == [STEP_SUMMARY_EVENT] * 5
    denied = logs[1]
    assert (denied["decision"], denied["hazard_category"], denied["rule_ids"]) == (
        "deny",
        "fire",
        ["fire.metal_in_microwave"],
    )
    assert logs[2]["approved_by"] == ["operator:alice"]
    assert (logs[0]["clamps"], logs[3]["verified"], logs[3]["replanned"]) == (3, False, True)


def test_json_lines_off_a_terminal_with_context_bound() -> None:
    out = io.StringIO()
    configure_logging(stream=out)
    try:
        with run_context("r-7"), step_context(2, skill="open"):
            structlog.get_logger().info("skill.start", backend="scripted")
        event = json.loads(out.getvalue())
        assert (event["run_id"], event["step"], event["skill"]) == ("r-7", 2, "open")
        assert (event["event"], event["level"]) == ("skill.start", "info")
    finally:
        structlog.reset_defaults()


def test_readable_lines_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    configure_logging(stream=out)
    try:
        with run_context("r-7"):
            structlog.get_logger().info("plan.ready", steps=3)
        text = out.getvalue()
        assert "plan.ready" in text
        assert "run_id" in text
        assert not text.startswith("{")
    finally:
        structlog.reset_defaults()


def test_an_unknown_log_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging(stream=io.StringIO(), level="loud")


def test_path_of_a_missing_root_lists_nothing(tmp_path: Path) -> None:
    assert read_all(tmp_path / "absent") == []
