"""Scripted expert backends for the kitchen skills (end-effector control, no state writes).

They are privileged experts: they read the simulator's fixture geometry (handle sites,
joint anchors, the kettle's pose), which a real robot would not have. That is why they
serve as demonstrators for learned skills and never ship for real hardware. Motion
itself only ever goes through `Embodiment.apply` with joint velocities.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import BaseModel

from embodiments.base import Embodiment, FloatArray
from embodiments.franka_kitchen.env import FrankaKitchen
from embodiments.franka_kitchen.layout import BURNER_XY, KETTLE_REST_Z
from skills.base import CancelToken, Skill, SkillResult, SkillSpec
from skills.kitchen import specs
from skills.kitchen.control import (
    GRIPPER_CLOSED,
    GRIPPER_OPEN,
    Cancelled,
    Motion,
    Pose,
    cancelled_result,
    frame_from,
)
from skills.kitchen.fixtures import ARTICULATIONS, Articulation
from skills.kitchen.ik import solve_ik
from skills.registry import register_skill

PREGRASP_M = 0.12
RETREAT_M = 0.10
JOINT_TOLERANCE = 0.04
CARRY_LIFT_M = 0.10
GRASP_TOLERANCE_M = 0.015
HALF_TURN = np.diag([-1.0, -1.0, 1.0])


class _KitchenSkill(Skill):
    """Shared run loop: build a Motion, run the skill's script, turn cancels into results."""

    backend: ClassVar[str] = "scripted"

    def supports(self, embodiment: Embodiment) -> bool:
        """Only the simulated kitchen: the expert reads its privileged geometry."""
        return isinstance(embodiment.unwrapped, FrankaKitchen)

    def run(
        self, embodiment: Embodiment, arguments: BaseModel, *, cancel: CancelToken | None = None
    ) -> SkillResult:
        """Validate arguments, then run the script closed-loop."""
        args = self.spec.validate_arguments(arguments)
        motion = Motion(embodiment, cancel or CancelToken())
        _ = motion.kitchen  # raises SkillIncompatibleError before anything moves
        if motion.cancel.cancelled:
            return cancelled_result(motion)
        try:
            ok, message = self.script(motion, args)
        except Cancelled:
            return cancelled_result(motion)
        return motion.result(ok, message)

    def script(self, motion: Motion, args: BaseModel) -> tuple[bool, str]:
        """The skill's motion; returns (believed success, message)."""
        raise NotImplementedError


def approach(motion: Motion, grasp: Pose) -> Pose | None:
    """Back out, move in joint space to an IK solution of the pre-grasp, then onto the grasp.

    A two-finger grasp is symmetric under a half turn about the approach axis, so both
    versions are solved and the one nearer the current arm posture is used. Returns the
    grasp pose actually used, or None when it could not be reached.
    """
    kitchen = motion.kitchen
    motion.move_to(motion.pose().offset(-0.06), tol_m=0.02, tol_rad=3.2, max_ticks=8)
    q_now = kitchen.proprio().joint_position_rad
    best: tuple[float, Pose, FloatArray, FloatArray] | None = None
    for candidate in (grasp, Pose(grasp.position, grasp.rotation @ HALF_TURN)):
        q_pre = solve_ik(kitchen, candidate.offset(-PREGRASP_M), q_now)
        q_grasp = None if q_pre is None else solve_ik(kitchen, candidate, q_pre)
        if q_pre is not None and q_grasp is not None:
            cost = float(np.linalg.norm(q_pre - q_now))
            if best is None or cost < best[0]:
                best = (cost, candidate, q_pre, q_grasp)
    if best is None:
        return None
    _, chosen, q_pre, q_grasp = best
    motion.posture = q_grasp
    motion.move_joints(q_pre)
    motion.move_to(chosen.offset(-PREGRASP_M), tol_m=0.01, tol_rad=0.05, max_ticks=30)
    motion.move_to(chosen, tol_m=0.004, tol_rad=0.05, max_ticks=30)
    # Contact with the handle can hold the fingertips a few millimetres short.
    error = float(np.linalg.norm(motion.pose().position - chosen.position))
    return chosen if error < GRASP_TOLERANCE_M else None


def release(motion: Motion) -> None:
    """Open the gripper and back away along the approach axis."""
    motion.grip(GRIPPER_OPEN)
    motion.move_to(motion.pose().offset(-RETREAT_M), tol_m=0.02, tol_rad=0.2, max_ticks=20)


