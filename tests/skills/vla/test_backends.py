"""The learned backends and their shared closed loop, on the fake embodiment (no simulator)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from structlog.testing import capture_logs

from embodiments.testing import FakeConfig, FakeEmbodiment
from skills.base import CancelToken, SkillStatus
from skills.errors import SkillIncompatibleError
from skills.kitchen.specs import DoorArgs
from skills.registry import backends_of, make_skill
from skills.vla.backends import VLASkill
from skills.vla.config import RunConfig, VLASettings
from skills.vla.errors import CheckpointError, CheckpointNotFoundError
from skills.vla.runner import run_chunked
from skills.vla.testing import ScriptedPolicy

OPEN = DoorArgs(target="microwave")


def _fake(**config) -> FakeEmbodiment:
    fake = FakeEmbodiment(FakeConfig(**config))
    fake.reset(0)
    return fake


def _vla(checkpoint: Path, **run) -> VLASkill:
    settings = VLASettings(run=RunConfig(**run))
    skill = make_skill("open", "vla")
    assert isinstance(skill, VLASkill)
    return type(skill)(checkpoint=checkpoint, settings=settings)


def test_every_kitchen_skill_has_vla_and_openpi_backends() -> None:
    for name in ("open", "close", "turn_on", "turn_off", "pick", "place"):
        assert {"vla", "openpi", "scripted"} <= set(backends_of(name))


def test_vla_backend_runs_its_checkpoint_closed_loop(checkpoint: Path) -> None:
    skill = _vla(checkpoint, execute_steps=2, max_ticks=9)
    fake = _fake()
    before = fake.observe().proprio.joint_position_rad
    with capture_logs() as logs:
        result = skill.run(fake, OPEN)
    assert skill.source == str(checkpoint)
    assert result.ticks == 9 or result.status is SkillStatus.SUCCEEDED
    assert result.ticks > 0
    assert str(checkpoint) in result.message
    assert np.abs(fake.observe().proprio.joint_position_rad - before).max() > 0
    end = next(e for e in logs if e["event"] == "vla.run.end")
    assert end["source"] == str(checkpoint)
    assert end["inferences"] == -(-result.ticks // 2)  # one inference per 2 ticks


def test_default_checkpoint_dir_comes_from_the_environment(tmp_path: Path) -> None:
    settings = VLASettings.from_env({"STEWARD_VLA_DIR": str(tmp_path)})
    skill = type(make_skill("open", "vla"))(settings=settings)
    assert skill.source == str(tmp_path / "open")
    default = VLASettings.from_env({})
    assert default.checkpoint_dir("turn_on") == Path("~/.cache/steward/vla/turn_on").expanduser()


def test_missing_checkpoint_raises_before_moving_and_names_the_command(tmp_path: Path) -> None:
    skill = _vla(tmp_path / "none")
    fake = _fake()
    before = fake.observe().proprio.joint_position_rad
    with pytest.raises(CheckpointNotFoundError, match=r"steward record open .* `steward train"):
        skill.run(fake, OPEN)
    np.testing.assert_array_equal(fake.observe().proprio.joint_position_rad, before)


def test_task_the_checkpoint_never_saw_is_refused(checkpoint: Path) -> None:
    skill = _vla(checkpoint)
    with pytest.raises(CheckpointError, match="not 'open the slide cabinet'"):
        skill.run(_fake(), DoorArgs(target="slide_cabinet"))


def test_already_cancelled_run_returns_before_loading_anything(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel("operator pressed stop")
    result = _vla(tmp_path / "none").run(_fake(), OPEN, cancel=token)
    assert result.status is SkillStatus.CANCELLED
    assert result.message == "operator pressed stop"


def test_embodiment_without_the_cameras_is_refused(checkpoint: Path) -> None:
    blind = _fake(cameras=())
    skill = _vla(checkpoint)
    assert not skill.supports(blind)
    with pytest.raises(SkillIncompatibleError, match="cameras overview, wrist"):
        skill.run(blind, OPEN)


def test_checkpoint_cameras_decide_support(checkpoint: Path, tmp_path: Path) -> None:
    wrist_only = tmp_path / "wrist_only"
    shutil.copytree(checkpoint, wrist_only)
    config = json.loads((wrist_only / "config.json").read_text())
    (wrist_only / "config.json").write_text(json.dumps(config | {"cameras": ["wrist"]}))
    assert _vla(wrist_only).supports(_fake(cameras=("wrist",)))


def test_runner_stops_when_progress_stays_high() -> None:
    policy = ScriptedPolicy(np.full((5, 8), 0.1), progress_step=0.5)  # 0.5, 1.0, 1.0
    result = run_chunked(
        _fake(), policy, "x", cancel=CancelToken(), config=RunConfig(execute_steps=3), max_ticks=99
    )
    assert result.status is SkillStatus.SUCCEEDED
    assert len(policy.requests) == 3  # done after two inferences above 0.95
    assert result.ticks == 6  # two chunks ran, 3 of their 5 actions each


def test_runner_cancels_mid_chunk_and_stops_the_arm() -> None:
    token = CancelToken()
    policy = ScriptedPolicy(
        np.full((4, 8), 0.1), progress_step=None, on_infer=lambda n: n == 2 and token.cancel("stop")
    )
    result = run_chunked(_fake(), policy, "x", cancel=token, config=RunConfig(), max_ticks=50)
    assert result.status is SkillStatus.CANCELLED
    assert result.ticks == 4


def test_runner_without_done_signal_runs_its_budget() -> None:
    policy = ScriptedPolicy(np.zeros((3, 8)), progress_step=None)
    result = run_chunked(
        _fake(), policy, "x", cancel=CancelToken(), config=RunConfig(execute_steps=3), max_ticks=7
    )
    assert result.status is SkillStatus.SUCCEEDED
    assert result.ticks == 7
    assert "no done signal" in result.message


def test_runner_times_out_when_progress_never_arrives() -> None:
    policy = ScriptedPolicy(np.zeros((3, 8)), progress_step=0.01)
    result = run_chunked(
        _fake(), policy, "x", cancel=CancelToken(), config=RunConfig(), max_ticks=6
    )
    assert result.status is SkillStatus.TIMED_OUT


def test_runner_refuses_actions_of_the_wrong_width() -> None:
    policy = ScriptedPolicy(np.zeros((3, 6)))
    with pytest.raises(SkillIncompatibleError, match=r"H x 8 \(7 joint velocities \+ gripper\)"):
        run_chunked(_fake(), policy, "x", cancel=CancelToken(), config=RunConfig(), max_ticks=6)


def test_runner_binarises_the_gripper() -> None:
    actions = np.zeros((2, 8))
    actions[:, -1] = 0.3
    fake = _fake()
    run_chunked(
        fake,
        ScriptedPolicy(actions, None),
        "x",
        cancel=CancelToken(),
        config=RunConfig(),
        max_ticks=2,
    )
    assert fake.observe().proprio.gripper_opening_m == 0.0
