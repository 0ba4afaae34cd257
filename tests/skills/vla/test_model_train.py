"""Training writes a complete checkpoint that loads, validates its inputs and really learns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from skills.vla.base import ActionChunk, PolicyInput
from skills.vla.checkpoint import load_policy
from skills.vla.config import TrainConfig
from skills.vla.errors import CheckpointError, CheckpointNotFoundError, DatasetError
from skills.vla.model import hash_tokens
from skills.vla.train import chunk_targets, pick_device, train_checkpoint

from .conftest import SIZE, TASKS, TINY, synthetic_episode, write_dataset


def _request(task: str = TASKS[0], size: int = SIZE, state=None) -> PolicyInput:
    frames = {c: np.full((size, size, 3), 40, np.uint8) for c in ("overview", "wrist")}
    return PolicyInput(frames, np.zeros(8, np.float32) if state is None else state, task)


def test_hashed_instruction_tokens_are_stable_and_tell_tasks_apart() -> None:
    a, b = hash_tokens("open the microwave", 1024), hash_tokens("Open the  microwave!", 1024)
    assert a == b
    assert set(hash_tokens("open the slide cabinet", 1024)) != set(a)
    assert all(0 <= i < 1024 for i in a)


def test_chunk_targets_shift_by_one_and_hold_still_after_the_end() -> None:
    action = np.arange(3 * 2, dtype=np.float32).reshape(3, 2)  # last column = gripper
    chunks = chunk_targets(action, 4)
    assert chunks.shape == (3, 4, 2)
    np.testing.assert_array_equal(chunks[0, :3], action)
    np.testing.assert_array_equal(chunks[2, 1:], [[0.0, 5.0]] * 3)  # zero velocity, last gripper


def test_checkpoint_has_config_weights_stats_and_report(checkpoint: Path) -> None:
    names = {p.name for p in checkpoint.iterdir()}
    assert {"config.json", "model.safetensors", "stats.json", "train.json"} <= names
    config = json.loads((checkpoint / "config.json").read_text())
    assert config["tasks"] == sorted(TASKS)
    assert config["max_episode_ticks"] == 15  # the longest successful episode
    report = json.loads((checkpoint / "train.json").read_text())
    assert report["episodes"] == 3  # the failed episode is not trained on
    assert report["seeds"] == [1, 2, 4]


def test_loaded_policy_returns_a_chunk_of_the_trained_horizon(checkpoint: Path) -> None:
    policy = load_policy(checkpoint)
    chunk = policy.infer(_request(size=128))  # any frame size: resized to the policy's
    assert isinstance(chunk, ActionChunk)
    assert chunk.actions.shape == (TINY.chunk_size, 8)
    assert np.isfinite(chunk.actions).all()
    assert chunk.progress is not None
    assert 0.0 <= chunk.progress <= 1.0
    assert policy.source == str(checkpoint)


def test_policy_names_a_missing_camera_and_a_wrong_state(checkpoint: Path) -> None:
    policy = load_policy(checkpoint)
    req = _request()
    with pytest.raises(CheckpointError, match="needs camera"):
        policy.infer(PolicyInput({"overview": req.frames["overview"]}, req.state, req.instruction))
    with pytest.raises(CheckpointError, match=r"state of shape \(8,\)"):
        policy.infer(PolicyInput(req.frames, np.zeros(7, np.float32), req.instruction))


def test_missing_checkpoint_says_which_commands_create_it(tmp_path: Path) -> None:
    with pytest.raises(CheckpointNotFoundError, match="steward train --data DATA --out"):
        load_policy(tmp_path / "nowhere", skill="open")


def test_incomplete_or_mismatched_checkpoint_is_refused(checkpoint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(checkpoint, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match=r"no model\.safetensors"):
        load_policy(broken)
    mismatched = tmp_path / "mismatched"
    shutil.copytree(checkpoint, mismatched)
    config = json.loads((mismatched / "config.json").read_text())
    (mismatched / "config.json").write_text(json.dumps(config | {"hidden_dim": 64}))
    with pytest.raises(CheckpointError, match=r"do not fit its config\.json"):
        load_policy(mismatched)


def test_training_lowers_the_loss_and_separates_the_tasks(tmp_path: Path) -> None:
    """Same frames and states for both tasks: only the instruction tells the velocity's sign."""
    demos = [synthetic_episode(s, t, state_seed=0) for s in range(3) for t in TASKS]
    dataset = write_dataset(tmp_path / "same", demos)
    report = train_checkpoint(
        [dataset],
        tmp_path / "fit",
        TrainConfig(steps=150, batch_size=16, learning_rate=3e-3, threads=1, shift_px=0),
        policy=TINY,
    )
    assert report.final_loss < 0.5
    policy = load_policy(tmp_path / "fit")
    state = demos[0].state[0]
    opened = policy.infer(_request(TASKS[0], state=state)).actions[0, :7]
    lit = policy.infer(_request(TASKS[1], state=state)).actions[0, :7]
    assert opened.mean() > 0.25
    assert lit.mean() < -0.25


def test_training_on_no_dataset_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="steward record"):
        train_checkpoint([tmp_path / "missing"], tmp_path / "out", TrainConfig(steps=1))


def test_cuda_request_without_cuda_is_a_clear_error() -> None:
    if torch.cuda.is_available():
        assert pick_device("auto").type == "cuda"
    else:
        assert pick_device("auto").type == "cpu"
        with pytest.raises(DatasetError, match="no CUDA device"):
            pick_device("cuda")
