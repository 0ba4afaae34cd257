"""The VLA interface: what a policy is asked (`PolicyInput`) and what it answers (`ActionChunk`).

A policy has one method, `infer` (openpi style): frames from named cameras, the robot's
state vector and a language instruction in, a chunk of H actions out. The same closed
loop (`skills.vla.runner`) drives a local checkpoint, an openpi policy server or any
other `ChunkPolicy`, so every backend executes, cancels and reports the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from embodiments.base import Frame, Observation

Float32Array = NDArray[np.float32]

STATE_NAMES = (
    "joint_1_rad",
    "joint_2_rad",
    "joint_3_rad",
    "joint_4_rad",
    "joint_5_rad",
    "joint_6_rad",
    "joint_7_rad",
    "gripper_opening_m",
)
"""The state vector: arm joint positions, then the opening between the fingers."""

ACTION_NAMES = (
    "joint_1_rad_s",
    "joint_2_rad_s",
    "joint_3_rad_s",
    "joint_4_rad_s",
    "joint_5_rad_s",
    "joint_6_rad_s",
    "joint_7_rad_s",
    "gripper_target_open",
)
"""One action: arm joint velocities, then the gripper target opening in [0, 1]."""


def state_vector(observation: Observation) -> Float32Array:
    """The policy's state input from proprioception: joint positions and gripper opening."""
    proprio = observation.proprio
    joints = np.asarray(proprio.joint_position_rad, dtype=np.float32)
    return np.concatenate([joints, np.array([proprio.gripper_opening_m], dtype=np.float32)])


@dataclass(frozen=True, slots=True)
class PolicyInput:
    """One inference request: camera frames by name, the state vector, the instruction."""

    frames: Mapping[str, Frame]
    state: Float32Array
    instruction: str

    @classmethod
    def from_observation(cls, observation: Observation, instruction: str) -> PolicyInput:
        """Build a request from an embodiment's observation."""
        return cls(dict(observation.frames), state_vector(observation), instruction)


@dataclass(frozen=True, slots=True)
class ActionChunk:
    """H actions to run one after the other, and the policy's own progress estimate.

    `actions` is H x A (A = joints + gripper). `progress` in [0, 1] is how far through
    the task the policy believes the robot is, or None when the policy gives no such
    signal (remote pi0 servers, for one).
    """

    actions: Float32Array
    progress: float | None = None

    @property
    def horizon(self) -> int:
        """Number of actions in the chunk."""
        return int(self.actions.shape[0])


class ChunkPolicy(Protocol):
    """Anything that turns a `PolicyInput` into an `ActionChunk`."""

    @property
    def source(self) -> str:
        """Where the policy comes from: a checkpoint directory or a server URL."""
        ...

    def infer(self, request: PolicyInput) -> ActionChunk:
        """Predict the next chunk of actions."""
        ...
