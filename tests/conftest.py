"""Test-wide settings: offscreen MuJoCo on the CPU before anything imports it; clean logging."""

import os

os.environ.setdefault("MUJOCO_GL", "osmesa")
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _fresh_structlog() -> Iterator[None]:
    """Undo `configure_logging()` from CLI tests, so later tests capture every level."""
    yield
    structlog.reset_defaults()
