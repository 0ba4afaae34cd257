"""Inverse kinematics by damped least squares with random restarts, on a scratch copy.

The Jacobian controller is local: from a folded start pose it can stall against a
joint limit. Solving the pre-grasp pose here first (kinematics only, nothing moves)
gives a joint-space goal to move to, and a posture for the controller's null space.
"""

from __future__ import annotations

import mujoco
import numpy as np

from embodiments.base import FloatArray
from embodiments.franka_kitchen.env import FrankaKitchen
from skills.kitchen.control import Pose, rotation_about, rotation_error

N_ARM = 7
MARGIN_RAD = 0.05


PENETRATION_M = 0.004
COMFORT_RAD = 0.45
CROWDING_WEIGHT = 60.0
STEP_RAD = 0.08


def _robot_bodies(model: mujoco.MjModel) -> frozenset[int]:
    return frozenset(b for b in range(model.nbody) if model.body(b).name.startswith("panda0"))


def in_collision(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    robot: frozenset[int],
    ignore: frozenset[int] = frozenset(),
) -> bool:
    """Whether the arm, posed in `data`, penetrates anything but itself and `ignore`."""
    mujoco.mj_forward(model, data)
    for i in range(data.ncon):
        con = data.contact[i]
        a, b = model.geom_bodyid[con.geom1], model.geom_bodyid[con.geom2]
        if a in ignore or b in ignore:
            continue
        if (a in robot) != (b in robot) and con.dist < -PENETRATION_M:
            return True
    return False


def solve_ik(
    kitchen: FrankaKitchen,
    target: Pose,
    seed_q: FloatArray,
    *,
    restarts: int = 24,
    iterations: int = 150,
    rng_seed: int = 0,
    ignore_bodies: frozenset[int] = frozenset(),
) -> FloatArray | None:
    """A joint configuration reaching `target`, preferring ones near `seed_q`; None if none."""
    model = kitchen.model
    data = mujoco.MjData(model)
    data.qpos[:] = kitchen.data.qpos
    lim = kitchen.limits
    low = lim.joint_position_min_rad + MARGIN_RAD
    high = lim.joint_position_max_rad - MARGIN_RAD
    site = model.site("end_effector").id
    rng = np.random.default_rng(rng_seed)
    robot_bodies = _robot_bodies(model)
    found: list[FloatArray] = []
    for attempt in range(restarts):
        q = np.clip(seed_q, low, high) if attempt == 0 else rng.uniform(low, high)
        for _ in range(iterations):
            data.qpos[:N_ARM] = q
            mujoco.mj_kinematics(model, data)
            mujoco.mj_comPos(model, data)
            jacp = np.zeros((3, model.nv))
            jacr = np.zeros((3, model.nv))
            mujoco.mj_jacSite(model, data, jacp, jacr, site)
            jac = np.vstack([jacp[:, :N_ARM], jacr[:, :N_ARM]])
            err = np.concatenate(
                [
                    target.position - data.site_xpos[site],
                    rotation_error(target.rotation, data.site_xmat[site].reshape(3, 3)),
                ]
            )
            if np.linalg.norm(err[:3]) < 0.002 and np.linalg.norm(err[3:]) < 0.01:
                if not in_collision(model, data, robot_bodies, ignore_bodies):
                    found.append(q.copy())
                break
            dq = jac.T @ np.linalg.solve(jac @ jac.T + 1e-4 * np.eye(6), err)
            q = np.clip(q + 0.5 * dq, low, high)
        if len(found) >= 4:
            break
    if not found:
        return None
    # Prefer solutions near the current posture that leave room at every joint limit,
    # so the next motion does not start pinned against one.
    room = np.minimum(
        [s - lim.joint_position_min_rad for s in found],
        [lim.joint_position_max_rad - s for s in found],
    )
    crowding = (np.clip(COMFORT_RAD - room, 0.0, None) ** 2).sum(axis=1)
    costs = [
        float(np.linalg.norm(s - seed_q)) + CROWDING_WEIGHT * c
        for s, c in zip(found, crowding, strict=True)
    ]
    return found[int(np.argmin(costs))]