def actuate(motion: Motion, art: Articulation, target: float) -> tuple[bool, str]:
    """Grasp a fixture's handle and carry it along its joint to `target`."""
    kitchen = motion.kitchen
    anchor, axis, q0 = kitchen.joint_frame(art.joint)
    if abs(q0 - target) < JOINT_TOLERANCE:
        return True, f"{art.entity} already there"
    grasp = Pose(kitchen.site_position(art.site), art.grasp_rotation(axis, q0)).offset(art.depth_m)
    motion.gripper = GRIPPER_OPEN
    chosen = approach(motion, grasp)
    if chosen is None:
        release(motion)
        return False, f"could not reach the {art.entity} handle"
    grasp = chosen
    motion.grip(GRIPPER_CLOSED)
    dt = 1.0 / kitchen.limits.control_rate_hz
    ref, q = q0, q0
    for _ in range(int(abs(target - q0) / (art.speed * dt)) + 30):
        ref += float(np.clip(target - ref, -art.speed * dt, art.speed * dt))
        motion.step(art.moved(grasp, anchor, axis, ref - q0))
        q = kitchen.joint_frame(art.joint)[2]
        if ref == target and abs(q - target) < JOINT_TOLERANCE:
            break
    release(motion)
    q = kitchen.joint_frame(art.joint)[2]
    ok = abs(q - target) < 2 * JOINT_TOLERANCE
    return ok, f"{art.entity} joint at {q:.2f} (target {target:.2f})"


class _Articulated(_KitchenSkill):
    activate: ClassVar[bool]

    def script(self, motion: Motion, args: BaseModel) -> tuple[bool, str]:
        art = ARTICULATIONS[str(args.model_dump()["target"])]
        return actuate(motion, art, art.active_target if self.activate else art.inactive_target)


@register_skill
class OpenScripted(_Articulated):
    """Open the microwave, slide cabinet or hinge cabinet by pulling its handle."""

    spec: ClassVar[SkillSpec] = specs.OPEN
    activate = True


@register_skill
class CloseScripted(_Articulated):
    """Close a door by pushing its handle back along the hinge or slide."""

    spec: ClassVar[SkillSpec] = specs.CLOSE
    activate = False


@register_skill
class TurnOnScripted(_Articulated):
    """Twist a burner knob on, or push the light switch on."""

    spec: ClassVar[SkillSpec] = specs.TURN_ON
    activate = True


@register_skill
class TurnOffScripted(_Articulated):
    """Twist a burner knob off, or push the light switch off."""

    spec: ClassVar[SkillSpec] = specs.TURN_OFF
    activate = False


def _kettle_yaw(kitchen: FrankaKitchen) -> float:
    w, _, _, z = kitchen.scene_truth().object_poses["kettle"].quaternion_wxyz
    return float(2.0 * np.arctan2(z, w))


@register_skill
class PickScripted(_KitchenSkill):
    """Grasp the kettle's handle from above and lift it."""

    spec: ClassVar[SkillSpec] = specs.PICK

    def script(self, motion: Motion, _args: BaseModel) -> tuple[bool, str]:
        """Grasp from the front, close, lift, and check the kettle came along."""
        kitchen = motion.kitchen
        yaw = _kettle_yaw(kitchen)
        # From the front, level, fingers above and below the handle bar.
        toward = np.array([-np.sin(yaw), np.cos(yaw), 0.0])
        rotation = frame_from(toward, np.array([0.0, 0.0, 1.0]))
        motion.gripper = GRIPPER_OPEN
        chosen = approach(motion, Pose(kitchen.site_position("kettle_site"), rotation))
        if chosen is None:
            release(motion)
            return False, "could not reach the kettle handle"
        grasp, rotation = chosen, chosen.rotation
        motion.grip(GRIPPER_CLOSED)
        lift = Pose(grasp.position + np.array([0.0, 0.0, CARRY_LIFT_M]), rotation)
        motion.move_to(lift, tol_m=0.01, max_ticks=40)
        held = kitchen.scene_truth().holds("holding(kettle)")
        return held, "kettle lifted" if held else "the kettle is not in the gripper"


@register_skill
class PlaceScripted(_KitchenSkill):
    """Carry the held kettle over a burner, lower it until it rests, let go."""

    spec: ClassVar[SkillSpec] = specs.PLACE

    def script(self, motion: Motion, args: BaseModel) -> tuple[bool, str]:
        """Carry over the burner, lower, release, and check it rests there."""
        kitchen = motion.kitchen
        burner = str(args.model_dump()["destination"])
        now = motion.pose()
        kettle_xyz = np.array(kitchen.scene_truth().object_poses["kettle"].position_m)
        hand_to_kettle = kettle_xyz - now.position
        bx, by = BURNER_XY[burner]
        carry_z = max(now.position[2], KETTLE_REST_Z - hand_to_kettle[2] + CARRY_LIFT_M)
        above = np.array([bx - hand_to_kettle[0], by - hand_to_kettle[1], carry_z])
        if not motion.move_to(Pose(above, now.rotation), tol_m=0.01, max_ticks=80):
            return False, f"could not carry the kettle over {burner}"
        down = above.copy()
        down[2] = KETTLE_REST_Z - hand_to_kettle[2] + 0.005
        motion.move_to(Pose(down, now.rotation), tol_m=0.006, max_ticks=40)
        release(motion)
        on = kitchen.scene_truth().holds(f"on(kettle, {burner})")
        return on, f"kettle on {burner}" if on else f"the kettle did not end up on {burner}"
