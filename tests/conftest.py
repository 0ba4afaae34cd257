"""Test-wide settings: offscreen MuJoCo on the CPU before anything imports it."""

import os

os.environ.setdefault("MUJOCO_GL", "osmesa")
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
