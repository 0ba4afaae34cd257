"""End to end in the Franka Kitchen: record the expert, read it back, train, run the policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embodiments.registry import make_embodiment
from skills.base import SkillStatus
from skills.kitchen.specs import SwitchArgs
from skills.registry import make_skill
from skills.vla.config import RunConfig, TrainConfig, VLASettings
from skills.vla.dataset import load_demonstrations
from skills.vla.record import record, variants_for
from skills.vla.train import train_checkpoint

from .conftest import TINY

pytestmark = [pytest.mark.sim, pytest.mark.slow]


def test_record_train_and_run_in_the_kitchen(tmp_path: Path) -> None:
    pytest.importorskip("mujoco")
    kitchen = make_embodiment("franka_kitchen")
    try:
        summary = record(
            kitchen, variants_for("turn_on", ["light"]), episodes=1, out=tmp_path / "d"
        )
        assert summary.episodes == 1
        assert summary.successes == 1  # the expert switches the light on (scene truth)
        (demo,) = load_demonstrations(tmp_path / "d", cameras=("overview", "wrist"), size_px=128)
        assert demo.task == "turn on the light"
        assert demo.seed == 100_000
        assert demo.frames["wrist"].shape == (summary.frames, 128, 128, 3)
        # The recorded state is the proprioception the embodiment reported at that tick.
        start = kitchen.reset(100_000).proprio
        np.testing.assert_allclose(demo.state[0, :7], start.joint_position_rad, atol=1e-5)
        assert demo.action[:, -1].min() == 0.0  # the expert closed the gripper at some point

        train_checkpoint(
            [tmp_path / "d"], tmp_path / "ck", TrainConfig(steps=2, batch_size=8), policy=TINY
        )
        settings = VLASettings(run=RunConfig(max_ticks=8, execute_steps=4))
        skill = type(make_skill("turn_on", "vla"))(checkpoint=tmp_path / "ck", settings=settings)
        kitchen.reset(0)
        result = skill.run(kitchen, SwitchArgs(target="light"))
        assert result.status in (SkillStatus.TIMED_OUT, SkillStatus.SUCCEEDED)
        assert 0 < result.ticks <= 8
    finally:
        kitchen.close()
