"""Fixtures for agent tests: a fake kitchen run (fake embodiment, cell detector, fake skills)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent.bench.settings import BenchSettings
from agent.config import RunConfig
from agent.context import Operator
from agent.report import RunReport
from agent.runner import Overrides, run_goal
from agent.testing import EventsAt
from embodiments.base import SceneEvent
from embodiments.testing import FakeEmbodiment, make_fake
from planner.backends.scripted import ScriptedPlanner, load_script
from skills.perception.looks import CloserLook
from skills.testing import FakeSkillScript, register_fake_skills

SCRIPT = """
open the microwave and turn on the light:
  goal: [open(microwave), turned_on(light)]
turn on the top left burner:
  steps: [{skill: turn_on, target: top_left_burner}]
open the microwave, then turn on the top left burner:
  goal: [open(microwave), turned_on(top_left_burner)]
make toast:
  refuse: There is no toaster in this kitchen.
open it:
  ask: Which door should I open?
open it (the microwave):
  goal: [open(microwave)]
pick up the kettle:
  goal: [holding(kettle)]
"""


FAKE_BODY: dict[str, Any] = {
    "embodiment": "fake",
    "embodiment_settings": {"image_size_px": 128, "randomize": False},
}
"""The fake kitchen: 128 px frames, a fixed start."""
FAKE_RUN: dict[str, Any] = {"detectors": ("cells",), "skill_backend": "fake", "max_replans": 3}
"""How runs on it perceive and act: the cell detector, fake skills."""


FakeRun = Callable[..., RunReport]


@pytest.fixture
def fake_skills() -> FakeSkillScript:
    """The fake skill backends, registered, with an empty script."""
    return register_fake_skills()


@pytest.fixture
def fake_config(tmp_path: Path) -> RunConfig:
    """A run on the fake embodiment with 128 px frames, the cell detector, fake skills."""
    return RunConfig(
        embodiment=FAKE_BODY["embodiment"],
        embodiment_settings=FAKE_BODY["embodiment_settings"],
        planner="scripted",
        home=tmp_path,
        seed=0,
        **FAKE_RUN,
    )


@pytest.fixture
def planner_script(tmp_path: Path) -> Path:
    """The scripted planner's goals."""
    path = tmp_path / "plans.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture
def fake_run(fake_config: RunConfig, planner_script: Path, fake_skills: FakeSkillScript) -> FakeRun:
    """Run a goal on a fresh fake embodiment; `events` perturb the scene by step number."""
    del fake_skills

    def run(
        goal: str,
        *,
        operator: Operator | None = None,
        events: dict[int, SceneEvent] | None = None,
        robot: FakeEmbodiment | None = None,
        config: RunConfig | None = None,
        run_id: str | None = None,
        listeners: tuple[object, ...] = (),
        look: CloserLook | None = None,
    ) -> RunReport:
        body = robot or make_fake(image_size_px=128, randomize=False)
        hooks = (EventsAt(body, dict(events or {})), *listeners)
        return run_goal(
            goal,
            config or fake_config,
            operator=operator,
            run_id=run_id,
            overrides=Overrides(
                embodiment=body,
                planner=ScriptedPlanner(load_script(planner_script)),
                look=look,
                listeners=hooks,  # type: ignore[arg-type]  # listeners are duck-typed
            ),
        )

    return run


@pytest.fixture
def fake_bench(fake_skills: None) -> Callable[..., BenchSettings]:
    """Bench settings on the fake kitchen (fake embodiment, cell detector, fake skills)."""
    del fake_skills

    def settings(**values: object) -> BenchSettings:
        return BenchSettings.parse(**FAKE_BODY, run_settings=FAKE_RUN, **values)

    return settings