def joint_path_clear(
    kitchen: FrankaKitchen, start: FloatArray, goal: FloatArray, *, samples: int = 12
) -> bool:
    """Whether the straight joint-space path from `start` to `goal` stays out of contact."""
    data = mujoco.MjData(kitchen.model)
    data.qpos[:] = kitchen.data.qpos
    robot = _robot_bodies(kitchen.model)
    for t in np.linspace(0.0, 1.0, samples)[1:]:
        data.qpos[:N_ARM] = start + (goal - start) * t
        if in_collision(kitchen.model, data, robot):
            return False
    return True


def line_clear(kitchen: FrankaKitchen, start: Pose, goal: Pose, seed_q: FloatArray) -> bool:
    """Whether the gripper can move in a straight line from `start` to `goal` without contact."""
    q = seed_q
    for t in (0.25, 0.5, 0.75):
        point = Pose(start.position + (goal.position - start.position) * t, goal.rotation)
        sol = solve_ik(kitchen, point, q, restarts=1)
        if sol is None:
            return False
        q = sol
    return True


def cartesian_path(
    kitchen: FrankaKitchen,
    start_q: FloatArray,
    waypoints: list[Pose],
    *,
    step_m: float = 0.015,
    max_jump_rad: float = 0.35,
    ignore_bodies: frozenset[int] = frozenset(),
) -> list[FloatArray] | None:
    """Joint configurations that move the gripper along straight segments through `waypoints`.

    Each point is solved from the previous solution (continuation), so the joint path is
    continuous; a point that cannot be solved, or only by a jump, makes the path fail.
    """
    model = kitchen.model
    data = mujoco.MjData(model)
    data.qpos[:] = kitchen.data.qpos
    data.qpos[:N_ARM] = start_q
    mujoco.mj_kinematics(model, data)
    site = model.site("end_effector").id
    here = Pose(data.site_xpos[site].copy(), data.site_xmat[site].reshape(3, 3).copy())
    path: list[FloatArray] = []
    q = start_q
    for goal in waypoints:
        turn = rotation_error(goal.rotation, here.rotation)
        angle = float(np.linalg.norm(turn))
        n = max(
            1,
            int(np.ceil(np.linalg.norm(goal.position - here.position) / step_m)),
            int(np.ceil(angle / STEP_RAD)),
        )
        for i in range(1, n + 1):
            rot = (
                rotation_about(turn, angle * i / n) @ here.rotation
                if angle > 1e-6
                else here.rotation
            )
            point = Pose(here.position + (goal.position - here.position) * (i / n), rot)
            sol = solve_ik(
                kitchen, point, q, restarts=1, iterations=500, ignore_bodies=ignore_bodies
            )
            if sol is None or float(np.max(np.abs(sol - q))) > max_jump_rad:
                return None
            path.append(sol)
            q = sol
        here = goal
    return path


def blocking_bodies(kitchen: FrankaKitchen, target: Pose, seed_q: FloatArray) -> tuple[str, ...]:
    """Names of the bodies the arm would penetrate at the nearest IK solution of `target`."""
    everything = frozenset(range(kitchen.model.nbody))
    sol = solve_ik(kitchen, target, seed_q, ignore_bodies=everything)
    if sol is None:
        return ()
    model = kitchen.model
    data = mujoco.MjData(model)
    data.qpos[:] = kitchen.data.qpos
    data.qpos[:N_ARM] = sol
    mujoco.mj_forward(model, data)
    robot = _robot_bodies(model)
    names = set()
    for i in range(data.ncon):
        con = data.contact[i]
        a, b = model.geom_bodyid[con.geom1], model.geom_bodyid[con.geom2]
        if (a in robot) != (b in robot) and con.dist < -PENETRATION_M:
            names.add(model.body(b if a in robot else a).name)
    return tuple(sorted(names))
