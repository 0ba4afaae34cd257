"""Reaching a grasp, and letting go.

Equivalent grasps, collision-checked IK, a joint route, then a last straight approach.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from embodiments.base import FloatArray
from embodiments.franka_kitchen.env import FrankaKitchen
from skills.kitchen.control import GRIPPER_OPEN, POSTURE_Q, Motion, Pose, rotation_about
from skills.kitchen.ik import joint_path_clear, line_clear, solve_ik

PREGRASP_M = 0.12
RETREAT_M = 0.10
GRASP_TOLERANCE_M = 0.015
VIA_SAMPLES = 40
VIA_SPREAD_RAD = 0.6
HALF_TURN = np.diag([-1.0, -1.0, 1.0])
YAW_OFFSETS_RAD = (0.0, 0.4, -0.4, 0.8, -0.8)


def grasp_candidates(
    grasp: Pose,
    *,
    vertical_handle: bool,
    tilts_rad: tuple[float, ...] = (0.0,),
    rolls_rad: tuple[float, ...] = (0.0,),
) -> list[Pose]:
    """Equivalent grasps, preferred first, in pairs that are equally preferred.

    A two-finger grasp is symmetric under a half turn about the approach axis. Around a
    vertical bar the approach may also come in at an angle (turned about the vertical).
    Along a long bar it may come in tilted about the finger axis (`tilts_rad`), which
    can bring the hand in under something that hangs in front of the handle, or rolled
    about the bar itself (`rolls_rad`), which brings the hand in from the bar's side.
    """
    yaws = YAW_OFFSETS_RAD if vertical_handle else (0.0,)
    out = []
    for tilt, roll in itertools.product(tilts_rad, rolls_rad):
        tilted = (
            rotation_about(grasp.rotation[:, 0], roll)
            @ rotation_about(grasp.rotation[:, 1], tilt)
            @ grasp.rotation
        )
        for yaw in yaws:
            rot = rotation_about(np.array([0.0, 0.0, 1.0]), yaw) @ tilted
            out += [Pose(grasp.position, rot), Pose(grasp.position, rot @ HALF_TURN)]
    return out


@dataclass(frozen=True, slots=True)
class ApproachPlan:
    """A reachable grasp and the collision-free joint waypoints that lead to it."""

    grasp: Pose
    waypoints: tuple[FloatArray, ...]  # joint configurations, the last one at the pre-grasp
    posture: FloatArray  # the joint configuration at the grasp


def joint_route(
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


def plan_approach(motion: Motion, candidates: list[Pose]) -> ApproachPlan | None:
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
            route = joint_route(kitchen, q_now, q_pre)
            if route is None:
                continue
            cost = float(np.linalg.norm(q_pre - q_now)) + 10.0 * (len(route) - 1)
            if best is None or cost < best[0]:
                best = (cost, ApproachPlan(candidate, route, q_grasp))
        if best is not None:
            return best[1]
    return None


def go_to_pregrasp(motion: Motion, plan: ApproachPlan) -> None:
    """Follow the plan's joint waypoints, with its grasp posture for the null space."""
    motion.posture = plan.posture
    for waypoint in plan.waypoints:
        motion.move_joints(waypoint)


def approach(
    motion: Motion,
    grasp: Pose,
    *,
    vertical_handle: bool = False,
    tilts_rad: tuple[float, ...] = (0.0,),
    rolls_rad: tuple[float, ...] = (0.0,),
) -> Pose | None:
    """Back out, move in joint space to an IK solution of the pre-grasp, then onto the grasp.

    Returns the grasp pose actually used, or None when it could not be reached.
    """
    motion.move_to(motion.pose().offset(-0.06), tol_m=0.02, tol_rad=3.2, max_ticks=8)
    candidates = grasp_candidates(
        grasp, vertical_handle=vertical_handle, tilts_rad=tilts_rad, rolls_rad=rolls_rad
    )
    plan = plan_approach(motion, candidates)
    if plan is None:
        return None
    go_to_pregrasp(motion, plan)
    motion.move_to(plan.grasp.offset(-PREGRASP_M), tol_m=0.003, tol_rad=0.03, max_ticks=40)
    motion.move_linear(plan.grasp)
    # Contact with the handle can hold the fingertips a few millimetres short.
    error = float(np.linalg.norm(motion.pose().position - plan.grasp.position))
    return plan.grasp if error < GRASP_TOLERANCE_M else None


def release(motion: Motion) -> None:
    """Open the gripper and back away along the approach axis."""
    motion.grip(GRIPPER_OPEN)
    back_away(motion)


def back_away(motion: Motion) -> None:
    """Servo the hand straight back along its approach axis by RETREAT_M."""
    motion.move_to(motion.pose().offset(-RETREAT_M), tol_m=0.02, tol_rad=0.2, max_ticks=20)
