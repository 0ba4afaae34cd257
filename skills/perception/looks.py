"""Closer looks: moving a camera to see what the usual view could not, then reading it.

A `CloserLook` says which unsure atoms it can settle (`wanted`), moves the robot so a
camera has its view (`move`, every command through the embodiment, so through the
action shield), and reads the frames taken there (`reader`). The kitchen's knob look
lives in `skills.perception.knob_look`; `skills.perception.testing` has a double.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from embodiments.base import Embodiment
from embodiments.scene import Atom
from skills.base import CancelToken, SkillResult
from skills.perception.base import Detector


class CloserLook(Protocol):
    """When to look closer, how to get there, and how to read what is seen."""

    @property
    def name(self) -> str:
        """The look's name in logs, e.g. "knob_look"."""
        ...

    @property
    def reader(self) -> Detector:
        """Reads the frames taken at the look's view."""
        ...

    def wanted(self, confidence: Mapping[str, float]) -> tuple[Atom, ...]:
        """The atoms of `confidence` (atom -> confidence) unsure enough to look at."""
        ...

    def move(self, robot: Embodiment, cancel: CancelToken) -> SkillResult:
        """Move so the camera has the look's view; the result says whether it got there."""
        ...


def unsure_atoms(
    atoms: Iterable[Atom], confidence: Mapping[str, float], below: float
) -> tuple[Atom, ...]:
    """Those of `atoms` that `confidence` judges (its keys) with less than `below`."""
    return tuple(a for a in atoms if str(a) in confidence and confidence[str(a)] < below)
