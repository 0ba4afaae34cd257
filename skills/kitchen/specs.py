"""The kitchen skill specs: what each skill does, in the predicate language.

Entities are the Franka Kitchen fixtures. Predicates:
`open(door)`, `turned_on(burner_or_light)`, `on(kettle, burner)`, `holding(kettle)`.
"""

from __future__ import annotations

from typing import Literal as L  # noqa: N817 - keeps the argument models one line each

from pydantic import BaseModel, ConfigDict

from skills.base import SkillSpec
from skills.predicates import lit

DOORS = ("microwave", "slide_cabinet", "hinge_cabinet")
BURNERS = ("bottom_left_burner", "bottom_right_burner", "top_left_burner", "top_right_burner")
SWITCHES = (*BURNERS, "light")
GRASPABLE = ("kettle",)

Door = L["microwave", "slide_cabinet", "hinge_cabinet"]
Burner = L["bottom_left_burner", "bottom_right_burner", "top_left_burner", "top_right_burner"]
Switch = L[
    "bottom_left_burner", "bottom_right_burner", "top_left_burner", "top_right_burner", "light"
]


class _Args(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DoorArgs(_Args):
    """Which door to move."""

    target: Door


class SwitchArgs(_Args):
    """Which burner knob or switch to turn."""

    target: Switch


class PickArgs(_Args):
    """What to pick up."""

    object: L["kettle"]


class PlaceArgs(_Args):
    """What to put down, and where."""

    object: L["kettle"]
    destination: Burner


_HAND_FREE = lit("not holding(kettle)")

OPEN = SkillSpec(
    name="open",
    description="Open a door or drawer: the microwave, the slide cabinet or the hinge cabinet.",
    arguments=DoorArgs,
    preconditions=(lit("not open({target})"), _HAND_FREE),
    effects=(lit("open({target})"),),
)
CLOSE = SkillSpec(
    name="close",
    description="Close an open door: the microwave, the slide cabinet or the hinge cabinet.",
    arguments=DoorArgs,
    preconditions=(lit("open({target})"), _HAND_FREE),
    effects=(lit("not open({target})"),),
)
TURN_ON = SkillSpec(
    name="turn_on",
    description="Turn a burner knob on (the burner heats) or switch the light on.",
    arguments=SwitchArgs,
    preconditions=(lit("not turned_on({target})"), _HAND_FREE),
    effects=(lit("turned_on({target})"),),
)
TURN_OFF = SkillSpec(
    name="turn_off",
    description="Turn a burner knob off or switch the light off.",
    arguments=SwitchArgs,
    preconditions=(lit("turned_on({target})"), _HAND_FREE),
    effects=(lit("not turned_on({target})"),),
)
PICK = SkillSpec(
    name="pick",
    description="Grasp the kettle by its handle and lift it.",
    arguments=PickArgs,
    preconditions=(lit("not holding({object})"),),
    effects=(
        lit("holding({object})"),
        *(lit(f"not on({{object}}, {b})") for b in BURNERS),
    ),
)
PLACE = SkillSpec(
    name="place",
    description="Put the held kettle down on a burner and let go.",
    arguments=PlaceArgs,
    preconditions=(lit("holding({object})"),),
    effects=(lit("on({object}, {destination})"), lit("not holding({object})")),
)

KITCHEN_SPECS = (OPEN, CLOSE, TURN_ON, TURN_OFF, PICK, PLACE)
