"""The Franka Kitchen embodiment (gymnasium-robotics FrankaKitchen-v1 on MuJoCo).

MuJoCo picks its OpenGL backend when it is first imported, so the default offscreen
CPU renderer (OSMesa) is chosen here, before any submodule imports MuJoCo. Set
MUJOCO_GL=egl (GPU) or glfw (a screen) in the environment to override it.
"""

import os

os.environ.setdefault("MUJOCO_GL", "osmesa")
if os.environ["MUJOCO_GL"] == "osmesa":
    os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
