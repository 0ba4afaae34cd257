"""Scripted expert backends for the kitchen skills (end-effector control, no state writes).

They are privileged experts: they read the simulator's fixture geometry (handle sites,
joint anchors, the kettle's pose), which a real robot would not have. That is why they
serve as demonstrators for learned skills and never ship for real hardware. Motion
itself only ever goes through `Embodiment.apply` with joint velocities.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    POSTURE_Q,
    Cancelled,
    Motion,
    Pose,
    cancelled_result,
    frame_from,
    rotation_about,
)
from skills.kitchen.fixtures import ARTICULATIONS, PADS_ON_HANDLE_M, Articulation
from skills.kitchen.ik import cartesian_path, joint_path_clear, line_clear, solve_ik
from skills.registry import register_skill

PREGRASP_M = 0.12
RETREAT_M = 0.10
JOINT_TOLERANCE = 0.04
CARRY_LIFT_M = 0.10
GRASP_TOLERANCE_M = 0.015
CARRY_TOLERANCE_M = 0.02
CENTRING_ROUNDS = 3
VIA_SAMPLES = 40
VIA_SPREAD_RAD = 0.6
SWING_STEP_RAD = 0.03  # per tick pair: about 0.2 rad/s, gentle on a hanging kettle
TRANSIT_XY = (0.0, 0.5)  # above the middle of the stove, where the arm has room
HALF_TURN = np.diag([-1.0, -1.0, 1.0])
YAW_OFFSETS_RAD = (0.0, 0.4, -0.4, 0.8, -0.8)
CARRY_YAWS_RAD = (0.0, 0.4, -0.4, 0.8, -0.8, 1.2, -1.2, 1.6, -1.6)
PUSH_STANDOFF_M = 0.075  # fingertips (site + 5 cm) just behind a 2 cm handle
SOFT_YAW = 0.0  # a closed grasp on a vertical bar may turn about it freely


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


def grasp_candidates(grasp: Pose, *, vertical_handle: bool) -> list[Pose]:
    """Equivalent grasps, preferred first.

    A two-finger grasp is symmetric under a half turn about the approach axis. Around a
    vertical bar the approach may also come in at an angle (turned about the vertical).
    """
    yaws = YAW_OFFSETS_RAD if vertical_handle else (0.0,)
    out = []
    for yaw in yaws:
        rot = rotation_about(np.array([0.0, 0.0, 1.0]), yaw) @ grasp.rotation
        out += [Pose(grasp.position, rot), Pose(grasp.position, rot @ HALF_TURN)]
    return out


@dataclass(frozen=True, slots=True)
class ApproachPlan:
    """A reachable grasp and the collision-free joint waypoints that lead to it."""

    grasp: Pose
    waypoints: tuple[FloatArray, ...]  # joint configurations, the last one at the pre-grasp
    posture: FloatArray  # the joint configuration at the grasp


def _joint_route(
    kitchen: FrankaKitchen, q_now: FloatArray, q_pre: FloatArray
) -> tuple[FloatArray, ...] | None:
    """Joint waypoints to the pre-grasp that avoid the kitchen.

    Straight there if that is clear, else through one intermediate posture: the home
    posture, or a random one near the midpoint (a one-waypoint sampling planner).
    """
    if joint_path_clear(kitchen, q_now, q_pre):
        return (q_pre,)
    lim = kitchen.limits
    rng = np.random.default_rng(0)
    middle = (q_now + q_pre) / 2.0
    vias = [POSTURE_Q] + [
        np.clip(
            middle + rng.normal(0.0, VIA_SPREAD_RAD, q_now.shape),
            lim.joint_position_min_rad + 0.05,
            lim.joint_position_max_rad - 0.05,
        )
        for _ in range(VIA_SAMPLES)
    ]
    for via in vias:
        if joint_path_clear(kitchen, q_now, via) and joint_path_clear(kitchen, via, q_pre):
            return (via, q_pre)
    return None


def _plan_approach(motion: Motion, candidates: list[Pose]) -> ApproachPlan | None:
    """The first pair of equally preferred candidates that can be reached without contact."""
    kitchen = motion.kitchen
    q_now = kitchen.proprio().joint_position_rad
    for i in range(0, len(candidates), 2):
        best: tuple[float, ApproachPlan] | None = None
        for candidate in candidates[i : i + 2]:
            pre = candidate.offset(-PREGRASP_M)
            q_pre = solve_ik(kitchen, pre, q_now)
            q_grasp = None if q_pre is None else solve_ik(kitchen, candidate, q_pre)
            if q_pre is None or q_grasp is None or not line_clear(kitchen, pre, candidate, q_pre):
                continue
            route = _joint_route(kitchen, q_now, q_pre)
            if route is None:
                continue
            cost = float(np.linalg.norm(q_pre - q_now)) + 10.0 * (len(route) - 1)
            if best is None or cost < best[0]:
                best = (cost, ApproachPlan(candidate, route, q_grasp))
        if best is not None:
            return best[1]
    return None


def approach(motion: Motion, grasp: Pose, *, vertical_handle: bool = False) -> Pose | None:
    """Back out, move in joint space to an IK solution of the pre-grasp, then onto the grasp.

    Returns the grasp pose actually used, or None when it could not be reached.
    """
    motion.move_to(motion.pose().offset(-0.06), tol_m=0.02, tol_rad=3.2, max_ticks=8)
    plan = _plan_approach(motion, grasp_candidates(grasp, vertical_handle=vertical_handle))
    if plan is None:
        return None
    motion.posture = plan.posture
    for waypoint in plan.waypoints:
        motion.move_joints(waypoint)
    motion.move_to(plan.grasp.offset(-PREGRASP_M), tol_m=0.003, tol_rad=0.03, max_ticks=40)
    motion.move_linear(plan.grasp)
    # Contact with the handle can hold the fingertips a few millimetres short.
    error = float(np.linalg.norm(motion.pose().position - plan.grasp.position))
    return plan.grasp if error < GRASP_TOLERANCE_M else None


def release(motion: Motion) -> None:
    """Open the gripper and back away along the approach axis."""
    motion.grip(GRIPPER_OPEN)
    motion.move_to(motion.pose().offset(-RETREAT_M), tol_m=0.02, tol_rad=0.2, max_ticks=20)


def follow(motion: Motion, art: Articulation, grasp: Pose, target: float) -> None:
    """Carry the grasp along the joint's motion, the reference moving at `art.speed`."""
    kitchen = motion.kitchen
    anchor, axis, q0 = kitchen.joint_frame(art.joint)
    dt = 1.0 / kitchen.limits.control_rate_hz
    yaw_weight = SOFT_YAW if art.vertical_handle else 1.0
    ref = q0
    for _ in range(int(abs(target - q0) / (art.speed * dt)) + 30):
        ref += float(np.clip(target - ref, -art.speed * dt, art.speed * dt))
        motion.step(art.moved(grasp, anchor, axis, ref - q0), yaw_weight=yaw_weight)
        q = kitchen.joint_frame(art.joint)[2]
        if ref == target and abs(q - target) < JOINT_TOLERANCE:
            return


