"""Test doubles for perception: synthetic frames, a scripted detector, a scripted VLM asker."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from embodiments.base import Embodiment, Frame, Observation, Proprioception
from embodiments.scene import Atom
from embodiments.testing import CELLS
from skills.base import CancelToken, SkillResult, SkillStatus
from skills.perception.base import PredicateEstimate
from skills.perception.labels import ALL_ATOMS
from skills.perception.looks import unsure_atoms


def fake_frame(seed: int = 0) -> Frame:
    """A random-looking, valid 128x128 RGB frame."""
    return np.random.default_rng(seed).integers(20, 255, (128, 128, 3), dtype=np.uint8)


def fake_observation(
    overview: object | None = None, wrist: object | None = None, ee_x_m: float = 0.0
) -> Observation:
    """An observation with the given frames (valid synthetic ones by default).

    Frames are typed `object` so tests can pass malformed ones on purpose.
    """
    frames = {
        "overview": fake_frame(1) if overview is None else overview,
        "wrist": fake_frame(2) if wrist is None else wrist,
    }
    proprio = Proprioception(
        joint_position_rad=np.zeros(7),
        joint_velocity_rad_s=np.zeros(7),
        gripper_opening_m=0.08,
        end_effector_position_m=np.array([ee_x_m, 0.0, 1.8]),
    )
    return Observation(frames=frames, proprio=proprio, time_s=0.0)  # type: ignore[arg-type]  # malformed frames are the point


class FakeDetector:
    """Answers from a script: one {atom text: (value, confidence)} map per call.

    The last map repeats once the script runs out; atoms it does not name read as
    false with confidence 0.99. `calls` counts how often `detect` ran;
    `frames_seen` keeps what it was shown.
    """

    def __init__(
        self,
        script: Sequence[Mapping[str, tuple[bool, float]]] = ({},),
        *,
        name: str = "fake",
    ) -> None:
        self.script = list(script) or [{}]
        self.name = name
        self.calls = 0
        self.frames_seen: list[Mapping[str, Frame]] = []

    def atoms(self) -> tuple[Atom, ...]:
        """Every kitchen atom."""
        return ALL_ATOMS

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """The next scripted answers."""
        answers = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        self.frames_seen.append(frames)
        out: dict[str, PredicateEstimate] = {}
        for atom in ALL_ATOMS if atoms is None else atoms:
            value, confidence = answers.get(str(atom), (False, 0.99))
            out[str(atom)] = PredicateEstimate(
                atom=atom, value=value, confidence=confidence, detector=self.name
            )
        return out


class FakeAsker:
    """A VLM stand-in: answers by question text, records every question it was asked."""

    def __init__(self, answers: Mapping[str, str], default: str = "no") -> None:
        self.answers = dict(answers)
        self.default = default
        self.questions: list[str] = []
        self.image_bytes: list[int] = []

    def __call__(self, text: str, png: bytes) -> str:
        """The scripted answer to the first key contained in the question."""
        self.questions.append(text)
        self.image_bytes.append(len(png))
        for key, answer in self.answers.items():
            if key in text:
                return answer
        return self.default


class CellDetector:
    """Reads the fake embodiment's painted cells from the overview frame.

    A real frame reader for unit tests of the agent loop: perturb the fake scene and the
    frames (and so this detector) change, with no script to keep in step.
    """

    name = "cells"

    def atoms(self) -> tuple[Atom, ...]:
        """The fixture atoms the fake embodiment paints."""
        return tuple(Atom.parse(text) for text in CELLS)

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """Each wanted cell's centre pixel: yellow is true, dark blue false."""
        image = frames["overview"]
        cell = image.shape[0] // 4
        wanted = set(self.atoms() if atoms is None else atoms)
        out: dict[str, PredicateEstimate] = {}
        for index, atom in enumerate(self.atoms()):
            if atom not in wanted:
                continue
            row, col = divmod(index, 4)
            red = int(image[row * cell + cell // 2, col * cell + cell // 2, 0])
            out[str(atom)] = PredicateEstimate(
                atom=atom, value=red > 128, confidence=0.99, detector=self.name
            )
        return out


@dataclass
class FakeLook:
    """A closer look (`CloserLook`) that moves nothing and counts its moves.

    `reader` (e.g. a `FakeDetector`) reads whatever frames the robot gives after a move.
    """

    reader: FakeDetector
    atoms: tuple[Atom, ...]
    min_confidence: float = 0.98
    reaches: bool = True
    name: str = "fake_look"
    moves: int = 0

    def wanted(self, confidence: Mapping[str, float]) -> tuple[Atom, ...]:
        """Its atoms judged below `min_confidence`."""
        return unsure_atoms(self.atoms, confidence, self.min_confidence)

    def move(self, robot: Embodiment, cancel: CancelToken) -> SkillResult:
        """Count the move; succeed when `reaches`."""
        del robot, cancel
        self.moves += 1
        if self.reaches:
            return SkillResult(SkillStatus.SUCCEEDED, "looking")
        return SkillResult(SkillStatus.FAILED, "no route to the look's posture")
