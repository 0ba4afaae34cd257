"""How the scripted expert grasps and moves each articulated fixture.

Every door, knob and switch is handled the same way: grasp its handle with the gripper
at the handle's current pose, then move the grasp along the joint's motion (a rotation
about the hinge axis, or a translation along the slide) until the joint reaches its
target. Only the grasp geometry differs, and it lives in this table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embodiments.base import FloatArray
from skills.kitchen.control import Pose, frame_from, rotation_about

# The finger pads span -0.03..+0.05 m along the approach from the end-effector site, so
# putting the site 2 cm short of a handle's centre line centres the pads on it. On a knob
# the fingertips must stop short of the knob's disc, 1.7 cm behind the bar's centre.
PADS_ON_HANDLE_M = -0.02
KNOB_DEPTH_M = -0.037
# A half-open hinge cabinet door hangs in front of the top knobs; along the knob's 9.6 cm
# bar the hand can come in tilted, from below or above, and still pinch it.
KNOB_TILTS_RAD = (0.0, 0.35, -0.35)
# A knob turned on turns its bar, and the hand with it, toward that door; rolled a little
# about the bar, the hand comes in beside the door instead.
KNOB_ROLLS_RAD = (0.0, 0.2, -0.2)

_Y = (0.0, 1.0, 0.0)
_X = (1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Articulation:
    """Grasp geometry of one fixture, stated for the fixture's closed/off position."""

    entity: str
    joint: str
    site: str
    prismatic: bool
    approach_at_zero: tuple[float, float, float]
    fingers_at_zero: tuple[float, float, float]
    depth_m: float  # where the end-effector site goes, along the approach, from the handle site
    speed: float  # rad/s or m/s of the reference along the joint
    active_target: float
    inactive_target: float
    vertical_handle: bool = False  # a vertical bar: the grasp may turn about it
    approach_tilts_rad: tuple[float, ...] = (0.0,)  # tilted approaches to try along a bar
    approach_rolls_rad: tuple[float, ...] = (0.0,)  # approaches rolled about the bar

    def grasp_rotation(self, axis: FloatArray, q: float) -> FloatArray:
        """Gripper orientation that grasps the handle with the joint at `q`."""
        base = frame_from(np.array(self.approach_at_zero), np.array(self.fingers_at_zero))
        return base if self.prismatic else rotation_about(axis, q) @ base

    def moved(self, grasp: Pose, anchor: FloatArray, axis: FloatArray, delta: float) -> Pose:
        """The grasp pose carried along the joint's motion by `delta`."""
        if self.prismatic:
            return Pose(grasp.position + axis * delta, grasp.rotation)
        rot = rotation_about(axis, delta)
        return Pose(anchor + rot @ (grasp.position - anchor), rot @ grasp.rotation)


_MICROWAVE_FACE = (-0.296, 0.955, 0.0)

ARTICULATIONS: dict[str, Articulation] = {
    a.entity: a
    for a in (
        Articulation(
            entity="microwave",
            joint="microwave",
            site="microhandle_site",
            prismatic=False,
            approach_at_zero=_MICROWAVE_FACE,
            fingers_at_zero=(0.955, 0.296, 0.0),
            depth_m=PADS_ON_HANDLE_M,
            speed=0.6,
            active_target=-0.85,
            inactive_target=0.0,
            vertical_handle=True,
        ),
        Articulation(
            entity="slide_cabinet",
            joint="slide_cabinet",
            site="slide_site",
            prismatic=True,
            approach_at_zero=_Y,
            fingers_at_zero=_X,
            depth_m=PADS_ON_HANDLE_M,
            speed=0.15,
            active_target=0.38,
            inactive_target=0.0,
            vertical_handle=True,
        ),
        Articulation(
            entity="hinge_cabinet",
            joint="right_hinge_cabinet",
            site="hinge_site2",
            prismatic=False,
            approach_at_zero=_Y,
            fingers_at_zero=_X,
            depth_m=PADS_ON_HANDLE_M,
            speed=0.6,
            active_target=1.45,
            inactive_target=0.0,
            vertical_handle=True,
        ),
        Articulation(
            entity="light",
            joint="light_switch",
            site="light_site",
            prismatic=False,
            approach_at_zero=_Y,
            fingers_at_zero=_X,
            depth_m=PADS_ON_HANDLE_M,
            speed=0.6,
            active_target=-0.69,
            inactive_target=0.0,
        ),
        *(
            Articulation(
                entity=entity,
                joint=f"knob_Joint_{n}",
                site=f"knob{n}_site",
                prismatic=False,
                approach_at_zero=_Y,
                fingers_at_zero=_X,
                depth_m=KNOB_DEPTH_M,
                approach_tilts_rad=KNOB_TILTS_RAD,
                approach_rolls_rad=KNOB_ROLLS_RAD,
                speed=0.8,
                active_target=-1.1,
                inactive_target=0.0,
            )
            for n, entity in (
                (1, "bottom_right_burner"),
                (2, "bottom_left_burner"),
                (3, "top_right_burner"),
                (4, "top_left_burner"),
            )
        ),
    )
}
