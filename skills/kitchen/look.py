"""Moving the wrist camera to look at the burner knobs (an active look for perception).

Not a planner skill: perception asks for it when the usual view leaves a knob unsure
(`skills.perception.knob_look`). The arm follows a joint route that avoids the kitchen
to `KNOB_LOOK_Q`, every tick through `Embodiment.apply` (so through the action shield);
it touches nothing, so the scene is as it was. The hand must be empty.
"""

from __future__ import annotations

import numpy as np

from embodiments.base import Embodiment
from embodiments.franka_kitchen.layout import KNOB_LOOK_Q
from skills.base import CancelToken, SkillResult
from skills.kitchen.control import GRIPPER_OPEN, Cancelled, Motion
from skills.kitchen.reach import joint_route

ARRIVED_RAD = 0.02
TICKS_PER_WAYPOINT = 160


def look_at_knobs(embodiment: Embodiment, cancel: CancelToken | None = None) -> SkillResult:
    """Move the arm to the knob-look posture; succeeded when it arrived."""
    motion = Motion(embodiment, cancel or CancelToken(), gripper=GRIPPER_OPEN)
    kitchen = motion.kitchen  # raises SkillIncompatibleError before anything moves
    goal = np.asarray(KNOB_LOOK_Q)
    route = joint_route(kitchen, kitchen.proprio().joint_position_rad, goal)
    if route is None:
        return motion.result(False, "no collision-free route to the knob-look posture")
    try:
        arrived = all(
            motion.move_joints(q, tol_rad=ARRIVED_RAD, max_ticks=TICKS_PER_WAYPOINT) for q in route
        )
    except Cancelled:
        return motion.cancelled_result()
    if not arrived:
        return motion.result(False, "the arm did not reach the knob-look posture")
    return motion.result(True, "the wrist camera looks at the knobs")
