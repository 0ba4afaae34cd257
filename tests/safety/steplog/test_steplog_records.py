"""Records are frozen, refuse unknown fields, and round-trip through canonical JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from planner.types import Step
from safety.steplog.canonical import canonical_bytes, parse_strict
from safety.steplog.errors import RecordError
from safety.steplog.parse import parse_log
from safety.steplog.records import (
    BODY_TYPES,
    GENESIS_HASH,
    GoalRecord,
    StoredRecord,
    VerdictRecord,
    make_record,
)
from safety.steplog.storage import RunPaths
from safety.verdict import Decision, Verdict


def test_goal_hash_is_filled_from_the_text_and_checked() -> None:
    goal = GoalRecord(text="make tea")
    assert goal.text_sha256 == "9651f6c2fd08ce22a73910cfb05a58659de76de310e5cce799d8d42fa506e9dd"
    with pytest.raises(ValidationError, match="does not match the goal text"):
        GoalRecord(text="make coffee", text_sha256=goal.text_sha256)


def test_records_are_frozen_and_refuse_unknown_fields() -> None:
    goal = GoalRecord(text="x")
    with pytest.raises(ValidationError, match="frozen"):
        goal.text = "y"  # type: ignore[misc]  # the point: frozen models refuse this
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        GoalRecord.model_validate({"kind": "goal", "text": "x", "mood": "cheerful"})


def test_envelope_round_trips_through_canonical_json() -> None:
    verdict = Verdict(decision=Decision.DENY, rule_ids=("fire.x",), hazard_category="fire")
    body = VerdictRecord(
        step=2, planned=Step(skill="open", arguments={"target": "oven"}), verdict=verdict
    )
    record = make_record(
        run_id="r-1",
        seq=4,
        time=datetime(2025, 1, 1, tzinfo=UTC),
        prev_hash=GENESIS_HASH,
        body=body,
    )
    raw = canonical_bytes(record.model_dump(mode="json"))
    again = StoredRecord.model_validate(parse_strict(raw))
    assert again == record
    assert again.step == 2
    assert raw.startswith(b'{"body":{"kind":"verdict"')


def test_make_record_refuses_what_is_not_a_record_body() -> None:
    not_a_body: object = {"kind": "goal"}
    with pytest.raises(RecordError, match="cannot log a dict; pass one of: GoalRecord"):
        make_record(
            run_id="r", seq=0, time=datetime.now(UTC), prev_hash=GENESIS_HASH, body=not_a_body
        )  # type: ignore[arg-type]  # the point: a dict is refused at run time


def test_the_demo_run_uses_every_record_kind_but_recovery(demo: RunPaths) -> None:
    kinds = {e.record.body.kind for e in parse_log(demo.log).entries}
    every = {t.model_fields["kind"].default for t in BODY_TYPES}
    assert every - kinds == {"recovery"}
