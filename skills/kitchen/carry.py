"""Carrying the held kettle: straight level segments by IK continuation, re-centring."""

from __future__ import annotations

import numpy as np

from embodiments.base import FloatArray
from embodiments.franka_kitchen.env import FrankaKitchen
from embodiments.franka_kitchen.layout import BURNER_XY, KETTLE_REST_Z
from skills.kitchen.control import (
    GRIPPER_OPEN,
    POSTURE_Q,
    Motion,
    Pose,
    frame_from,
    rotation_about,
)
from skills.kitchen.fixtures import PADS_ON_HANDLE_M
from skills.kitchen.ik import Carried, body_tree, cartesian_path, joint_path_clear, solve_ik
from skills.kitchen.reach import RETREAT_M, back_away

CARRY_LIFT_M = 0.10
CARRY_TOLERANCE_M = 0.02
CENTRING_ROUNDS = 5
SETTLE_TICKS = 10
SWING_STEP_RAD = 0.03  # per tick pair: about 0.2 rad/s, gentle on a hanging kettle
TRANSIT_XY = (0.0, 0.5)  # above the middle of the stove, where the arm has room
TRANSIT_XYS = (TRANSIT_XY, (0.0, 0.35), (0.15, 0.45), (-0.15, 0.45))  # swing via points
CARRY_YAWS_RAD = (0.0, 0.4, -0.4, 0.8, -0.8, 1.2, -1.2, 1.6, -1.6)
SWING_LIFTS_M = (CARRY_LIFT_M, 0.18, 0.26)  # how high to lift before a joint-space swing
CARRY_MAX_TILT_RAD = 0.25  # the kettle hangs upright: a tilted handle bar lets it slide
SWING_CLEARANCE_M = 0.06  # the kettle's lowest point on a swing, above its resting height
CARRY_JOINT_SPEED_RAD_S = 0.5  # a kettle hanging from its handle bar swings when rushed
LET_GO_TICKS = 8  # fingers fully open before the hand moves
EASE_TICKS = 60  # about 5 s of null-space motion toward the home posture
EASE_DRIFT_M = 0.04  # how far the held kettle may drift meanwhile


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
    return body_tree(kitchen.model, "kettle")


def kettle_grasp(kitchen: FrankaKitchen, *, extra_yaw_rad: float = 0.0) -> Pose:
    """The pick's grasp on the handle: from the front, level, fingers above and below the bar.

    Reads the kettle's pose from the simulator (kinematics must be current).
    """
    w, _, _, z = kitchen.data.body("kettle").xquat
    yaw = 2.0 * float(np.arctan2(z, w))
    toward = np.array([-np.sin(yaw), np.cos(yaw), 0.0])
    up = np.array([0.0, 0.0, 1.0])
    rotation = rotation_about(up, extra_yaw_rad) @ frame_from(toward, up)
    return Pose(kitchen.site_position("kettle_site"), rotation).offset(PADS_ON_HANDLE_M)


def plan_carry(motion: Motion, burner: str) -> tuple[Pose, list[FloatArray]] | None:
    """A gripper pose holding the kettle above `burner`, and a joint path to it.

    The path lifts to the carry height, then goes straight across. The kettle may turn
    about the vertical on the way, so poses rotated about its own axis are tried too.
    The held kettle counts as part of the arm in every collision check.
    """
    kitchen = motion.kitchen
    now = motion.pose()
    kettle = np.array(kitchen.scene_truth().object_poses["kettle"].position_m)
    hand_to_kettle = kettle - now.position
    q_now = kitchen.proprio().joint_position_rad
    load = Carried.grasped(
        kitchen,
        "kettle",
        pivot_site="kettle_site",
        min_z=KETTLE_REST_Z + SWING_CLEARANCE_M,
        max_tilt_rad=CARRY_MAX_TILT_RAD,
    )

    def holding_kettle_at(x: float, y: float, lift_m: float, turn: FloatArray) -> Pose:
        """The hand pose, turned by `turn` about the vertical, with the kettle lifted at x, y."""
        kettle_at = np.array([x, y, KETTLE_REST_Z + lift_m])
        return Pose(kettle_at - turn @ hand_to_kettle, turn @ now.rotation)

    def aboves(lift_m: float) -> list[Pose]:
        up = np.array([0.0, 0.0, 1.0])
        return [
            holding_kettle_at(*BURNER_XY[burner], lift_m, rotation_about(up, yaw))
            for yaw in CARRY_YAWS_RAD
        ]

    def lift_to(lift_m: float) -> Pose:
        return now.offset_world(np.array([0.0, 0.0, max(0.0, KETTLE_REST_Z + lift_m - kettle[2])]))

    lift = lift_to(CARRY_LIFT_M)
    transit = holding_kettle_at(*TRANSIT_XY, CARRY_LIFT_M, np.eye(3))
    for via in ([lift], [lift, transit]):
        for above in aboves(CARRY_LIFT_M):
            path = cartesian_path(kitchen, q_now, [*via, above], carried=load)
            if path is not None and _can_let_go(kitchen, path[-1], above, CARRY_LIFT_M):
                return above, path
    # No straight route from this posture (the arm runs into a joint limit on the way):
    # lift, then swing slowly in joint space, high enough that the kettle clears the
    # stove, checked for contact all the way; via the middle of the stove if a direct
    # swing would sweep the kettle into the wall fixtures.
    for lift_m in SWING_LIFTS_M:
        lifted = cartesian_path(kitchen, q_now, [lift_to(lift_m)], carried=load)
        start = q_now if not lifted else lifted[-1]
        for above in aboves(lift_m):
            middles = [
                holding_kettle_at(*xy, lift_m, turn)
                for xy in TRANSIT_XYS
                for turn in (np.eye(3), above.rotation @ now.rotation.T)
            ]
            for vias in ([], *([m] for m in middles)):
                swing = _swing(kitchen, start, [*vias, above], load)
                if swing is not None and _can_let_go(kitchen, swing[-1], above, lift_m):
                    return above, [*(lifted or []), *swing]
    return None


