"""End-effector control of the Franka through its Jacobian, and motion primitives.

The scripted kitchen skills are built from these primitives.

Each tick: pose error -> desired twist (proportional, speed-capped) -> joint velocities
by damped least squares, plus a null-space pull toward a comfortable posture. Commands
go through `embodiment.apply`, so any wrapper (the action shield) sees every one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from embodiments.base import Command, Embodiment, FloatArray
from embodiments.franka_kitchen.env import FrankaKitchen
from skills.base import CancelToken, SkillResult, SkillStatus
from skills.errors import SkillIncompatibleError

GRIPPER_OPEN = 1.0
GRIPPER_CLOSED = 0.0
# A comfortable posture for the null-space pull: gymnasium's start pose with the
# shoulder (joint 2) moved off its lower limit, where the start pose sits.
POSTURE_Q = np.array([0.148, -1.3, 1.909, -2.456, 0.264, 0.718, 1.596])
LIMIT_MARGIN_RAD = 0.03


@dataclass(frozen=True, kw_only=True)
class ControlGains:
    """Gains and caps of the end-effector controller."""

    position_gain_per_s: float = 5.0
    rotation_gain_per_s: float = 4.0
    max_linear_speed_m_s: float = 0.25
    max_angular_speed_rad_s: float = 1.2
    damping: float = 0.05
    null_space_gain_per_s: float = 0.5
    integral_gain_per_s: float = 2.0  # removes the sag of a carried load
    max_integral_m: float = 0.04


def rotation_error(target: FloatArray, current: FloatArray) -> FloatArray:
    """Axis-angle vector (world frame) that rotates `current` onto `target`."""
    rel = target @ current.T
    angle = float(np.arccos(np.clip((np.trace(rel) - 1.0) / 2.0, -1.0, 1.0)))
    if angle < 1e-6:
        return np.zeros(3)
    axis = np.array([rel[2, 1] - rel[1, 2], rel[0, 2] - rel[2, 0], rel[1, 0] - rel[0, 1]])
    norm = float(np.linalg.norm(axis))
    if norm < 1e-9:  # 180 degrees: any perpendicular axis works
        axis = np.linalg.svd(rel - np.eye(3))[2][-1]
        norm = 1.0
    return axis / norm * angle


def rotation_about(axis: FloatArray, angle: float) -> FloatArray:
    """Rotation matrix of `angle` radians about a unit `axis` (Rodrigues)."""
    a = axis / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    rot: FloatArray = np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)
    return rot


def frame_from(approach: FloatArray, finger_axis: FloatArray) -> FloatArray:
    """Gripper rotation whose z points along `approach` and y along the finger axis."""
    z = approach / np.linalg.norm(approach)
    y = finger_axis - z * float(finger_axis @ z)
    y /= np.linalg.norm(y)
    return np.column_stack([np.cross(y, z), y, z])


@dataclass(frozen=True, slots=True)
class Pose:
    """A gripper pose target: position (m) and rotation matrix, world frame."""

    position: FloatArray
    rotation: FloatArray

    def offset_world(self, delta_m: FloatArray) -> Pose:
        """The same pose translated by a world-frame vector."""
        return Pose(self.position + delta_m, self.rotation)

    def offset(self, along_approach_m: float) -> Pose:
        """The same pose moved along the gripper's approach axis."""
        return Pose(self.position + self.rotation[:, 2] * along_approach_m, self.rotation)


