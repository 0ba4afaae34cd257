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
from embodiments.png import png_sha256
from embodiments.scene import Atom
from skills.perception.frames import BadFramesError, check_frames
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


def perceive(
    observation: Observation, detector: Detector, *others: Detector, min_confidence: float = 0.9
) -> PerceivedScene:
    """The scene estimated from an observation's frames.

    `detector` judges every atom; atoms it is unsure of (confidence below
    `min_confidence`) are cross-checked by each of `others` in turn, averaging the
    detectors' probabilities. Raises `BadFramesError` (with every problem found) when a
    frame is black, truncated or has the wrong shape: a bad frame is reported, never
    classified.
    """
    problems = check_frames(observation.frames)
    if problems:
        raise BadFramesError(problems)
    estimates = detector.detect(observation.frames)
    for other in others:
        judged = {str(a) for a in other.atoms()}
        unsure = [e.atom for e in estimates.values() if e.confidence < min_confidence]
        wanted = [a for a in unsure if str(a) in judged]
        if not wanted:
            break
        for key, second in other.detect(observation.frames, wanted).items():
            estimates[key] = average(estimates[key], second)
    return PerceivedScene(
        objects=OBJECTS,
        atoms=frozenset(e.atom for e in estimates.values() if e.value),
        confidence={key: e.confidence for key, e in estimates.items()},
        frame_hashes=tuple(png_sha256(f) for _, f in sorted(observation.frames.items())),
    )


def average(first: PredicateEstimate, second: PredicateEstimate) -> PredicateEstimate:
    """Two detectors' estimates of one atom, merged by averaging P(atom is true)."""
    p_true = 0.5 * sum(e.confidence if e.value else 1.0 - e.confidence for e in (first, second))
    return PredicateEstimate(
        atom=first.atom,
        value=p_true > 0.5,
        confidence=max(p_true, 1.0 - p_true),
        detector=f"{first.detector}+{second.detector}",
        camera=first.camera,
    )
