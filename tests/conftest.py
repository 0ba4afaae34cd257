"""Test-wide settings: offscreen MuJoCo on the CPU before anything imports it; clean logging."""

import os

os.environ.setdefault("MUJOCO_GL", "osmesa")
os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
import structlog

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(autouse=True)
def _fresh_structlog() -> Iterator[None]:
    """Undo `configure_logging()` from CLI tests, so later tests capture every level."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def benchmark_script() -> Callable[[str], ModuleType]:
    """Import a script from `benchmarks/` by name (they are scripts, not a package)."""

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses in the script look their module up here
        spec.loader.exec_module(module)
        return module

    return load
