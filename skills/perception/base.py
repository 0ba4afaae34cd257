"""The perception interface: detectors read camera frames and estimate predicates.

A detector maps named frames to one `PredicateEstimate` per atom it can judge, each with
a value, a confidence in [0.5, 1] and the detector's name. `perceive` turns one
observation into the `PerceivedScene` the planner sees. Nothing here reads scene truth.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from embodiments.base import Frame, Observation
from embodiments.scene import Atom
from skills.perception.frames import BadFramesError, check_frames, frame_sha256
from skills.perception.labels import OBJECTS
from skills.scene import PerceivedScene


@dataclass(frozen=True, slots=True, kw_only=True)
class PredicateEstimate:
    """One detector's belief about one atom: its value and how sure it is (0.5 .. 1)."""

    atom: Atom
    value: bool
    confidence: float
    detector: str
    camera: str = "overview"

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            msg = f"confidence={self.confidence!r} for {self.atom} must lie in [0, 1]"
            raise ValueError(msg)


@runtime_checkable
class Detector(Protocol):
    """Reads frames, returns estimates keyed by the atom's text, e.g. "open(microwave)"."""

    name: str

    def atoms(self) -> tuple[Atom, ...]:
        """Every atom this detector can judge."""
        ...

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """Estimates for `atoms` (default: all it can judge) from the given frames."""
        ...


def perceive(observation: Observation, detector: Detector) -> PerceivedScene:
    """The scene estimated from an observation's frames.

    Raises `BadFramesError` (with every problem found) when a frame is black, truncated
    or has the wrong shape: a bad frame is reported, never classified.
    """
    problems = check_frames(observation.frames)
    if problems:
        raise BadFramesError(problems)
    estimates = detector.detect(observation.frames)
    return PerceivedScene(
        objects=OBJECTS,
        atoms=frozenset(e.atom for e in estimates.values() if e.value),
        confidence={key: e.confidence for key, e in estimates.items()},
        frame_hashes=tuple(frame_sha256(f) for _, f in sorted(observation.frames.items())),
    )
