"""The embodiment interface: one robot or simulator behind five calls.

Modelled on Gymnasium's reset/step contract and LeRobot's `send_action`, which returns
the action actually sent after safety clipping. Every embodiment passes the contract
suite in `tests/embodiments/test_contract.py`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from embodiments.scene import SceneTruth

Frame = NDArray[np.uint8]
"""One camera image, H x W x 3, RGB, uint8."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Proprioception:
    """What the robot knows about its own body."""

    joint_position_rad: FloatArray
    joint_velocity_rad_s: FloatArray
    gripper_opening_m: float
    end_effector_position_m: FloatArray


@dataclass(frozen=True, slots=True)
class Observation:
    """Named camera frames, proprioception and the embodiment's clock."""

    frames: Mapping[str, Frame]
    proprio: Proprioception
    time_s: float


@dataclass(frozen=True, slots=True)
class Command:
    """One low-level command for one control tick.

    `joint_velocity_rad_s` has one entry per arm joint. `gripper` is a target opening
    in [0, 1] (0 closed, 1 fully open).
    """

    joint_velocity_rad_s: FloatArray
    gripper: float

    @classmethod
    def hold(cls, n_joints: int, gripper: float) -> Command:
        """A command that keeps the arm where it is."""
        return cls(np.zeros(n_joints), gripper)


@dataclass(frozen=True, slots=True)
class AppliedCommand:
    """What was asked for, what was sent to the actuators, and what was clamped on the way."""

    requested: Command
    sent: Command
    clamped: tuple[str, ...] = ()
    stopped: bool = False

    @property
    def was_clamped(self) -> bool:
        """Whether any field of the request was changed before sending."""
        return bool(self.clamped)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """The embodiment's physical limits, used by skills and by the action shield."""

    joint_position_min_rad: FloatArray
    joint_position_max_rad: FloatArray
    joint_velocity_max_rad_s: FloatArray
    workspace_min_m: tuple[float, float, float]
    workspace_max_m: tuple[float, float, float]
    control_rate_hz: float
    camera_names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_joints(self) -> int:
        """Number of arm joints a command addresses."""
        return int(self.joint_velocity_max_rad_s.shape[0])


class Embodiment(ABC):
    """A robot or simulator: reset, observe, apply one command, stop.

    `apply` advances exactly one control tick and never raises for an out-of-range
    command: it clamps and reports what it clamped. `stop` halts motion within one
    tick and is idempotent. `scene_truth` is for evaluation and data labelling only;
    the agent never reads it to decide anything.
    """

    name: str

    @property
    @abstractmethod
    def limits(self) -> Limits:
        """Joint, speed and workspace limits and the control rate."""

    @abstractmethod
    def reset(self, seed: int | None = None) -> Observation:
        """Start a new episode; the same seed gives the same start state."""

    @abstractmethod
    def observe(self) -> Observation:
        """Current camera frames and proprioception."""

    @abstractmethod
    def apply(self, command: Command) -> AppliedCommand:
        """Send one command for one control tick; return what was really sent."""

    @abstractmethod
    def stop(self) -> None:
        """Halt all motion now (hold position). Safe to call any number of times."""

    @abstractmethod
    def scene_truth(self) -> SceneTruth:
        """The simulator's ground truth. Evaluation and labelling only."""

    def close(self) -> None:  # noqa: B027 - optional hook; most embodiments hold nothing
        """Release resources (renderers, connections)."""

    @property
    def unwrapped(self) -> Embodiment:
        """The innermost embodiment below any wrappers."""
        return self


@dataclass(frozen=True, slots=True)
class SceneEvent:
    """A perturbation injected mid-episode, e.g. `close(microwave)` or `place_person(stove)`.

    `kind` names the event; `target` the entity it acts on; `value` an optional amount.
    """

    kind: str
    target: str = ""
    value: float | None = None


@runtime_checkable
class SupportsEvents(Protocol):
    """Embodiments that can be perturbed mid-episode, for replanning and safety tests."""

    def event_kinds(self) -> tuple[str, ...]:
        """The event kinds this embodiment understands."""
        ...

    def inject(self, event: SceneEvent) -> None:
        """Apply the event now; raise EmbodimentConfigError for an unknown kind or target."""
        ...


@runtime_checkable
class SupportsKinematics(Protocol):
    """Embodiments that expose their end-effector Jacobian (for speed limits, EE control)."""

    def end_effector_jacobian(self) -> FloatArray:
        """The 3 x n_joints linear-velocity Jacobian of the end effector, world frame."""
        ...


@runtime_checkable
class SupportsProprio(Protocol):
    """Embodiments that read joint state without rendering cameras (cheap, every tick)."""

    def proprio(self) -> Proprioception:
        """Current joint state, gripper opening and end-effector position."""
        ...


@runtime_checkable
class SupportsPresence(Protocol):
    """Embodiments with a presence sensor (a safety laser scanner, a light curtain).

    Cameras aimed at the work area may not see someone standing beside the robot; cells
    that share space with people carry a safety-rated sensor for that, and this is it.
    """

    def person_distance_m(self) -> float | None:
        """Metres from the robot's end effector to the nearest person; None if nobody."""
        ...

    def person_distance_from_m(self, obj: str) -> float | None:
        """Metres from `obj`, a fixture on the map, to the nearest person.

        None if nobody is sensed or `obj` (a burner, a door) is not on the robot's map.
        """
        ...


@runtime_checkable
class SupportsRender(Protocol):
    """Embodiments that render one named camera on its own (cheaper than `observe()`)."""

    def render(self, camera: str) -> Frame:
        """One RGB frame from the named camera."""
        ...


@runtime_checkable
class SupportsSnapshot(Protocol):
    """Simulators whose whole state can be saved and restored (for durable, resumable runs).

    A real robot's world persists on its own when the agent process dies; a simulator's
    does not, so a resumed run restores the snapshot taken at its last checkpoint.
    """

    def snapshot(self) -> bytes:
        """The full simulation state as opaque bytes."""
        ...

    def restore(self, snapshot: bytes) -> None:
        """Put the simulation back in a state returned by `snapshot`."""
        ...


class EmbodimentWrapper(Embodiment):
    """Changes one thing about an embodiment and forwards the rest (Gymnasium style)."""

    def __init__(self, inner: Embodiment) -> None:
        self.inner = inner
        self.name = inner.name

    @property
    def limits(self) -> Limits:
        """Forwarded."""
        return self.inner.limits

    def reset(self, seed: int | None = None) -> Observation:
        """Forwarded."""
        return self.inner.reset(seed)

    def observe(self) -> Observation:
        """Forwarded."""
        return self.inner.observe()

    def apply(self, command: Command) -> AppliedCommand:
        """Forwarded."""
        return self.inner.apply(command)

    def stop(self) -> None:
        """Forwarded."""
        self.inner.stop()

    def scene_truth(self) -> SceneTruth:
        """Forwarded."""
        return self.inner.scene_truth()

    def close(self) -> None:
        """Forwarded."""
        self.inner.close()

    @property
    def unwrapped(self) -> Embodiment:
        """The innermost embodiment."""
        return self.inner.unwrapped
