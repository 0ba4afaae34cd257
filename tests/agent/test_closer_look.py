"""Closer looks in the agent loop (fake kitchen, a fake look): when, what is logged, who wins."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agent.testing import logged
from embodiments.base import Observation
from embodiments.scene import Atom
from embodiments.testing import FakeConfig, FakeEmbodiment
from safety.steplog.records import LookRecord, LookResultRecord, VerificationRecord
from skills.perception.testing import FakeDetector, FakeLook

LIGHT = "turned_on(light)"
GOAL = "open the microwave and turn on the light"


def light_look(*values: bool, reaches: bool = True) -> FakeLook:
    """A look at the light wanted below 100% confidence (the cell detector says 0.99),
    its reader seeing `values` on successive looks (the last one repeats)."""
    reader = FakeDetector([{LIGHT: (v, 0.995)} for v in values], name="fake_look")
    return FakeLook(reader, (Atom.parse(LIGHT),), min_confidence=1.0, reaches=reaches)


def test_an_unsure_atom_gets_a_closer_look_logged_before_the_arm_moves(fake_run, fake_skills):
    look = light_look(False, False, True)
    report = fake_run(GOAL, look=look)
    assert report.outcome.status == "done", report.outcome.reason
    bodies = logged(report)
    kinds = [b.kind for b in bodies]
    # perceive before each of the two steps and after the last; verify the light's step
    assert look.moves == kinds.count("look") == kinds.count("look_result") == 4
    for i, kind in enumerate(kinds):
        if kind == "look":
            assert kinds[i + 1] == "look_result"
    first = next(b for b in bodies if isinstance(b, LookRecord))
    assert first.atoms == (LIGHT,)
    assert first.reason == f"unsure from the usual view: {LIGHT} 0.99"
    seen = next(b for b in bodies if isinstance(b, LookResultRecord))
    assert seen.reached
    assert [(e.literal, e.holds) for e in seen.estimates] == [(LIGHT, False)]
    assert {f.camera for f in seen.frames} == {"overview", "wrist"}
    light = [b for b in bodies if isinstance(b, VerificationRecord)][-1]
    assert [(p.literal, p.confidence) for p in light.predicates] == [(LIGHT, 0.995)]
    assert light.method == "cells+fake_look"


def test_a_closer_look_that_sees_the_light_off_fails_its_step(fake_run, fake_skills):
    report = fake_run(GOAL, look=light_look(False))
    assert report.outcome.status == "failed"
    assert f"not as expected: {LIGHT}" in report.outcome.reason
    assert [s.verified for s in report.steps][:2] == [True, False]


def test_a_look_that_cannot_get_there_leaves_the_usual_view(fake_run, fake_skills):
    look = light_look(True, reaches=False)
    report = fake_run(GOAL, look=look)
    assert report.outcome.status == "done", report.outcome.reason
    results = [b for b in logged(report) if isinstance(b, LookResultRecord)]
    assert results
    assert all(not r.reached and not r.estimates for r in results)
    assert results[0].message == "no route to the look's posture"


def test_no_look_when_the_usual_view_is_sure(fake_run, fake_skills):
    look = light_look(True)
    look.min_confidence = 0.98
    report = fake_run(GOAL, look=look)
    assert report.outcome.status == "done", report.outcome.reason
    assert look.moves == 0
    assert "look" not in [b.kind for b in logged(report)]


class FloatWrist(FakeEmbodiment):
    """A camera driver gone wrong: after step 1 starts, the wrist frame arrives as floats."""

    corrupt = False

    def observe(self) -> Observation:
        seen = super().observe()
        if not self.corrupt:
            return seen
        frames = {**seen.frames, "wrist": seen.frames["wrist"].astype(np.float32)}
        return dataclasses.replace(seen, frames=frames)


class CorruptAt:
    def __init__(self, robot: FloatWrist) -> None:
        self.robot = robot

    def on_step_start(self, step_no: int, step: object) -> None:
        del step_no, step
        self.robot.corrupt = True


@pytest.mark.parametrize("look", [False, True])
def test_a_frame_of_the_wrong_type_fails_the_run_by_name_not_by_crash(fake_run, look):
    robot = FloatWrist(FakeConfig(image_size_px=128, randomize=False))
    report = fake_run(
        GOAL, robot=robot, listeners=(CorruptAt(robot),), look=light_look(True) if look else None
    )
    assert report.outcome.status == "failed"
    assert "wrist: wrong_type" in report.outcome.reason
