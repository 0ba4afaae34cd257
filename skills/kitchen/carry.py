"""Carrying the held kettle: straight level segments by IK continuation, re-centring."""

from __future__ import annotations

import numpy as np

from embodiments.base import FloatArray
from embodiments.franka_kitchen.env import FrankaKitchen
from embodiments.franka_kitchen.layout import BURNER_XY, KETTLE_REST_Z
from skills.kitchen.control import Motion, Pose, rotation_about
from skills.kitchen.ik import cartesian_path, solve_ik

CARRY_LIFT_M = 0.10
CARRY_TOLERANCE_M = 0.02
CENTRING_ROUNDS = 5
SETTLE_TICKS = 10
SWING_STEP_RAD = 0.03  # per tick pair: about 0.2 rad/s, gentle on a hanging kettle
TRANSIT_XY = (0.0, 0.5)  # above the middle of the stove, where the arm has room
CARRY_YAWS_RAD = (0.0, 0.4, -0.4, 0.8, -0.8, 1.2, -1.2, 1.6, -1.6)


def centre_over(motion: Motion, burner: str, above: Pose) -> tuple[Pose, float]:
    """Nudge the hand until the kettle itself (it may have swung in the grip) is centred.

    Returns the corrected hand pose and how far (m) the kettle still is from the centre.
    """
    kitchen = motion.kitchen
    bx, by = BURNER_XY[burner]

    def miss() -> FloatArray:
        x, y, _ = kitchen.scene_truth().object_poses["kettle"].position_m
        return np.array([bx - x, by - y, 0.0])

    for _ in range(CENTRING_ROUNDS):
        # Let the kettle stop swinging about the handle bar before measuring it.
        motion.move_to(above, tol_m=0.0, tol_rad=0.0, max_ticks=SETTLE_TICKS)
        if float(np.linalg.norm(miss())) < 0.01:
            break
        above = above.offset_world(miss())
    return above, float(np.linalg.norm(miss()))


def kettle_bodies(kitchen: FrankaKitchen) -> frozenset[int]:
    """The kettle's bodies: carried along, so not an obstacle to the arm holding it."""
    root = kitchen.model.body("kettle").id
    return frozenset(b for b in range(kitchen.model.nbody) if kitchen.model.body_rootid[b] == root)


def plan_carry(motion: Motion, burner: str) -> tuple[Pose, list[FloatArray]] | None:
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
    ignore = kettle_bodies(kitchen)
    aboves = []
    for yaw in CARRY_YAWS_RAD:
        turn = rotation_about(np.array([0.0, 0.0, 1.0]), yaw)
        aboves.append(
            Pose(np.array([bx, by, carry_z]) - turn @ hand_to_kettle, turn @ now.rotation)
        )
    for via in ([lift], [lift, transit]):
        for above in aboves:
            path = cartesian_path(kitchen, q_now, [*via, above], ignore_bodies=ignore)
            if path is not None:
                return above, path
    # No straight route from this posture: lift, then swing slowly in joint space to
    # the most comfortable solution over the burner.
    lifted = cartesian_path(kitchen, q_now, [lift], ignore_bodies=ignore)
    start = q_now if not lifted else lifted[-1]
    for above in aboves:
        goal = solve_ik(kitchen, above, start, ignore_bodies=ignore)
        if goal is not None:
            return above, [*(lifted or []), *_interpolate(start, goal, SWING_STEP_RAD)]
    return None


def _interpolate(start: FloatArray, goal: FloatArray, step_rad: float) -> list[FloatArray]:
    n = max(1, int(np.ceil(float(np.max(np.abs(goal - start))) / step_rad)))
    return [start + (goal - start) * (i / n) for i in range(1, n + 1)]
