"""Checkpoints: a directory with config.json, model.safetensors and stats.json.

    config.json       the PolicyConfig (cameras, sizes, horizon, tasks trained on)
    model.safetensors the weights (no pickle: safe to load from anywhere)
    stats.json        mean and std of states and actions, for (de)normalising
    train.json        how it was trained (optional; the benchmark reads it)

`load_policy` validates all of it and returns a `LocalPolicy`, the `ChunkPolicy` that the
`vla` backend and `steward serve-policy` run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import structlog
import torch
from pydantic import ValidationError
from safetensors.torch import load_file, save_file

from skills.vla.base import ActionChunk, Float32Array, PolicyInput
from skills.vla.config import PolicyConfig
from skills.vla.dataset import resize
from skills.vla.errors import CheckpointError, CheckpointNotFoundError
from skills.vla.model import VisuomotorPolicy, normalise_images

log = structlog.get_logger("steward.skills.vla.checkpoint")

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
STATS_FILE = "stats.json"
TRAIN_FILE = "train.json"
MIN_STD = 1e-3


@dataclass(frozen=True, slots=True)
class Normalizer:
    """Per-dimension mean and std of states and actions."""

    state_mean: Float32Array
    state_std: Float32Array
    action_mean: Float32Array
    action_std: Float32Array

    @classmethod
    def fit(cls, states: Float32Array, actions: Float32Array) -> Normalizer:
        """Statistics of the training data (std floored so constant dims stay finite)."""
        return cls(
            states.mean(0).astype(np.float32),
            np.maximum(states.std(0), MIN_STD).astype(np.float32),
            actions.mean(0).astype(np.float32),
            np.maximum(actions.std(0), MIN_STD).astype(np.float32),
        )

    def to_json(self) -> dict[str, list[float]]:
        """Plain lists for stats.json."""
        return {
            "state_mean": self.state_mean.tolist(),
            "state_std": self.state_std.tolist(),
            "action_mean": self.action_mean.tolist(),
            "action_std": self.action_std.tolist(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any], config: PolicyConfig, path: Path) -> Normalizer:
        """Read stats.json, checking each vector's length against the config."""
        dims = {"state": config.state_dim, "action": config.action_dim}
        arrays = {}
        for kind, dim in dims.items():
            for stat in ("mean", "std"):
                key = f"{kind}_{stat}"
                arr = np.asarray(raw.get(key, []), dtype=np.float32)
                if arr.shape != (dim,):
                    msg = f"{path}: {key} has shape {arr.shape}, expected ({dim},); retrain"
                    raise CheckpointError(msg)
                arrays[key] = arr
        return cls(**arrays)


def save_checkpoint(
    directory: Path,
    model: VisuomotorPolicy,
    normalizer: Normalizer,
    report: dict[str, Any] | None = None,
) -> Path:
    """Write config, weights, stats (and the training report) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(model.config.model_dump_json(indent=2) + "\n", "utf-8")
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(weights, str(directory / WEIGHTS_FILE))
    (directory / STATS_FILE).write_text(json.dumps(normalizer.to_json(), indent=2) + "\n", "utf-8")
    if report is not None:
        (directory / TRAIN_FILE).write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return directory


def read_config(directory: Path, *, skill: str | None = None) -> PolicyConfig:
    """The checkpoint's PolicyConfig; a missing directory says how to create one."""
    path = directory / CONFIG_FILE
    if not path.is_file():
        name = skill or "SKILL"
        msg = (
            f"no VLA checkpoint at {directory} ({CONFIG_FILE} is missing). Create one: "
            f"`steward record {name} --target TARGET --episodes 50 --out DATA` then "
            f"`steward train --data DATA --out {directory}`; or point STEWARD_VLA_DIR at "
            f"a directory that holds {name}/"
        )
        raise CheckpointNotFoundError(msg)
    try:
        return PolicyConfig.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        msg = f"{path} is not a valid policy config ({exc.error_count()} problems: {exc}); retrain"
        raise CheckpointError(msg) from None


def load_policy(directory: Path, *, device: str = "cpu", skill: str | None = None) -> LocalPolicy:
    """Load and validate a checkpoint directory."""
    config = read_config(directory, skill=skill)
    for name in (WEIGHTS_FILE, STATS_FILE):
        if not (directory / name).is_file():
            msg = f"checkpoint {directory} has no {name}; it is incomplete: retrain it"
            raise CheckpointError(msg)
    stats = json.loads((directory / STATS_FILE).read_text(encoding="utf-8"))
    normalizer = Normalizer.from_json(stats, config, directory / STATS_FILE)
    model = VisuomotorPolicy(config)
    try:
        model.load_state_dict(load_file(str(directory / WEIGHTS_FILE)), strict=True)
    except (RuntimeError, OSError) as exc:
        first = str(exc).splitlines()[0]
        msg = f"weights in {directory / WEIGHTS_FILE} do not fit its config.json ({first}); retrain"
        raise CheckpointError(msg) from None
    log.info("vla.checkpoint.loaded", source=str(directory), tasks=list(config.tasks))
    return LocalPolicy(model.to(device).eval(), normalizer, source=str(directory))


def images_to_tensor(frames: np.ndarray[Any, Any], device: torch.device) -> torch.Tensor:
    """N x S x S x 3 uint8 -> N x 3 x S x S floats in [-0.5, 0.5]."""
    return normalise_images(torch.from_numpy(np.ascontiguousarray(frames)).to(device))


class LocalPolicy:
    """A checkpoint in memory: validates requests, normalises, runs the network."""

    def __init__(self, model: VisuomotorPolicy, normalizer: Normalizer, *, source: str) -> None:
        self.model = model
        self.config = model.config
        self.normalizer = normalizer
        self._source = source
        self._device = next(model.parameters()).device

    @property
    def source(self) -> str:
        """The checkpoint directory."""
        return self._source

    def check(self, request: PolicyInput) -> None:
        """Raise CheckpointError naming a missing camera or a wrong state shape."""
        missing = [c for c in self.config.cameras if c not in request.frames]
        if missing:
            have = ", ".join(request.frames) or "none"
            msg = (
                f"checkpoint {self.source} needs camera(s) {', '.join(missing)}; the request "
                f"has {have}. Run it on an embodiment with those cameras, or retrain"
            )
            raise CheckpointError(msg)
        if request.state.shape != (self.config.state_dim,):
            msg = (
                f"checkpoint {self.source} takes a state of shape ({self.config.state_dim},) "
                f"({', '.join(self.config.state_names)}); got {request.state.shape}"
            )
            raise CheckpointError(msg)
        for cam in self.config.cameras:
            frame = request.frames[cam]
            if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
                msg = f"camera {cam}: expected H x W x 3 uint8, got {frame.shape} {frame.dtype}"
                raise CheckpointError(msg)

    @torch.inference_mode()
    def infer(self, request: PolicyInput) -> ActionChunk:
        """Predict H actions (denormalised) and the progress estimate."""
        self.check(request)
        size = self.config.image_size_px
        images = [
            images_to_tensor(resize(request.frames[c], size)[None], self._device)
            for c in self.config.cameras
        ]
        norm = self.normalizer
        state = (request.state - norm.state_mean) / norm.state_std
        state_t = torch.from_numpy(state[None].astype(np.float32)).to(self._device)
        actions, progress = self.model(images, [request.instruction], state_t)
        out = actions[0].cpu().numpy() * norm.action_std + norm.action_mean
        return ActionChunk(out.astype(np.float32), float(torch.sigmoid(progress[0])))
