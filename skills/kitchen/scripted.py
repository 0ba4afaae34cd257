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

from embodiments.base import Embodiment
from embodiments.franka_kitchen.env import FrankaKitchen
from embodiments.franka_kitchen.layout import KETTLE_REST_Z
from skills.base import CancelToken, Skill, SkillResult, SkillSpec
from skills.kitchen import specs
from skills.kitchen.articulate import actuate
from skills.kitchen.carry import (
    CARRY_JOINT_SPEED_RAD_S,
    CARRY_LIFT_M,
    CARRY_TOLERANCE_M,
    centre_over,
    ease_posture,
    kettle_grasp,
    let_go,
    plan_carry,
)
from skills.kitchen.control import (
    GRIPPER_CLOSED,
    GRIPPER_OPEN,
    Cancelled,
    Motion,
    Pose,
)
from skills.kitchen.fixtures import ARTICULATIONS
from skills.kitchen.reach import approach, release
from skills.registry import register_skill

KETTLE_MISS_M = 0.04  # how far off the burner's centre the kettle may be let go


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
            return motion.cancelled_result()
        try:
            ok, message = self.script(motion, args)
        except Cancelled:
            return motion.cancelled_result()
        return motion.result(ok, message)

    def script(self, motion: Motion, args: BaseModel) -> tuple[bool, str]:
        """The skill's motion; returns (believed success, message)."""
        raise NotImplementedError


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


@register_skill
class PickScripted(_KitchenSkill):
    """Grasp the kettle's handle from above and lift it."""

    spec: ClassVar[SkillSpec] = specs.PICK

    def script(self, motion: Motion, _args: BaseModel) -> tuple[bool, str]:
        """Grasp from the front, close, lift, and check the kettle came along."""
        kitchen = motion.kitchen
        motion.gripper = GRIPPER_OPEN
        chosen = approach(motion, kettle_grasp(kitchen))
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
        plan = plan_carry(motion, burner)
        if plan is None:
            # Folded against a joint limit: unfold without moving the kettle, then plan
            # again from the new posture.
            ease_posture(motion)
            plan = plan_carry(motion, burner)
        if plan is None:
            return False, f"no reachable way to carry the kettle over {burner}"
        above, path = plan
        # Straight, level segments followed through continuous IK: big joint-space swings
        # would throw the kettle, which can pivot about its handle bar, into the knobs.
        motion.track(path, max_speed_rad_s=CARRY_JOINT_SPEED_RAD_S)
        motion.posture = path[-1]
        motion.move_to(above, tol_m=CARRY_TOLERANCE_M, tol_rad=0.2, max_ticks=30)
        if not kitchen.scene_truth().holds("holding(kettle)"):
            return False, f"the kettle slipped out of the gripper on the way to {burner}"
        above, miss_m = centre_over(motion, burner, above)
        if miss_m > KETTLE_MISS_M:
            # Never let go of a kettle that is not over the burner: hold it and report.
            return False, f"could not bring the kettle over {burner} (still holding it)"
        # Lower until the kettle rests (it may have been carried higher than usual): let go
        # of a kettle still hanging from the fingers and backing away drags it along.
        drop_m = kitchen.scene_truth().object_poses["kettle"].position_m[2] - KETTLE_REST_Z
        motion.move_linear(above.offset_world(np.array([0.0, 0.0, -drop_m])))
        let_go(motion)
        on = kitchen.scene_truth().holds(f"on(kettle, {burner})")
        return on, f"kettle on {burner}" if on else f"the kettle did not end up on {burner}"
