"""The action shield: every low-level command passes limits before it reaches the robot.

`ActionShield` wraps an embodiment (Gymnasium style) and changes one thing: what
`apply` may send. In order, it
1. holds the arm still while the e-stop is latched (`estop()` until `reset_estop()`),
2. holds it (protective stop) while a person is closer than the minimum distance, or
   when the person sensor fails or reports a distance that is not a number,
3. clamps joint velocities to the embodiment's limits and keeps joints inside their
   position limits for the next tick,
4. keeps the end effector inside the workspace box for the next tick, and
5. caps the end-effector speed at `reduced_speed_m_s` (250 mm/s, the ISO 10218-1 reduced
   speed) while a person is within `reduced_speed_distance_m`.
Speeds come from the end-effector Jacobian (`SupportsKinematics`), scaling the joint
velocities uniformly so the direction of motion is kept. Without a Jacobian the shield
cannot bound Cartesian speed, so a person within the reduced-speed distance stops the arm.

Every call returns what was requested, what was sent and what was clamped; every clamp
and stop is logged as a structlog event (`shield.clamp`, `shield.stop`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import structlog

from embodiments.base import (
    AppliedCommand,
    Command,
    Embodiment,
    EmbodimentWrapper,
    FloatArray,
    Observation,
    SupportsKinematics,
    SupportsProprio,
)
from safety.errors import ShieldConfigError

PersonDistance = Callable[[], float | None]
"""Returns the distance in metres from the robot to the nearest person, None if nobody."""

log = structlog.get_logger("steward.safety.shield")


@dataclass(frozen=True, kw_only=True)
class ShieldConfig:
    """Speed and separation settings; distances from the robot to the nearest person."""

    reduced_speed_m_s: float = 0.25
    reduced_speed_distance_m: float = 1.0
    protective_stop_distance_m: float = 0.3

    def __post_init__(self) -> None:
        for name in ("reduced_speed_m_s", "reduced_speed_distance_m", "protective_stop_distance_m"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                msg = f"ShieldConfig.{name} must be a positive number, got {value!r}"
                raise ShieldConfigError(msg)
        if self.protective_stop_distance_m >= self.reduced_speed_distance_m:
            msg = (
                "ShieldConfig.protective_stop_distance_m "
                f"({self.protective_stop_distance_m}) must be below reduced_speed_distance_m "
                f"({self.reduced_speed_distance_m})"
            )
            raise ShieldConfigError(msg)


def no_person() -> float | None:
    """A person-distance source for setups with nobody around (tests, empty cells)."""
    return None


class ActionShield(EmbodimentWrapper):
    """Limits every command; e-stop and protective stop hold the arm where it is."""

    def __init__(
        self,
        inner: Embodiment,
        *,
        person_distance_m: PersonDistance,
        config: ShieldConfig | None = None,
    ) -> None:
        super().__init__(inner)
        self.config = config or ShieldConfig()
        self._person = person_distance_m
        self._estop_reason: str | None = None
        self._q: FloatArray | None = None
        self._ee: FloatArray | None = None
        self._gripper: float | None = None

    # -- e-stop -----------------------------------------------------------------------

    @property
    def estopped(self) -> bool:
        """Whether the e-stop is latched."""
        return self._estop_reason is not None

    def estop(self, reason: str = "e-stop pressed") -> None:
        """Halt now and hold until `reset_estop()`; calling it again changes nothing."""
        if self._estop_reason is None:
            self._estop_reason = reason
            log.warning("shield.stop", cause="estop", reason=reason, embodiment=self.name)
        self.inner.stop()

    @property
    def gripper_command(self) -> float:
        """The gripper command last sent (1.0, open, before any): what a hold keeps."""
        return 1.0 if self._gripper is None else self._gripper

    def reset_estop(self) -> None:
        """Release the e-stop latch; motion resumes with the next command."""
        if self._estop_reason is not None:
            log.info("shield.estop_reset", embodiment=self.name, was=self._estop_reason)
        self._estop_reason = None

    # -- forwarded calls that refresh the shield's estimate of the arm ------------------

    def reset(self, seed: int | None = None) -> Observation:
        """Reset the embodiment and take the arm state from the first observation."""
        return self._track(self.inner.reset(seed))

    def observe(self) -> Observation:
        """Observe and refresh the arm state the limits are computed from."""
        return self._track(self.inner.observe())

    def _sense(self) -> None:
        """Read the joints afresh when the embodiment can do so cheaply (else dead-reckon)."""
        for candidate in (self.inner, self.inner.unwrapped):
            if isinstance(candidate, SupportsProprio):
                proprio = candidate.proprio()
                self._q = np.asarray(proprio.joint_position_rad, dtype=np.float64).copy()
                self._ee = np.asarray(proprio.end_effector_position_m, dtype=np.float64).copy()
                return

    def _track(self, obs: Observation) -> Observation:
        self._q = np.asarray(obs.proprio.joint_position_rad, dtype=np.float64).copy()
        self._ee = np.asarray(obs.proprio.end_effector_position_m, dtype=np.float64).copy()
        return obs

    # -- the shield ---------------------------------------------------------------------

    def apply(self, command: Command) -> AppliedCommand:
        """Send the command within every limit, or hold the arm; report what changed."""
        self._sense()
        distance = self._distance()
        cause = self._stop_cause(distance)
        if cause is not None:
            return self._hold(command, cause, distance)
        velocity, clamped, scale = self._limit(command, distance)
        gripper = self._clamp_gripper(command.gripper)
        if gripper != command.gripper:
            clamped.append("gripper")
        applied = self.inner.apply(Command(velocity, gripper))
        self._advance(applied.sent)
        names = tuple(dict.fromkeys([*clamped, *applied.clamped]))
        if names:  # per tick, so debug; the agent logs each step's clamp count
            log.debug(
                "shield.clamp",
                clamped=list(names),
                scale=round(scale, 4),
                person_distance_m=distance,
                embodiment=self.name,
            )
        return AppliedCommand(command, applied.sent, names, applied.stopped)

    def _distance(self) -> float | None:
        try:
            value = self._person()
        except Exception as exc:  # noqa: BLE001 - a failing person sensor must stop the arm, not crash the loop
            log.error("shield.person_sensor_failed", error=repr(exc), embodiment=self.name)
            return math.nan
        return None if value is None else float(value)

    def _kinematics(self) -> SupportsKinematics | None:
        for candidate in (self.inner, self.inner.unwrapped):
            if isinstance(candidate, SupportsKinematics):
                return candidate
        return None

    def _stop_cause(self, distance: float | None) -> str | None:
        if self._estop_reason is not None:
            return "estop"
        if distance is None:
            return None
        if math.isnan(distance):
            return "person_distance_unknown"
        if distance < self.config.protective_stop_distance_m:
            return "protective_stop"
        near = distance < self.config.reduced_speed_distance_m
        if near and self._kinematics() is None:
            return "no_kinematics_near_person"
        return None

    def _hold(self, command: Command, cause: str, distance: float | None) -> AppliedCommand:
        self.inner.stop()
        n = self.limits.n_joints
        grip = self._gripper if self._gripper is not None else self._clamp_gripper(command.gripper)
        applied = self.inner.apply(Command.hold(n, grip))
        self._advance(applied.sent)
        requested = np.asarray(command.joint_velocity_rad_s, dtype=np.float64)
        clamped = [] if np.array_equal(requested, np.zeros(n)) else ["joint_velocity_rad_s"]
        if grip != command.gripper:
            clamped.append("gripper")
        log.warning("shield.stop", cause=cause, person_distance_m=distance, embodiment=self.name)
        return AppliedCommand(command, applied.sent, tuple(clamped), stopped=True)

    @staticmethod
    def _clamp_gripper(value: float) -> float:
        return float(np.clip(value, 0.0, 1.0)) if math.isfinite(value) else 1.0

    def _arm_state(self) -> tuple[FloatArray, FloatArray]:
        if self._q is None or self._ee is None:
            self.observe()
        if self._q is None or self._ee is None:
            msg = "the embodiment's observation carries no joint or end-effector position"
            raise RuntimeError(msg)
        return self._q, self._ee

    def _limit(
        self, command: Command, distance: float | None
    ) -> tuple[FloatArray, list[str], float]:
        lim = self.limits
        clamped: list[str] = []
        v = np.asarray(command.joint_velocity_rad_s, dtype=np.float64)
        if v.shape != (lim.n_joints,) or not np.all(np.isfinite(v)):
            clamped.append("joint_velocity_rad_s:invalid")
            v = np.zeros(lim.n_joints)
        limited = np.clip(v, -lim.joint_velocity_max_rad_s, lim.joint_velocity_max_rad_s)
        clamped += [f"joint_velocity_rad_s[{i}]" for i in np.flatnonzero(limited != v)]
        q, ee = self._arm_state()
        dt = 1.0 / lim.control_rate_hz
        upper = np.maximum((lim.joint_position_max_rad - q) / dt, 0.0)
        lower = np.minimum((lim.joint_position_min_rad - q) / dt, 0.0)
        bounded = np.clip(limited, lower, upper)
        clamped += [f"joint_position_rad[{i}]" for i in np.flatnonzero(bounded != limited)]
        kin = self._kinematics()
        if kin is None:
            return bounded, clamped, 1.0
        jacobian = np.asarray(kin.end_effector_jacobian(), dtype=np.float64)
        scale = self._workspace_scale(jacobian @ bounded, ee, dt)
        if scale < 1.0:
            clamped.append("workspace")
        near = distance is not None and distance < self.config.reduced_speed_distance_m
        speed = float(np.linalg.norm(jacobian @ bounded)) * scale
        if near and speed > self.config.reduced_speed_m_s:
            scale *= self.config.reduced_speed_m_s / speed
            clamped.append("end_effector_speed")
        return bounded * scale, clamped, scale

    def _workspace_scale(self, ee_velocity: FloatArray, ee: FloatArray, dt: float) -> float:
        lim = self.limits
        scale = 1.0
        for axis in range(3):
            rate = float(ee_velocity[axis])
            if rate > 0:
                room = (lim.workspace_max_m[axis] - float(ee[axis])) / dt
            elif rate < 0:
                room = (lim.workspace_min_m[axis] - float(ee[axis])) / dt
            else:
                continue
            scale = min(scale, max(room / rate, 0.0))
        return scale

    def _advance(self, sent: Command) -> None:
        # Dead-reckon between observations; the next observe() corrects any drift.
        self._gripper = float(sent.gripper)
        if self._q is None or self._ee is None:
            return
        dt = 1.0 / self.limits.control_rate_hz
        velocity = np.asarray(sent.joint_velocity_rad_s, dtype=np.float64)
        kin = self._kinematics()
        if kin is not None:
            self._ee = self._ee + np.asarray(kin.end_effector_jacobian()) @ velocity * dt
        self._q = self._q + velocity * dt
