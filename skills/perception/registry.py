"""Detectors by name. Built-ins load their weights or templates only when asked for."""

from __future__ import annotations

from collections.abc import Callable

from embodiments.registry import Registry
from skills.perception.base import Detector
from skills.perception.errors import DetectorNotFoundError

DetectorFactory = Callable[[], Detector]

DETECTORS: Registry[DetectorFactory] = Registry(
    "detector", entry_point_group="steward.detectors", not_found=DetectorNotFoundError
)


@DETECTORS.register("learned")
def _learned() -> Detector:
    from skills.perception.learned import LearnedDetector  # noqa: PLC0415 - torch on demand

    return LearnedDetector.load()


@DETECTORS.register("classical")
def _classical() -> Detector:
    from skills.perception.classical import ClassicalDetector  # noqa: PLC0415 - lazy

    return ClassicalDetector.load()


@DETECTORS.register("fake")
def _fake() -> Detector:
    from skills.perception.testing import FakeDetector  # noqa: PLC0415 - lazy

    return FakeDetector()


@DETECTORS.register("cells")
def _cells() -> Detector:
    from skills.perception.testing import CellDetector  # noqa: PLC0415 - lazy

    return CellDetector()


def make_detector(name: str) -> Detector:
    """Build a registered detector; a miss names the closest and every valid name."""
    return DETECTORS.get(name)()


def detector_names() -> tuple[str, ...]:
    """Every registered detector name."""
    return DETECTORS.names()