def push_shut(motion: Motion, art: Articulation) -> None:
    """Finish closing a door the grasp could not: fingertips against the handle, push.

    Near the closed position the hand can meet the door it is holding; pushing the
    handle from the outside along the door's arc avoids that.
    """
    kitchen = motion.kitchen
    _, axis, q0 = kitchen.joint_frame(art.joint)
    rotation = art.grasp_rotation(axis, q0)
    contact = Pose(kitchen.site_position(art.site), rotation).offset(-PUSH_STANDOFF_M)
    motion.gripper = GRIPPER_CLOSED
    plan = _plan_approach(motion, grasp_candidates(contact, vertical_handle=False))
    if plan is None:
        return
    chosen = plan.grasp
    motion.posture = plan.posture
    for waypoint in plan.waypoints:
        motion.move_joints(waypoint)
    motion.move_linear(chosen)
    overshoot = art.inactive_target - 0.15 * np.sign(q0 - art.inactive_target)
    follow(motion, art, chosen, float(overshoot))
    motion.move_to(motion.pose().offset(-RETREAT_M), tol_m=0.02, tol_rad=0.2, max_ticks=20)


def actuate(motion: Motion, art: Articulation, target: float) -> tuple[bool, str]:
    """Grasp a fixture's handle and carry it along its joint to `target`."""
    kitchen = motion.kitchen
    _, axis, q0 = kitchen.joint_frame(art.joint)
    if abs(q0 - target) < JOINT_TOLERANCE:
        return True, f"{art.entity} already there"
    grasp = Pose(kitchen.site_position(art.site), art.grasp_rotation(axis, q0)).offset(art.depth_m)
    motion.gripper = GRIPPER_OPEN
    chosen = approach(motion, grasp, vertical_handle=art.vertical_handle)
    if chosen is None:
        release(motion)
        return False, f"could not reach the {art.entity} handle"
    motion.grip(GRIPPER_CLOSED)
    follow(motion, art, chosen, target)
    release(motion)
    q = kitchen.joint_frame(art.joint)[2]
    if abs(q - target) >= 2 * JOINT_TOLERANCE and target == art.inactive_target:
        push_shut(motion, art)
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
        handle = Pose(kitchen.site_position("kettle_site"), rotation).offset(PADS_ON_HANDLE_M)
        chosen = approach(motion, handle)
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
        if not kitchen.scene_truth().holds("holding(kettle)"):
            return False, "the gripper is not holding the kettle; pick it up first"
        motion.gripper = GRIPPER_CLOSED  # keep squeezing: a new motion starts open
        plan = _plan_carry(motion, burner)
        if plan is None:
            return False, f"no reachable way to carry the kettle over {burner}"
        above, path = plan
        # Straight, level segments followed through continuous IK: big joint-space swings
        # would throw the kettle, which can pivot about its handle bar, into the knobs.
        motion.track(path, ticks_per_point=2)
        motion.posture = path[-1]
        motion.move_to(above, tol_m=CARRY_TOLERANCE_M, tol_rad=0.2, max_ticks=30)
        if not kitchen.scene_truth().holds("holding(kettle)"):
            return False, f"the kettle slipped out of the gripper on the way to {burner}"
        above = _centre_over(motion, burner, above)
        motion.move_linear(above.offset_world(np.array([0.0, 0.0, -CARRY_LIFT_M + 0.005])))
        release(motion)
        on = kitchen.scene_truth().holds(f"on(kettle, {burner})")
        return on, f"kettle on {burner}" if on else f"the kettle did not end up on {burner}"


