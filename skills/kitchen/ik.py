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
from skills.kitchen.control import Pose, rotation_error

N_ARM = 7
MARGIN_RAD = 0.05


def solve_ik(
    kitchen: FrankaKitchen,
    target: Pose,
    seed_q: FloatArray,
    *,
    restarts: int = 24,
    iterations: int = 150,
    rng_seed: int = 0,
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
                found.append(q.copy())
                break
            dq = jac.T @ np.linalg.solve(jac @ jac.T + 1e-4 * np.eye(6), err)
            q = np.clip(q + 0.5 * dq, low, high)
        if len(found) >= 4:
            break
    if not found:
        return None
    return min(found, key=lambda sol: float(np.linalg.norm(sol - seed_q)))
