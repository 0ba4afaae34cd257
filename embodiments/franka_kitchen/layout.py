"""The kitchen's fixtures: joint names, open/on thresholds, sampling ranges, burners.

One table drives scene truth, randomisation and events, so the three always agree.
Angles in radians, slides in metres. A fixture's "closed"/"off" value is 0.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fixture:
    """A door, knob or switch: its joint, when it counts as open/on, how starts are sampled."""

    entity: str
    predicate: str  # "open" or "turned_on"
    joint: str
    threshold: float  # |q| beyond this -> predicate true
    active_range: tuple[float, float]  # sampled when starting open/on
    inactive_range: tuple[float, float]  # sampled when starting closed/off
    active_target: float  # where events and skills put it when opening / turning on
    coupled_joint: str | None = None  # moved with the main joint by an equality
    coupled_ratio: float = 1.0  # coupled = q / ratio

    def is_active(self, q: float) -> bool:
        """Whether the predicate holds at joint value `q`."""
        return abs(q) > self.threshold


FIXTURES: tuple[Fixture, ...] = (
    Fixture("microwave", "open", "microwave", 0.2, (-1.0, -0.35), (-0.03, 0.0), -0.8),
    Fixture("slide_cabinet", "open", "slide_cabinet", 0.06, (0.12, 0.4), (0.0, 0.02), 0.35),
    Fixture("hinge_cabinet", "open", "right_hinge_cabinet", 0.2, (0.35, 1.45), (0.0, 0.03), 1.4),
    Fixture(
        "bottom_right_burner",
        "turned_on",
        "knob_Joint_1",
        0.4,
        (-1.4, -0.6),
        (-0.08, 0.0),
        -1.0,
        coupled_joint="bottom_right_burner",
        coupled_ratio=174.0,
    ),
    Fixture(
        "bottom_left_burner",
        "turned_on",
        "knob_Joint_2",
        0.4,
        (-1.4, -0.6),
        (-0.08, 0.0),
        -1.0,
        coupled_joint="bottom_left_burner",
        coupled_ratio=174.0,
    ),
    Fixture(
        "top_right_burner",
        "turned_on",
        "knob_Joint_3",
        0.4,
        (-1.4, -0.6),
        (-0.08, 0.0),
        -1.0,
        coupled_joint="top_right_burner",
        coupled_ratio=174.0,
    ),
    Fixture(
        "top_left_burner",
        "turned_on",
        "knob_Joint_4",
        0.4,
        (-1.4, -0.6),
        (-0.08, 0.0),
        -1.0,
        coupled_joint="top_left_burner",
        coupled_ratio=174.0,
    ),
    Fixture(
        "light",
        "turned_on",
        "light_switch",
        0.3,
        (-0.7, -0.45),
        (-0.04, 0.0),
        -0.65,
        coupled_joint="light_joint",
        coupled_ratio=14.0,
    ),
)
FIXTURE_BY_ENTITY = {f.entity: f for f in FIXTURES}

# Burner centres (x, y) in the world frame and the kettle's resting height on them.
BURNER_XY: dict[str, tuple[float, float]] = {
    "bottom_left_burner": (-0.225, 0.339),
    "bottom_right_burner": (0.221, 0.339),
    "top_left_burner": (-0.222, 0.78),
    "top_right_burner": (0.219, 0.78),
}
KETTLE_REST_Z = 1.62
ON_BURNER_RADIUS_M = 0.1
KNOB_SITES = {
    "bottom_right_burner": "knob1_site",
    "bottom_left_burner": "knob2_site",
    "top_right_burner": "knob3_site",
    "top_left_burner": "knob4_site",
}
HANDLE_SITES = {
    "microwave": "microhandle_site",
    "slide_cabinet": "slide_site",
    "hinge_cabinet": "hinge_site2",
    "light": "light_site",
    "kettle": "kettle_site",
}
# Where a person-sized body stands when an event places one (next to the stove).
PERSON_NEAR_STOVE_XY = (0.75, 0.2)
PERSON_HIDDEN_XY = (4.0, -4.0)
# Arm joint angles (rad) at which the wrist camera looks at the four burner knobs from
# about 0.3 m, from the front right: seen from there, neither an open hinge-cabinet door
# nor a kettle hides a knob, as they can from the overview camera. Found by inverse
# kinematics for the gripper's approach axis pointing at the knobs' centre (yaw 0.6 rad
# to the right of straight on, 0.2 rad down).
KNOB_LOOK_Q = (0.898, -1.147, -0.903, -2.757, -0.597, 1.537, -0.083)