@dataclass
class Motion:
    """Runs motion primitives on one kitchen for one skill, counting ticks and clamps."""

    embodiment: Embodiment
    cancel: CancelToken
    gains: ControlGains = field(default_factory=ControlGains)
    ticks: int = 0
    clamped_ticks: int = 0
    stopped_ticks: int = 0
    started_s: float = field(default_factory=time.monotonic)
    gripper: float = GRIPPER_OPEN
    posture: FloatArray = field(default_factory=POSTURE_Q.copy)
    integral: FloatArray = field(default_factory=lambda: np.zeros(3))

    @property
    def kitchen(self) -> FrankaKitchen:
        """The simulator below any wrappers (the scripted expert's privileged view)."""
        inner = self.embodiment.unwrapped
        if not isinstance(inner, FrankaKitchen):
            msg = f"scripted kitchen skills need the franka_kitchen embodiment, got {inner.name!r}"
            raise SkillIncompatibleError(msg)
        return inner

    def pose(self) -> Pose:
        """Current gripper pose."""
        k = self.kitchen
        return Pose(k.site_position("end_effector"), k.end_effector_rotation())

    def step(self, target: Pose, *, yaw_weight: float = 1.0) -> tuple[float, float]:
        """One control tick toward `target`; returns (position error m, rotation error rad).

        `yaw_weight` < 1 softens the rotation about the world's vertical: a gripper
        closed around a vertical handle may turn about it when the arm runs short of reach.
        """
        k, g = self.kitchen, self.gains
        now = self.pose()
        e_p = target.position - now.position
        dt = 1.0 / k.limits.control_rate_hz
        self.integral = _cap(self.integral + g.integral_gain_per_s * e_p * dt, g.max_integral_m)
        e_r = rotation_error(target.rotation, now.rotation)
        weights = np.array([1.0, 1.0, 1.0, 1.0, 1.0, yaw_weight])
        v = _cap(g.position_gain_per_s * (e_p + self.integral), g.max_linear_speed_m_s)
        w = _cap(g.rotation_gain_per_s * e_r, g.max_angular_speed_rad_s)
        q = k.proprio().joint_position_rad
        jac = k.end_effector_jacobian_full() * weights[:, None]
        self._send(self._solve(jac, np.concatenate([v, w]) * weights, q))
        return float(np.linalg.norm(e_p)), float(np.linalg.norm(e_r))

    def _solve(self, jac: FloatArray, twist: FloatArray, q: FloatArray) -> FloatArray:
        """Damped least squares with a null-space posture pull.

        Joints about to pass a limit are frozen and the rest re-solved, so the twist is
        met by the free joints.
        """
        g, lim = self.gains, self.kitchen.limits
        dt = 1.0 / lim.control_rate_hz
        low = lim.joint_position_min_rad + LIMIT_MARGIN_RAD
        high = lim.joint_position_max_rad - LIMIT_MARGIN_RAD
        free = np.ones(q.shape[0], dtype=bool)
        qdot = np.zeros_like(q)
        for _ in range(q.shape[0]):
            jf = jac[:, free]
            m = jf.shape[0]
            pinv = jf.T @ np.linalg.solve(jf @ jf.T + g.damping**2 * np.eye(m), np.eye(m))
            null = (np.eye(int(free.sum())) - pinv @ jf) @ (
                g.null_space_gain_per_s * (self.posture[free] - q[free])
            )
            qdot = np.zeros_like(q)
            qdot[free] = pinv @ twist + null
            nxt = q + qdot * dt
            bad = free & (((nxt < low) & (qdot < 0)) | ((nxt > high) & (qdot > 0)))
            if not bad.any():
                break
            free &= ~bad
        return qdot

    def move_to(
        self, target: Pose, *, tol_m: float = 0.006, tol_rad: float = 0.05, max_ticks: int = 60
    ) -> bool:
        """Servo until within tolerance or out of ticks; return whether it got there."""
        self.integral = np.zeros(3)
        for _ in range(max_ticks):
            pos_err, rot_err = self.step(target)
            if pos_err < tol_m and rot_err < tol_rad:
                return True
        return False

    def move_linear(
        self,
        target: Pose,
        *,
        speed_m_s: float = 0.08,
        tol_m: float = 0.004,
        tol_rad: float = 0.05,
        settle_ticks: int = 15,
    ) -> bool:
        """Move along the straight line to `target` at a steady speed, then settle on it.

        Servoing on a moving point of the line keeps sideways error small, which matters
        when fingers pass either side of a handle.
        """
        start = self.pose()
        self.integral = np.zeros(3)
        dt = 1.0 / self.kitchen.limits.control_rate_hz
        length = float(np.linalg.norm(target.position - start.position))
        n = max(1, int(np.ceil(length / (speed_m_s * dt))))
        for i in range(1, n + 1):
            point = start.position + (target.position - start.position) * (i / n)
            self.step(Pose(point, target.rotation))
        return self.move_to(target, tol_m=tol_m, tol_rad=tol_rad, max_ticks=settle_ticks)

    def move_joints(
        self,
        goal: FloatArray,
        *,
        tol_rad: float = 0.02,
        max_ticks: int = 80,
        max_speed_rad_s: float | None = None,
    ) -> bool:
        """Move in joint space to `goal` (speed-capped); return whether it arrived."""
        k = self.kitchen
        dt = 1.0 / k.limits.control_rate_hz
        cap = 0.8 * k.limits.joint_velocity_max_rad_s
        if max_speed_rad_s is not None:
            cap = np.minimum(cap, max_speed_rad_s)
        for _ in range(max_ticks):
            err = goal - k.proprio().joint_position_rad
            if float(np.max(np.abs(err))) < tol_rad:
                return True
            scale = max(1.0, float(np.max(np.abs(err) / (cap * dt * 2.0))))
            self._send(err / (2.0 * dt) / scale)
        return False

    def track(self, path: list[FloatArray], *, max_speed_rad_s: float = 0.6) -> None:
        """Follow a joint path point by point, no joint faster than `max_speed_rad_s`."""
        k = self.kitchen
        dt = 1.0 / k.limits.control_rate_hz
        previous = k.proprio().joint_position_rad
        for goal in path:
            jump = float(np.max(np.abs(goal - previous)))
            ticks = max(2, int(np.ceil(jump / (max_speed_rad_s * dt))))
            previous = goal
            for i in range(ticks):
                err = goal - k.proprio().joint_position_rad
                self._send(err / dt / (ticks - i))

    def _send(self, joint_velocity_rad_s: FloatArray) -> None:
        """Send one tick's command (unless cancelled) and count what the embodiment did."""
        if self.cancel.cancelled:
            raise Cancelled
        applied = self.embodiment.apply(Command(joint_velocity_rad_s, self.gripper))
        self.ticks += 1
        self.clamped_ticks += int(applied.was_clamped)
        self.stopped_ticks += int(applied.stopped)

    def grip(self, opening: float, ticks: int = 4) -> None:
        """Open or close the gripper while holding the current pose."""
        self.gripper = opening
        hold = self.pose()
        for _ in range(ticks):
            self.step(hold)

    def result(self, ok: bool, message: str) -> SkillResult:
        """A SkillResult with this motion's counters."""
        return self._result(SkillStatus.SUCCEEDED if ok else SkillStatus.FAILED, message)

    def cancelled_result(self) -> SkillResult:
        """The result of a run stopped by its cancel token; halts the arm first."""
        self.embodiment.stop()
        return self._result(SkillStatus.CANCELLED, self.cancel.reason or "cancelled")

    def _result(self, status: SkillStatus, message: str) -> SkillResult:
        return SkillResult(
            status=status,
            message=message,
            ticks=self.ticks,
            duration_s=time.monotonic() - self.started_s,
            clamped_ticks=self.clamped_ticks,
            stopped_ticks=self.stopped_ticks,
        )


class Cancelled(Exception):  # noqa: N818 - internal control-flow signal, never escapes
    """Raised inside a primitive when the cancel token fires."""


def _cap(vec: FloatArray, limit: float) -> FloatArray:
    norm = float(np.linalg.norm(vec))
    return vec if norm <= limit else vec * (limit / norm)
