"""Moving a door, knob or switch: follow its joint with the grasp, or push it shut."""

from __future__ import annotations

import numpy as np

from skills.kitchen.control import GRIPPER_CLOSED, GRIPPER_OPEN, Motion, Pose
from skills.kitchen.fixtures import Articulation
from skills.kitchen.ik import blocking_bodies
from skills.kitchen.reach import (
    RETREAT_M,
    approach,
    go_to_pregrasp,
    grasp_candidates,
    plan_approach,
    release,
)

JOINT_TOLERANCE = 0.04
MOST_OF_THE_WAY = 0.65  # fraction of the travel to the open target that counts as open
PUSH_STANDOFF_M = 0.075  # fingertips (site + 5 cm) just behind a 2 cm handle
SOFT_YAW = 0.0  # a closed grasp on a vertical bar may turn about it freely


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
    plan = plan_approach(motion, grasp_candidates(contact, vertical_handle=False))
    if plan is None:
        return
    chosen = plan.grasp
    go_to_pregrasp(motion, plan)
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
    chosen = approach(
        motion,
        grasp,
        vertical_handle=art.vertical_handle,
        tilts_rad=art.approach_tilts_rad,
        rolls_rad=art.approach_rolls_rad,
    )
    if chosen is None:
        release(motion)
        return False, f"could not reach the {art.entity} handle{_in_the_way(motion, grasp)}"
    motion.grip(GRIPPER_CLOSED)
    follow(motion, art, chosen, target)
    release(motion)
    q = kitchen.joint_frame(art.joint)[2]
    if abs(q - target) >= 2 * JOINT_TOLERANCE and target == art.inactive_target:
        push_shut(motion, art)
        q = kitchen.joint_frame(art.joint)[2]
    ok = abs(q - target) < 2 * JOINT_TOLERANCE
    if target != art.inactive_target:
        # Some doors stop short of the target on their handle's arc; well past the open
        # threshold (most of the way) is open for every consumer of the predicate.
        travel = abs(q - art.inactive_target) / abs(target - art.inactive_target)
        ok = ok or travel >= MOST_OF_THE_WAY
    return ok, f"{art.entity} joint at {q:.2f} (target {target:.2f})"


# Bodies of the kitchen model that belong to a fixture a planner can act on.
_BODY_ENTITIES = {
    "hingerightdoor": "hinge_cabinet",
    "hingeleftdoor": "hinge_cabinet",
    "microdoorroot": "microwave",
    "slidelink": "slide_cabinet",
    "kettleroot": "kettle",
    "person": "a person",
}


def _in_the_way(motion: Motion, grasp: Pose) -> str:
    """' (the hinge_cabinet is in the way)' when a known fixture blocks the grasp, else ''."""
    kitchen = motion.kitchen
    bodies = blocking_bodies(kitchen, grasp, kitchen.proprio().joint_position_rad)
    entities = sorted({_BODY_ENTITIES[b] for b in bodies if b in _BODY_ENTITIES})
    return f" (the {' and the '.join(entities)} is in the way)" if entities else ""