def _centre_over(motion: Motion, burner: str, above: Pose) -> Pose:
    """Nudge the hand until the kettle itself (it may have swung in the grip) is centred."""
    kitchen = motion.kitchen
    bx, by = BURNER_XY[burner]
    for _ in range(CENTRING_ROUNDS):
        x, y, _ = kitchen.scene_truth().object_poses["kettle"].position_m
        miss = np.array([bx - x, by - y, 0.0])
        if float(np.linalg.norm(miss)) < 0.01:
            break
        above = above.offset_world(miss)
        motion.move_to(above, tol_m=0.005, tol_rad=0.2, max_ticks=20)
    return above


def kettle_bodies(kitchen: FrankaKitchen) -> frozenset[int]:
    """The kettle's bodies: carried along, so not an obstacle to the arm holding it."""
    root = kitchen.model.body("kettle").id
    return frozenset(b for b in range(kitchen.model.nbody) if kitchen.model.body_rootid[b] == root)


def _plan_carry(motion: Motion, burner: str) -> tuple[Pose, list[FloatArray]] | None:
    """A gripper pose holding the kettle above `burner`, and a joint path to it.

    The path lifts to the carry height, then goes straight across. The kettle may turn
    about the vertical on the way, so poses rotated about its own axis are tried too.
    """
    kitchen = motion.kitchen
    now = motion.pose()
    kettle = np.array(kitchen.scene_truth().object_poses["kettle"].position_m)
    hand_to_kettle = kettle - now.position
    bx, by = BURNER_XY[burner]
    carry_z = KETTLE_REST_Z + CARRY_LIFT_M
    lift = now.offset_world(np.array([0.0, 0.0, max(0.0, carry_z - kettle[2])]))
    q_now = kitchen.proprio().joint_position_rad
    transit = Pose(np.array([*TRANSIT_XY, carry_z]) - hand_to_kettle, now.rotation)
    for via in ([lift], [lift, transit]):
        for yaw in CARRY_YAWS_RAD:
            turn = rotation_about(np.array([0.0, 0.0, 1.0]), yaw)
            above = Pose(np.array([bx, by, carry_z]) - turn @ hand_to_kettle, turn @ now.rotation)
            path = cartesian_path(
                kitchen, q_now, [*via, above], ignore_bodies=kettle_bodies(kitchen)
            )
            if path is not None:
                return above, path
    # No straight route from this posture: lift, then swing slowly in joint space to
    # the most comfortable solution over the burner.
    lifted = cartesian_path(kitchen, q_now, [lift], ignore_bodies=kettle_bodies(kitchen))
    start = q_now if not lifted else lifted[-1]
    for yaw in CARRY_YAWS_RAD:
        turn = rotation_about(np.array([0.0, 0.0, 1.0]), yaw)
        above = Pose(np.array([bx, by, carry_z]) - turn @ hand_to_kettle, turn @ now.rotation)
        goal = solve_ik(kitchen, above, start, ignore_bodies=kettle_bodies(kitchen))
        if goal is not None:
            return above, [*(lifted or []), *_interpolate(start, goal, SWING_STEP_RAD)]
    return None


def _interpolate(start: FloatArray, goal: FloatArray, step_rad: float) -> list[FloatArray]:
    n = max(1, int(np.ceil(float(np.max(np.abs(goal - start))) / step_rad)))
    return [start + (goal - start) * (i / n) for i in range(1, n + 1)]