def _can_let_go(kitchen: FrankaKitchen, q_above: FloatArray, above: Pose, lift_m: float) -> bool:
    """Whether the hand, lowered from `above` to set the kettle down, can back straight out.

    Near the robot's base the arm may have no room to back away along the approach, and
    a hand that cannot leave the way it came drags the kettle off the burner.
    """
    lowered = above.offset_world(np.array([0.0, 0.0, -lift_m]))
    path = cartesian_path(
        kitchen,
        q_above,
        [lowered, lowered.offset(-RETREAT_M)],
        ignore_bodies=kettle_bodies(kitchen),
    )
    return path is not None


def ease_posture(motion: Motion) -> None:
    """Hold the kettle where it is while the arm's elbow and wrist slide away from their limits.

    A 7-joint arm can move without moving its hand; a pick close to the robot's base
    can leave it folded against joint limits, from where no straight carry exists.
    Stops early if the hand drifts (the servo gives way at a limit).
    """
    hold = motion.pose()
    motion.posture = POSTURE_Q.copy()
    for _ in range(EASE_TICKS):
        motion.step(hold)
        if float(np.linalg.norm(motion.pose().position - hold.position)) > EASE_DRIFT_M:
            break


def let_go(motion: Motion) -> None:
    """Open the hand around the set-down kettle and back straight out along the approach.

    The way out is planned from the arm's actual posture and followed joint by joint: a
    servo that drifts sideways near a joint limit would catch the handle and drag the
    kettle off the burner.
    """
    kitchen = motion.kitchen
    motion.grip(GRIPPER_OPEN, ticks=LET_GO_TICKS)
    out = motion.pose().offset(-RETREAT_M)
    q_now = kitchen.proprio().joint_position_rad
    path = cartesian_path(kitchen, q_now, [out], ignore_bodies=kettle_bodies(kitchen))
    if path is None:
        back_away(motion)
        return
    motion.track(path, max_speed_rad_s=CARRY_JOINT_SPEED_RAD_S)


def _swing(
    kitchen: FrankaKitchen, start: FloatArray, poses: list[Pose], load: Carried
) -> list[FloatArray] | None:
    """Joint-space legs through IK solutions of `poses`, each checked; None if one fails."""
    path: list[FloatArray] = []
    q = start
    for pose in poses:
        goal = solve_ik(kitchen, pose, q, carried=load)
        if goal is None:
            return None
        leg = _interpolate(q, goal, SWING_STEP_RAD)
        clear = joint_path_clear(
            kitchen,
            q,
            goal,
            samples=len(leg) + 1,
            carried=load,
        )
        if not clear:
            return None
        path += leg
        q = goal
    return path


def _interpolate(start: FloatArray, goal: FloatArray, step_rad: float) -> list[FloatArray]:
    n = max(1, int(np.ceil(float(np.max(np.abs(goal - start))) / step_rad)))
    return [start + (goal - start) * (i / n) for i in range(1, n + 1)]
