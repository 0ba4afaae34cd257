"""Fixtures for perception tests: one simulated kitchen per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from embodiments.franka_kitchen.env import FrankaKitchen


@pytest.fixture(scope="module")
def kitchen() -> Iterator[FrankaKitchen]:
    """The MuJoCo kitchen (loaded only by tests that ask for it)."""
    from embodiments.franka_kitchen.env import FrankaKitchen  # noqa: PLC0415 - simulator

    env = FrankaKitchen()
    yield env
    env.close()
