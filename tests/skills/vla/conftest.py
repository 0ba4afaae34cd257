"""Fixtures: a small synthetic LeRobot dataset and a tiny checkpoint trained on it (seconds)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skills.vla.config import PolicyConfig, TrainConfig
from skills.vla.lerobot_format import EpisodeRecord, LeRobotWriter
from skills.vla.train import train_checkpoint

SIZE = 32
TASKS = ("open the microwave", "turn on the light")
TINY = PolicyConfig(
    image_size_px=16, conv_channels=(8, 8), feature_dim=16, hidden_dim=32, chunk_size=4
)


def synthetic_episode(
    seed: int, task: str, *, length: int = 12, success: bool = True, state_seed: int | None = None
):
    """Frames whose brightness encodes the step; actions a known function of the state."""
    rng = np.random.default_rng(seed if state_seed is None else state_seed)
    t = np.arange(length)
    state = np.zeros((length, 8), np.float32)
    state[:, :7] = rng.uniform(-1, 1, 7) + 0.05 * t[:, None]
    state[:, 7] = 0.08
    action = np.zeros((length, 8), np.float32)
    action[:, :7] = 0.5 if task == TASKS[0] else -0.5
    action[:, 7] = (t < length // 2).astype(np.float32)
    frames = {
        cam: np.broadcast_to(
            (10 + 15 * t + 60 * k)[:, None, None, None].astype(np.uint8), (length, SIZE, SIZE, 3)
        ).copy()
        for k, cam in enumerate(("overview", "wrist"))
    }
    return EpisodeRecord(task, seed, success, frames, state, action)


def write_dataset(root: Path, episodes) -> Path:
    writer = LeRobotWriter(
        root,
        fps=12.5,
        cameras=("overview", "wrist"),
        image_shape=(SIZE, SIZE, 3),
        robot_type="fake",
    )
    for ep in episodes:
        writer.add(ep)
    return writer.finish()


@pytest.fixture(scope="session")
def episodes():
    return [
        synthetic_episode(1, TASKS[0]),
        synthetic_episode(2, TASKS[1], length=9),
        synthetic_episode(3, TASKS[0], success=False),
        synthetic_episode(4, TASKS[1], length=15),
    ]


@pytest.fixture(scope="session")
def dataset(tmp_path_factory, episodes) -> Path:
    return write_dataset(tmp_path_factory.mktemp("vla") / "data", episodes)


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory, dataset) -> Path:
    out = tmp_path_factory.mktemp("vla") / "ckpt"
    train_checkpoint([dataset], out, TrainConfig(steps=3, batch_size=8, threads=1), policy=TINY)
    return out
