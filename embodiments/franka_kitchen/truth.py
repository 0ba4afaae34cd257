"""Scene truth of the kitchen, computed from the simulator state (evaluation only)."""

from __future__ import annotations

import mujoco
import numpy as np

from embodiments.franka_kitchen.layout import (
    BURNER_XY,
    FIXTURES,
    HANDLE_SITES,
    KETTLE_REST_Z,
    ON_BURNER_RADIUS_M,
    PERSON_HIDDEN_XY,
)
from embodiments.scene import Atom, Pose, SceneTruth

# gymnasium-robotics' task table (kitchen_env.OBS_ELEMENT_INDICES / GOALS / BONUS_THRESH),
# repeated here as data because importing the env module pulls the whole simulator.
GYM_TASKS: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "bottom burner": ((11, 12), (-0.88, -0.01)),
    "top burner": ((15, 16), (-0.92, -0.01)),
    "light switch": ((17, 18), (-0.69, -0.05)),
    "slide cabinet": ((19,), (0.37,)),
    "hinge cabinet": ((20, 21), (0.0, 1.45)),
    "microwave": ((22,), (-0.75,)),
    "kettle": ((23, 24, 25, 26, 27, 28, 29), (-0.23, 0.75, 1.62, 0.99, 0.0, 0.0, -0.06)),
}
GYM_THRESHOLD = 0.3
HOLD_LIFT_M = 0.03
HOLD_REACH_M = 0.09


def joint_value(model: mujoco.MjModel, data: mujoco.MjData, joint: str) -> float:
    """The scalar position of a hinge or slide joint."""
    return float(data.qpos[model.joint(joint).qposadr[0]])


def completed_tasks(qpos: np.ndarray) -> tuple[str, ...]:
    """The gymnasium-robotics Franka Kitchen tasks whose goal configuration holds now."""
    done = []
    for task, (idx, goal) in GYM_TASKS.items():
        if np.linalg.norm(qpos[list(idx)] - np.asarray(goal)) < GYM_THRESHOLD:
            done.append(task)
    return tuple(done)


def kettle_held(data: mujoco.MjData) -> bool:
    """Lifted off the stove with the handle between the fingers."""
    kettle_z = float(data.body("kettle").xpos[2])
    handle = data.site(HANDLE_SITES["kettle"]).xpos
    hand = data.site("end_effector").xpos
    fingers_closed = float(data.qpos[7] + data.qpos[8]) < 0.075
    return (
        kettle_z > KETTLE_REST_Z + HOLD_LIFT_M
        and float(np.linalg.norm(handle - hand)) < HOLD_REACH_M
        and fingers_closed
    )


def kettle_burner(data: mujoco.MjData) -> str | None:
    """The burner the kettle rests on, if any."""
    x, y, z = data.body("kettle").xpos
    if z > KETTLE_REST_Z + HOLD_LIFT_M:
        return None
    for burner, (bx, by) in BURNER_XY.items():
        if np.hypot(x - bx, y - by) < ON_BURNER_RADIUS_M:
            return burner
    return None


def person_pose(data: mujoco.MjData) -> Pose | None:
    """The person's pose, or None while the body is parked out of the scene."""
    pos = data.mocap_pos[0]
    if np.hypot(pos[0] - PERSON_HIDDEN_XY[0], pos[1] - PERSON_HIDDEN_XY[1]) < 1e-6:
        return None
    return Pose((float(pos[0]), float(pos[1]), float(pos[2])))


def scene_truth(model: mujoco.MjModel, data: mujoco.MjData) -> SceneTruth:
    """Every true atom, raw fixture joints, kettle pose, people and completed gym tasks."""
    atoms: set[Atom] = set()
    joints: dict[str, float] = {}
    for fx in FIXTURES:
        q = joint_value(model, data, fx.joint)
        joints[fx.joint] = q
        if fx.is_active(q):
            atoms.add(Atom(fx.predicate, (fx.entity,)))
    held = kettle_held(data)
    if held:
        atoms.add(Atom("holding", ("kettle",)))
    burner = None if held else kettle_burner(data)
    if burner is not None:
        atoms.add(Atom("on", ("kettle", burner)))
    kettle = data.body("kettle")
    kettle_pose = Pose(
        tuple(float(v) for v in kettle.xpos),  # type: ignore[arg-type]  # length 3 by MuJoCo
        tuple(float(v) for v in kettle.xquat),  # type: ignore[arg-type]  # length 4 by MuJoCo
    )
    person = person_pose(data)
    return SceneTruth(
        atoms=frozenset(atoms),
        joint_states=joints,
        object_poses={"kettle": kettle_pose},
        people=(person,) if person is not None else (),
        completed_tasks=completed_tasks(data.qpos),
        time_s=float(data.time),
    )
