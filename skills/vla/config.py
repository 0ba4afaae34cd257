"""Frozen configs of the VLA package, and where checkpoints and servers are found.

- `PolicyConfig`: the network and its interface (cameras, sizes, horizon); saved in a
  checkpoint's config.json, so a checkpoint says what it needs.
- `TrainConfig`: how `steward train` fits it.
- `RunConfig`: how a backend runs a chunked policy closed-loop.
- `VLASettings`: where the `vla` backend looks for checkpoints and the `openpi` backend
  for its server, from the environment (`STEWARD_VLA_DIR`, `STEWARD_OPENPI_URL`,
  `STEWARD_OPENPI_API_KEY`), defaulting to ~/.cache/steward/vla/<skill> and
  ws://127.0.0.1:8000.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from skills.vla.base import ACTION_NAMES, STATE_NAMES
from skills.vla.errors import CheckpointError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
ENV_CHECKPOINT_ROOT = "STEWARD_VLA_DIR"
ENV_OPENPI_URL = "STEWARD_OPENPI_URL"
ENV_OPENPI_API_KEY = "STEWARD_OPENPI_API_KEY"
DEFAULT_CHECKPOINT_ROOT = Path("~/.cache/steward/vla")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PolicyConfig(_Frozen):
    """The network and the interface it was trained for."""

    cameras: tuple[str, ...] = ("overview", "wrist")
    image_size_px: int = Field(default=48, ge=16, le=256)
    state_names: tuple[str, ...] = STATE_NAMES
    action_names: tuple[str, ...] = ACTION_NAMES
    chunk_size: int = Field(default=10, ge=1, le=100)
    conv_channels: tuple[int, ...] = (16, 32, 64)
    feature_dim: int = Field(default=128, ge=8)
    hidden_dim: int = Field(default=512, ge=8)
    text_buckets: int = Field(default=1024, ge=16)
    text_dim: int = Field(default=32, ge=4)
    tasks: tuple[str, ...] = ()
    fps_hz: float = Field(default=12.5, gt=0.0)
    max_episode_ticks: int = Field(default=200, ge=1)

    @property
    def state_dim(self) -> int:
        """Length of the state vector."""
        return len(self.state_names)

    @property
    def action_dim(self) -> int:
        """Length of one action."""
        return len(self.action_names)


class TrainConfig(_Frozen):
    """How `steward train` fits a policy."""

    steps: int = Field(default=5000, ge=1)
    batch_size: int = Field(default=64, ge=1)
    learning_rate: float = Field(default=1e-3, gt=0.0)
    weight_decay: float = Field(default=1e-4, ge=0.0)
    shift_px: int = Field(default=4, ge=0, description="random image shift, augmentation")
    state_noise_std: float = Field(default=0.05, ge=0.0, description="in normalised units")
    seed: int = 0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int | None = Field(default=None, ge=1)
    log_every_steps: int = Field(default=250, ge=1)


class RunConfig(_Frozen):
    """How a backend runs a chunked policy on the robot.

    Running most of each 10-action chunk before re-querying matters: with 4 actions per
    inference the microwave policy stalled in front of the handle (0/6; near a grasp the
    state barely changes, so each fresh query postponed the grasp), with 8 it opened the
    door 5/5 (seeds 0-4, pilot checkpoint).
    """

    execute_steps: int = Field(default=8, ge=1, description="actions run per inference")
    max_ticks: int | None = Field(default=None, ge=1, description="None: 1.5 x longest demo")
    done_progress: float = Field(default=0.95, gt=0.0, le=1.0)
    done_patience: int = Field(default=2, ge=1, description="inferences above done_progress")
    binarize_gripper: bool = True


class VLASettings(_Frozen):
    """Where the learned backends find their policies."""

    checkpoint_root: Path = DEFAULT_CHECKPOINT_ROOT
    openpi_url: str = f"ws://{DEFAULT_HOST}:{DEFAULT_PORT}"
    openpi_api_key: str | None = None
    openpi_timeout_s: float = Field(default=10.0, gt=0.0)
    openpi_max_ticks: int = Field(default=300, ge=1)
    run: RunConfig = RunConfig()

    @field_validator("openpi_url")
    @classmethod
    def _websocket_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            msg = f"openpi_url must start with ws:// or wss://, got {value!r}"
            raise ValueError(msg)
        return value

    def checkpoint_dir(self, skill: str) -> Path:
        """The default checkpoint directory of one skill."""
        return self.checkpoint_root.expanduser() / skill

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VLASettings:
        """Settings from the environment; a bad value raises CheckpointError naming it."""
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        if env.get(ENV_CHECKPOINT_ROOT):
            raw["checkpoint_root"] = Path(env[ENV_CHECKPOINT_ROOT])
        if env.get(ENV_OPENPI_URL):
            raw["openpi_url"] = env[ENV_OPENPI_URL]
        if env.get(ENV_OPENPI_API_KEY):
            raw["openpi_api_key"] = env[ENV_OPENPI_API_KEY]
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            msg = f"invalid VLA settings from the environment: {problems}"
            raise CheckpointError(msg) from None
