"""The agent runs learned skills where configured and logs which backend and checkpoint ran."""

from __future__ import annotations

import numpy as np

from agent.cli_run import _backends
from agent.testing import logged
from skills.vla.checkpoint import Normalizer, save_checkpoint
from skills.vla.config import PolicyConfig
from skills.vla.model import VisuomotorPolicy

GOAL = "open the microwave and turn on the light"


def initialised_checkpoint(directory, tasks):
    """An untrained (initialised) tiny policy: enough to check wiring, not to succeed."""
    config = PolicyConfig(
        image_size_px=16,
        conv_channels=(8,),
        feature_dim=8,
        hidden_dim=8,
        chunk_size=2,
        tasks=tasks,
        max_episode_ticks=4,
    )
    zeros, ones = np.zeros(8, np.float32), np.ones(8, np.float32)
    stats = Normalizer(state_mean=zeros, state_std=ones, action_mean=zeros, action_std=ones)
    return save_checkpoint(directory, VisuomotorPolicy(config), stats)


def test_per_skill_backends_parse_from_the_command_line():
    assert _backends("vla") == ("vla", {})
    assert _backends("open=vla, close=scripted") == (
        "scripted",
        {"open": "vla", "close": "scripted"},
    )


def test_a_vla_step_logs_its_backend_and_checkpoint(fake_run, fake_config, tmp_path, monkeypatch):
    checkpoint = initialised_checkpoint(tmp_path / "vla" / "turn_on", ("turn on the light",))
    monkeypatch.setenv("STEWARD_VLA_DIR", str(tmp_path / "vla"))
    config = fake_config.model_copy(update={"skill_backends": {"turn_on": "vla"}, "max_replans": 0})
    report = fake_run(GOAL, config=config)
    starts = [b for b in logged(report) if b.kind == "skill_start"]
    assert [s.backend for s in starts] == ["fake", f"vla:{checkpoint}"]
    assert report.steps[1].backend == "vla"
    assert report.steps[1].source == str(checkpoint)
    assert report.outcome.status == "failed"  # an untrained policy does not switch lights on
