"""Planner test fixtures: real model calls are forbidden unless a test is marked `llm`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.llm import allow_model_calls
from skills.base import SkillSpec
from skills.registry import all_specs


@pytest.fixture(autouse=True)
def _no_model_calls(request: pytest.FixtureRequest) -> Iterator[None]:
    allow_model_calls(request.node.get_closest_marker("llm") is not None)
    yield
    allow_model_calls(True)


@pytest.fixture
def specs() -> tuple[SkillSpec, ...]:
    return all_specs()
