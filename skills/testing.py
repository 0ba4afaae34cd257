"""Test doubles for skills: a "fake" backend for every spec, driving the fake embodiment.

A fake skill moves the fake arm for a few ticks (so the action shield and cancel tokens
are exercised), then makes the spec's effects true in the fake scene, unless the test
told it to fail, to "succeed" without changing anything (a skill that lies, which
only verification from frames can catch), or to report failure although its effects
happened (a false alarm, which verification clears). Register with `register_fake_skills()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from pydantic import BaseModel

from embodiments.base import Command, Embodiment
from embodiments.testing import FakeEmbodiment
from skills.base import CancelToken, Skill, SkillResult, SkillSpec, SkillStatus
from skills.registry import BACKENDS, all_specs, backend_key, register_skill

FAKE_BACKEND = "fake"
FAKE_TICKS = 5


@dataclass
class FakeSkillScript:
    """What the fake backends do: skills (by name) that fail, or claim success falsely."""

    failing: set[str] = field(default_factory=set)
    lying: set[str] = field(default_factory=set)
    false_alarm: set[str] = field(default_factory=set)
    """Skills that report failure although their effects happened."""
    empty_grip: set[str] = field(default_factory=set)
    """Skills that close the gripper on nothing while the scene (and frames) show it held."""
    runs: list[str] = field(default_factory=list)
    """Every run so far, as "skill(arg=value, ...)", in order."""


SCRIPT = FakeSkillScript()


class _FakeSkill(Skill):
    backend: ClassVar[str] = FAKE_BACKEND

    def supports(self, embodiment: Embodiment) -> bool:
        """Only the fake embodiment."""
        return isinstance(embodiment.unwrapped, FakeEmbodiment)

    def run(
        self, embodiment: Embodiment, arguments: BaseModel, *, cancel: CancelToken | None = None
    ) -> SkillResult:
        """Move a little, then flip the spec's effects in the fake scene."""
        typed = self.spec.validate_arguments(arguments)
        values = ", ".join(f"{k}={v}" for k, v in sorted(typed.model_dump().items()))
        SCRIPT.runs.append(f"{self.spec.name}({values})")
        velocity = np.full(embodiment.limits.n_joints, 0.1)
        _, effects = self.spec.ground(typed)
        holds = any(e.positive and e.atom.predicate == "holding" for e in effects)
        # Closed on a handle (80 % open) when it picks something up, else open.
        gripper = (0.0 if self.spec.name in SCRIPT.empty_grip else 0.8) if holds else 1.0
        clamped = 0
        for tick in range(FAKE_TICKS):
            if cancel is not None and cancel.cancelled:
                embodiment.stop()
                return SkillResult(SkillStatus.CANCELLED, cancel.reason, ticks=tick)
            clamped += embodiment.apply(Command(velocity, gripper)).was_clamped
        if self.spec.name in SCRIPT.failing:
            return SkillResult(SkillStatus.FAILED, "scripted failure", FAKE_TICKS, 0.0, clamped)
        if self.spec.name not in SCRIPT.lying:
            fake = embodiment.unwrapped
            assert isinstance(fake, FakeEmbodiment)
            for effect in effects:
                fake.set_atom(effect.atom, effect.positive)
        if self.spec.name in SCRIPT.false_alarm:
            return SkillResult(SkillStatus.FAILED, "false alarm", FAKE_TICKS, 0.0, clamped)
        return SkillResult(SkillStatus.SUCCEEDED, "done", FAKE_TICKS, 0.0, clamped)


def fake_skill_class(spec: SkillSpec) -> type[Skill]:
    """A fake backend class for one spec."""
    return type(f"Fake_{spec.name}", (_FakeSkill,), {"spec": spec})


def register_fake_skills(specs: Iterable[SkillSpec] | None = None) -> FakeSkillScript:
    """Register the "fake" backend for every spec (once); reset and return the script."""
    for spec in all_specs() if specs is None else specs:
        if backend_key(spec.name, FAKE_BACKEND) not in BACKENDS:
            register_skill(fake_skill_class(spec))
    SCRIPT.failing.clear()
    SCRIPT.lying.clear()
    SCRIPT.false_alarm.clear()
    SCRIPT.empty_grip.clear()
    SCRIPT.runs.clear()
    return SCRIPT
