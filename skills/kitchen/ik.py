"""Inverse kinematics by damped least squares with random restarts, on a scratch copy.

The Jacobian controller is local: from a folded start pose it can stall against a
joint limit. Solving the pre-grasp pose here first (kinematics only, nothing moves)
gives a joint-space goal to move to, and a posture for the controller's null space.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def body_tree(model: mujoco.MjModel, body: str) -> frozenset[int]:
    """The free body `body` and every body attached below it."""
    root = model.body(body).id
    return frozenset(b for b in range(model.nbody) if model.body_rootid[b] == root)


def _robot_bodies(model: mujoco.MjModel) -> frozenset[int]:
    return frozenset(b for b in range(model.nbody) if model.body(b).name.startswith("panda0"))


@dataclass(frozen=True)
class Carried:
    """A free body held in the gripper: collision checks move it with the hand.

    Ignoring a carried kettle would let a path swing it through the microwave or the
    knobs; treating it as part of the arm keeps it out of them too. A body held by a
    bar (`pivot_*`) hangs from it: when the hand tilts about the bar the body swings
    back under it, so it is posed rigidly with the hand, then turned about the bar
    until it is as upright as it can be. Paths must keep it above `min_z` and within
    `max_tilt_rad` of upright (a tilted bar lets it slide).
    """

    root: int
    bodies: frozenset[int]
    qpos_adr: int
    in_hand_position: FloatArray
    in_hand_rotation: FloatArray
    up_in_body: FloatArray
    pivot_in_hand: FloatArray | None = None  # the bar's centre; the bar runs along hand x
    min_z: float = -np.inf
    max_tilt_rad: float = np.pi

    @classmethod
    def grasped(
        cls,
        kitchen: FrankaKitchen,
        body: str,
        *,
        pivot_site: str | None = None,
        min_z: float = -np.inf,
        max_tilt_rad: float = np.pi,
    ) -> Carried:
        """`body` (a free body, with everything attached to it) where the hand holds it now.

        `pivot_site` names the bar it hangs from, which runs along the hand's x axis
        (across the approach, between the fingers).
        """
        model, data = kitchen.model, kitchen.data
        root = model.body(body).id
        site = model.site("end_effector").id
        hand_rot = data.site_xmat[site].reshape(3, 3)
        body_rot = data.xmat[root].reshape(3, 3)
        pivot = None
        if pivot_site is not None:
            pivot = hand_rot.T @ (data.site(pivot_site).xpos - data.site_xpos[site])
        return cls(
            root=root,
            bodies=body_tree(model, body),
            qpos_adr=int(model.jnt_qposadr[model.body_jntadr[root]]),
            in_hand_position=hand_rot.T @ (data.xpos[root] - data.site_xpos[site]),
            in_hand_rotation=hand_rot.T @ body_rot,
            up_in_body=body_rot.T @ np.array([0.0, 0.0, 1.0]),
            pivot_in_hand=pivot,
            min_z=min_z,
            max_tilt_rad=max_tilt_rad,
        )

    def follow_hand(self, model: mujoco.MjModel, data: mujoco.MjData) -> None:
        """Pose the body in `data` where the hand (already posed by kinematics) holds it."""
        site = model.site("end_effector").id
        hand_rot = data.site_xmat[site].reshape(3, 3)
        hand_pos = data.site_xpos[site]
        rot = hand_rot @ self.in_hand_rotation
        pos = hand_pos + hand_rot @ self.in_hand_position
        if self.pivot_in_hand is not None:
            bar = hand_pos + hand_rot @ self.pivot_in_hand
            axis = hand_rot[:, 0]
            swing = rotation_about(axis, _upright_angle(rot @ self.up_in_body, axis))
            rot = swing @ rot
            pos = bar + swing @ (pos - bar)
        quat = np.zeros(4)
        mujoco.mju_mat2Quat(quat, rot.reshape(-1))
        data.qpos[self.qpos_adr : self.qpos_adr + 3] = pos
        data.qpos[self.qpos_adr + 3 : self.qpos_adr + 7] = quat

    def carried_well(self, data: mujoco.MjData) -> bool:
        """Whether the body, posed by `follow_hand`, is high and upright enough."""
        body_rot = data.xmat[self.root].reshape(3, 3)
        up = float((body_rot @ self.up_in_body)[2])
        high = float(data.xpos[self.root][2]) >= self.min_z
        return high and up >= float(np.cos(self.max_tilt_rad))


def _upright_angle(up: FloatArray, axis: FloatArray) -> float:
    """The turn about `axis` that brings `up` closest to the world's vertical."""
    vertical = np.array([0.0, 0.0, 1.0])
    u = up - axis * float(up @ axis)
    v = vertical - axis * float(vertical @ axis)
    if np.linalg.norm(u) < 1e-9 or np.linalg.norm(v) < 1e-9:
        return 0.0
    return float(np.arctan2(float(axis @ np.cross(u, v)), float(u @ v)))


def in_collision(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    robot: frozenset[int],
    ignore: frozenset[int] = frozenset(),
    carried: Carried | None = None,
) -> bool:
    """Whether the arm (and what it carries), posed in `data`, penetrates anything else.

    Contacts with `ignore` do not count.
    """
    if carried is not None:
        mujoco.mj_kinematics(model, data)
        carried.follow_hand(model, data)
        robot = robot | carried.bodies
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
    carried: Carried | None = None,
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
                if not in_collision(model, data, robot_bodies, ignore_bodies, carried):
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
    kitchen: FrankaKitchen,
    start: FloatArray,
    goal: FloatArray,
    *,
    samples: int = 12,
    carried: Carried | None = None,
) -> bool:
    """Whether the straight joint-space path from `start` to `goal` stays out of contact.

    With a `carried` body, it must stay clear too, and high and level enough.
    """
    data = mujoco.MjData(kitchen.model)
    data.qpos[:] = kitchen.data.qpos
    robot = _robot_bodies(kitchen.model)
    for t in np.linspace(0.0, 1.0, samples)[1:]:
        data.qpos[:N_ARM] = start + (goal - start) * t
        if in_collision(kitchen.model, data, robot, carried=carried):
            return False
        if carried is not None and not carried.carried_well(data):
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
    carried: Carried | None = None,
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
                kitchen,
                point,
                q,
                restarts=1,
                iterations=500,
                carried=carried,
                ignore_bodies=ignore_bodies,
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
