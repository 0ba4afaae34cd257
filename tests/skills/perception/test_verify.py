"""The verification policy: re-looks when unsure, reports evidence, handles bad frames."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from embodiments.base import Observation
from skills.perception.testing import FakeDetector, fake_frame, fake_observation
from skills.perception.verify import Look, VerifyPolicy, reconsider, verify_effects
from skills.predicates import lit

OPEN_MW = lit("open({target})").ground({"target": "microwave"})
NOT_HOLDING = lit("not holding(kettle)").ground({})
KNOB_ON = lit("turned_on({target})").ground({"target": "top_left_burner"})


def feed(*observations: Observation) -> Callable[[], Observation]:
    queue = list(observations)

    def observe() -> Observation:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return observe


def test_confident_success_needs_one_look() -> None:
    detector = FakeDetector([{"open(microwave)": (True, 0.99)}])
    result = verify_effects(feed(fake_observation()), [OPEN_MW, NOT_HOLDING], [detector])
    assert result.outcome == "verified"
    assert result.success
    assert len(result.looks) == 1
    assert detector.calls == 1
    assert result.confidence == pytest.approx(0.99)


def test_low_confidence_triggers_another_look_with_cross_check() -> None:
    """Unsure on the first look: look again, asking the second detector as well."""
    primary = FakeDetector([{"open(microwave)": (True, 0.6)}, {"open(microwave)": (True, 0.95)}])
    second = FakeDetector([{"open(microwave)": (True, 0.99)}], name="second")
    policy = VerifyPolicy(min_confidence=0.8, max_looks=3)
    result = verify_effects(feed(fake_observation()), [OPEN_MW], [primary, second], policy=policy)
    assert result.outcome == "verified"
    assert len(result.looks) == 2
    assert primary.calls == 2
    assert second.calls == 1
    assert result.checks[0].detectors == ("fake", "second")


def test_still_unsure_after_all_looks_is_uncertain() -> None:
    detector = FakeDetector([{"open(microwave)": (True, 0.55)}])
    result = verify_effects(feed(fake_observation()), [OPEN_MW], [detector])
    assert result.outcome == "uncertain"
    assert not result.success
    assert len(result.looks) == 3
    assert "open(microwave)" in result.message


def test_confident_contradiction_fails() -> None:
    detector = FakeDetector([{"open(microwave)": (False, 0.98)}])
    result = verify_effects(feed(fake_observation()), [OPEN_MW], [detector])
    assert result.outcome == "failed"
    assert "open(microwave)" in result.message


def test_evidence_carries_frame_hashes_and_estimates() -> None:
    before = fake_observation(ee_x_m=0.0)
    detector = FakeDetector([{"open(microwave)": (True, 0.99)}])
    after = fake_observation(overview=fake_frame(5), wrist=fake_frame(6), ee_x_m=0.2)
    result = verify_effects(feed(after), [OPEN_MW], [detector], before=before)
    look = result.looks[0]
    assert [cam for cam, _ in look.frame_sha256] == ["overview", "wrist"]
    assert all(len(h) == 64 for _, h in look.frame_sha256)
    assert look.estimates[0].detector == "fake"
    assert len(result.frames_before_sha256) == 2


def test_bad_frame_is_re_observed_then_classified() -> None:
    black = fake_observation(overview=np.zeros((128, 128, 3), np.uint8))
    detector = FakeDetector([{"open(microwave)": (True, 0.99)}])
    result = verify_effects(feed(black, fake_observation()), [OPEN_MW], [detector])
    assert result.outcome == "verified"
    assert result.looks[0].problems[0].kind == "black"
    assert detector.calls == 1


def test_persistent_bad_frames_are_reported_not_classified() -> None:
    truncated = np.full((128, 128, 3), 90, np.uint8)
    truncated[64:] = 0
    detector = FakeDetector()
    result = verify_effects(feed(fake_observation(overview=truncated)), [OPEN_MW], [detector])
    assert result.outcome == "bad_frames"
    assert not result.success
    assert detector.calls == 0
    assert "truncated" in result.message


def test_frozen_camera_after_motion_is_detected() -> None:
    before = fake_observation(ee_x_m=0.0)
    same_frames_moved = fake_observation(ee_x_m=0.3)  # identical frames, arm moved 30 cm
    detector = FakeDetector()
    result = verify_effects(feed(same_frames_moved), [OPEN_MW], [detector], before=before)
    assert result.outcome == "bad_frames"
    assert {p.kind for p in result.looks[0].problems} == {"frozen"}


def test_policy_validates_its_fields() -> None:
    with pytest.raises(ValueError, match=r"min_confidence=0\.2"):
        VerifyPolicy(min_confidence=0.2)


def closer_look(index: int, answers: dict[str, tuple[bool, float]]) -> Look:
    """A look whose estimates come from a fake reader at another camera pose."""
    reader = FakeDetector([answers], name="knob_look")
    found = reader.detect({"wrist": fake_frame(9)}, [KNOB_ON.atom])
    return Look(index, (("wrist", "f" * 64),), (), tuple(found.values()))


def test_a_closer_look_settles_an_effect_the_usual_view_was_unsure_of() -> None:
    detector = FakeDetector([{"turned_on(top_left_burner)": (True, 0.7)}])
    first = verify_effects(feed(fake_observation()), [KNOB_ON], [detector])
    assert first.outcome == "uncertain"
    result = reconsider(first, closer_look(len(first.looks), {str(KNOB_ON.atom): (True, 0.995)}))
    assert result.outcome == "verified"
    assert result.checks[0].detectors == ("knob_look",)
    assert result.confidence == pytest.approx(0.995)
    assert result.looks[-1].frame_sha256 == (("wrist", "f" * 64),)
    assert len(result.looks) == len(first.looks) + 1


def test_a_closer_look_overrules_a_confident_but_wrong_usual_view() -> None:
    """The look is taken because the usual view cannot see the knob: its word counts."""
    detector = FakeDetector([{"turned_on(top_left_burner)": (True, 0.95)}])
    first = verify_effects(feed(fake_observation()), [KNOB_ON], [detector])
    assert first.outcome == "verified"
    result = reconsider(first, closer_look(1, {str(KNOB_ON.atom): (False, 0.99)}))
    assert result.outcome == "failed"
    assert "turned_on(top_left_burner)" in result.message


def test_a_look_that_judged_nothing_leaves_the_verdict() -> None:
    detector = FakeDetector([{"open(microwave)": (True, 0.99)}])
    first = verify_effects(feed(fake_observation()), [OPEN_MW], [detector])
    result = reconsider(first, Look(1, (), (), ()))
    assert (result.outcome, result.checks) == (first.outcome, first.checks)
