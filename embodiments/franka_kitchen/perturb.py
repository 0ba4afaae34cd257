"""Seeded start-state randomisation and mid-episode events for the kitchen.

Both write simulator state directly: they model the world (a person closing a door,
a different morning's kitchen), never the robot's own control.
"""

from __future__ import annotations

import mujoco
import numpy as np

from embodiments.base import SceneEvent
from embodiments.errors import EmbodimentConfigError
from embodiments.franka_kitchen.layout import (
    BURNER_XY,
    FIXTURE_BY_ENTITY,
    FIXTURES,
    KETTLE_REST_Z,
    PERSON_HIDDEN_XY,
    PERSON_NEAR_STOVE_XY,
    Fixture,
)

ACTIVE_PROBABILITY = 0.35
KETTLE_START_WEIGHTS = {
    "bottom_left_burner": 0.4,
    "bottom_right_burner": 0.2,
    "top_left_burner": 0.2,
    "top_right_burner": 0.2,
}
KETTLE_XY_JITTER_M = 0.02
KETTLE_YAW_JITTER_RAD = 0.25
ARM_JITTER_RAD = 0.05
EVENT_KINDS = (
    "open",
    "close",
    "turn_on",
    "turn_off",
    "move_kettle",
    "drop",
    "place_person",
    "remove_person",
)


def set_fixture(model: mujoco.MjModel, data: mujoco.MjData, fx: Fixture, q: float) -> None:
    """Put a fixture's joint (and the joint an equality couples to it) at `q`."""
    adr = model.joint(fx.joint).qposadr[0]
    data.qpos[adr] = q
    data.qvel[model.joint(fx.joint).dofadr[0]] = 0.0
    if fx.coupled_joint is not None:
        data.qpos[model.joint(fx.coupled_joint).qposadr[0]] = q / fx.coupled_ratio


def set_kettle(
    data: mujoco.MjData, model: mujoco.MjModel, xy: tuple[float, float], yaw: float
) -> None:
    """Place the kettle upright at `xy` on the stove, turned by `yaw` about z."""
    adr = model.joint("kettle").qposadr[0]
    dof = model.joint("kettle").dofadr[0]
    data.qpos[adr : adr + 3] = (xy[0], xy[1], KETTLE_REST_Z)
    data.qpos[adr + 3 : adr + 7] = (np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2))
    data.qvel[dof : dof + 6] = 0.0


def randomize(model: mujoco.MjModel, data: mujoco.MjData, rng: np.random.Generator) -> None:
    """Sample fixture states, the kettle's burner and pose, and a small arm offset."""
    for fx in FIXTURES:
        active = rng.random() < ACTIVE_PROBABILITY
        low, high = fx.active_range if active else fx.inactive_range
        set_fixture(model, data, fx, float(rng.uniform(low, high)))
    burners = list(KETTLE_START_WEIGHTS)
    burner = burners[rng.choice(len(burners), p=list(KETTLE_START_WEIGHTS.values()))]
    bx, by = BURNER_XY[burner]
    jitter = rng.uniform(-KETTLE_XY_JITTER_M, KETTLE_XY_JITTER_M, size=2)
    set_kettle(
        data,
        model,
        (bx + jitter[0], by + jitter[1]),
        float(rng.uniform(-KETTLE_YAW_JITTER_RAD, KETTLE_YAW_JITTER_RAD)),
    )
    data.qpos[:7] += rng.uniform(-ARM_JITTER_RAD, ARM_JITTER_RAD, size=7)


def _fixture(target: str, predicate: str) -> Fixture:
    fx = FIXTURE_BY_ENTITY.get(target)
    if fx is None or fx.predicate != predicate:
        valid = [f.entity for f in FIXTURES if f.predicate == predicate]
        msg = (
            f"event target {target!r} is not a {predicate} fixture; "
            f"valid targets: {', '.join(valid)}"
        )
        raise EmbodimentConfigError(msg)
    return fx


def apply_event(model: mujoco.MjModel, data: mujoco.MjData, event: SceneEvent) -> int:
    """Apply an event to the state; return for how many ticks the gripper is forced open."""
    kind, target = event.kind, event.target
    if kind in ("open", "close", "turn_on", "turn_off"):
        fx = _fixture(target, "open" if kind in ("open", "close") else "turned_on")
        active = kind in ("open", "turn_on")
        set_fixture(model, data, fx, fx.active_target if active else 0.0)
    elif kind == "move_kettle":
        if target not in BURNER_XY:
            msg = f"move_kettle target {target!r} unknown; valid burners: {', '.join(BURNER_XY)}"
            raise EmbodimentConfigError(msg)
        set_kettle(data, model, BURNER_XY[target], 0.0)
    elif kind == "drop":
        return 6
    elif kind == "place_person":
        distance = 0.0 if event.value is None else float(event.value)
        data.mocap_pos[0] = (PERSON_NEAR_STOVE_XY[0] + distance, PERSON_NEAR_STOVE_XY[1], 0.0)
    elif kind == "remove_person":
        data.mocap_pos[0] = (*PERSON_HIDDEN_XY, 0.0)
    else:
        msg = f"unknown event kind {kind!r}; valid kinds: {', '.join(EVENT_KINDS)}"
        raise EmbodimentConfigError(msg)
    mujoco.mj_forward(model, data)
    return 0
