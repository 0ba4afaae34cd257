"""Builds the kitchen's MuJoCo model from gymnasium-robotics' XML, with Steward's additions.

Added with `mujoco.MjSpec`: a fixed overview camera of the whole work area, a wrist
camera on the Franka's hand, and a person-sized mocap body (hidden until an event
places it). None of these adds degrees of freedom, so the gymnasium-robotics
environment keeps its state layout.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import mujoco
import numpy as np

from embodiments.franka_kitchen.config import KitchenConfig
from embodiments.franka_kitchen.layout import PERSON_HIDDEN_XY

# The overview camera frames the stove, microwave, cabinets and arm (gymnasium's
# default free camera: lookat (-0.2, 0.5, 2.0), distance 2.2, azimuth 70, elevation -35).
OVERVIEW_LOOKAT = np.array([-0.2, 0.5, 2.0])
OVERVIEW_DISTANCE_M = 2.2
OVERVIEW_AZIMUTH_DEG = 70.0
OVERVIEW_ELEVATION_DEG = -35.0
FINGER_KP = 2500.0


def kitchen_env_class() -> Any:  # noqa: ANN401 - gymnasium-robotics ships no type hints
    """gymnasium-robotics' KitchenEnv class, imported without its start-up notice.

    On first import gymnasium-robotics prints a notice about its Adroit hand
    environments' rewards to stderr; it has nothing to do with the kitchen and only
    confuses the person at the terminal.
    """
    with contextlib.redirect_stderr(io.StringIO()):
        from gymnasium_robotics.envs.franka_kitchen import kitchen_env  # noqa: PLC0415

    return kitchen_env.KitchenEnv


def kitchen_xml_path() -> Path:
    """Path of gymnasium-robotics' kitchen model XML."""
    import gymnasium_robotics  # noqa: PLC0415 - heavy import, only when building the model

    root = Path(gymnasium_robotics.__file__).parent / "envs" / "assets" / "kitchen_franka"
    return root / "kitchen_assets" / "kitchen_env_model.xml"


def _look_at_xyaxes(pos: np.ndarray, target: np.ndarray) -> list[float]:
    forward = target - pos
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, np.array([0.0, 0.0, 1.0]))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return [*right.tolist(), *up.tolist()]


def overview_camera_pose() -> tuple[list[float], list[float]]:
    """Position and xyaxes of the overview camera."""
    az, el = np.deg2rad(OVERVIEW_AZIMUTH_DEG), np.deg2rad(OVERVIEW_ELEVATION_DEG)
    forward = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
    pos = OVERVIEW_LOOKAT - OVERVIEW_DISTANCE_M * forward
    return pos.tolist(), _look_at_xyaxes(pos, OVERVIEW_LOOKAT)


def build_spec(config: KitchenConfig) -> mujoco.MjSpec:
    """The kitchen spec with cameras and the person body added."""
    spec = mujoco.MjSpec.from_file(str(kitchen_xml_path()))
    quality = spec.visual.quality
    if not config.shadows:
        quality.shadowsize = 0
    if not config.multisampling:
        quality.offsamples = 0
    spec.visual.global_.offwidth = max(config.image_width_px, 640)
    spec.visual.global_.offheight = max(config.image_height_px, 480)

    # The gymnasium model's finger servos (kp 500) squeeze a 6 cm handle with about 16 N,
    # and a carried kettle swings loose. A Franka Hand grasps with up to 70 N: stiffen the
    # servos so a closed command reaches that force (the force range stays +-70 N).
    for name in ("r_gripper_finger_joint", "l_gripper_finger_joint"):
        act = spec.actuator(name)
        act.gainprm[0] = FINGER_KP
        act.biasprm[1] = -FINGER_KP

    pos, xyaxes = overview_camera_pose()
    spec.worldbody.add_camera(name="overview", pos=pos, xyaxes=xyaxes, fovy=45.0)
    hand = spec.body("panda0_link7")
    # Looks along the gripper (the flange's +z) from just behind the fingers.
    hand.add_camera(name="wrist", pos=[0.0, -0.07, 0.12], xyaxes=[1, 0, 0, 0, -1, 0], fovy=80.0)

    person = spec.worldbody.add_body(name="person", mocap=True, pos=[*PERSON_HIDDEN_XY, 0.0])
    skin = [0.85, 0.62, 0.5, 1.0]
    person.add_geom(
        name="person_torso",
        type=mujoco.mjtGeom.mjGEOM_CAPSULE,
        size=[0.18, 0.45, 0.0],
        pos=[0, 0, 1.0],
        rgba=[0.2, 0.35, 0.75, 1.0],
        contype=0,
        conaffinity=0,
    )
    person.add_geom(
        name="person_head",
        type=mujoco.mjtGeom.mjGEOM_SPHERE,
        size=[0.12, 0.0, 0.0],
        pos=[0, 0, 1.72],
        rgba=skin,
        contype=0,
        conaffinity=0,
    )
    return spec


def build_model(config: KitchenConfig) -> mujoco.MjModel:
    """Compile the kitchen model."""
    return build_spec(config).compile()
