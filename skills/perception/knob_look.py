"""A closer look at the burner knobs: the wrist camera with the arm at `KNOB_LOOK_Q`.

The overview camera cannot always judge a knob: an open hinge-cabinet door can hide the
top-left knob, and a kettle standing on its burner hides the glow (the learned detector's
held-out misses are such states). With the arm at the look posture the wrist camera sees
all four knobs from about 0.3 m, where nothing in the kitchen hides them, and a small CNN
reads them. `KnobLook` pairs that reader with the motion that gets the camera there; the
agent asks for it when the overview's confidence in a knob is below `LOOK_CONFIDENCE` and
the hand is empty (a carried kettle would swing through the view).

Weights ship in `data/knob_look.pt`; rebuild them with
`python -m skills.perception.knob_train --out skills/perception/data/knob_look.pt`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from embodiments.base import Embodiment, Frame
from embodiments.scene import Atom
from skills.base import CancelToken, SkillResult
from skills.perception.base import PredicateEstimate
from skills.perception.labels import BURNERS, FIXTURE_ATOMS
from skills.perception.learned import conv_block, load_weights, to_tensor
from skills.perception.looks import unsure_atoms

DEFAULT_WEIGHTS = Path(__file__).with_name("data") / "knob_look.pt"
KNOB_ATOMS: tuple[Atom, ...] = tuple(Atom("turned_on", (b,)) for b in BURNERS)
KNOB_COLUMNS: tuple[int, ...] = tuple(FIXTURE_ATOMS.index(a) for a in KNOB_ATOMS)
"""Where the knob atoms sit among the fixture labels of a `FrameSet`."""
LOOK_SIZE_PX = 128
LOOK_CONFIDENCE = 0.98
"""Below this confidence in a knob from the usual view, look closer. The learned
detector's held-out misses had 0.53-0.97 confidence; 6.7% of the benchmark's held-out
states with an empty hand have a knob below 0.98."""


class KnobNet(nn.Module):
    """Wrist frame at the look posture, 3x128x128 in [-0.5, 0.5] -> four knob logits.

    Four stride-2 blocks down to 8x8, then a linear layer over the whole map: which
    knob is which depends on where it is in the frame, so nothing pools it away.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            conv_block(3, 16, 5), conv_block(16, 32), conv_block(32, 48), conv_block(48, 64)
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(64 * 8 * 8, 64),
            nn.ReLU(inplace=True),
            nn.Linear(64, len(KNOB_ATOMS)),
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Knob logits, N x 4."""
        logits: torch.Tensor = self.head(self.trunk(frames))
        return logits


def look_frame(frame: Frame) -> Frame:
    """A wrist frame at the network's input size."""
    if frame.shape[:2] == (LOOK_SIZE_PX, LOOK_SIZE_PX):
        return frame
    resized = cv2.resize(frame, (LOOK_SIZE_PX, LOOK_SIZE_PX), interpolation=cv2.INTER_AREA)
    return np.asarray(resized, dtype=np.uint8)


class KnobReader:
    """Reads the four knobs from a wrist frame taken at the look posture (a `Detector`).

    Only frames from the look posture mean anything to it: `KnobLook` takes them.
    """

    name = "knob_look"

    def __init__(self, net: KnobNet) -> None:
        self.net = net.eval()

    @classmethod
    def load(cls, path: Path | str = DEFAULT_WEIGHTS) -> KnobReader:
        """Read weights saved by `skills.perception.knob_train` (no network access)."""
        return cls(load_weights(KnobNet(), path, "knob-look", "knob_train", "knob_look.pt"))

    def atoms(self) -> tuple[Atom, ...]:
        """The four burner knobs."""
        return KNOB_ATOMS

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """Estimates for the knobs from the wrist frame."""
        with torch.inference_mode():
            logits = self.net(to_tensor(look_frame(frames["wrist"])[None]))
        probabilities = torch.sigmoid(logits)[0].numpy()
        wanted = set(KNOB_ATOMS if atoms is None else atoms)
        return {
            str(atom): PredicateEstimate(
                atom=atom,
                value=bool(p > 0.5),
                confidence=float(max(p, 1 - p)),
                detector=self.name,
                camera="wrist",
            )
            for atom, p in zip(KNOB_ATOMS, probabilities, strict=True)
            if atom in wanted
        }


Mover = Callable[[Embodiment, CancelToken], SkillResult]
"""Moves the robot so its camera has the look's view; the result says whether it got there."""


@dataclass(frozen=True)
class KnobLook:
    """The knob look (a `CloserLook`): knobs below `min_confidence`, the arm to the posture."""

    reader: KnobReader
    mover: Mover
    min_confidence: float = LOOK_CONFIDENCE
    name: str = "knob_look"

    def move(self, robot: Embodiment, cancel: CancelToken) -> SkillResult:
        """Move the wrist camera to the knob-look posture."""
        return self.mover(robot, cancel)

    def wanted(self, confidence: Mapping[str, float]) -> tuple[Atom, ...]:
        """The knob atoms judged (keys of `confidence`) with less than `min_confidence`."""
        return unsure_atoms(KNOB_ATOMS, confidence, self.min_confidence)


def knob_look(min_confidence: float = LOOK_CONFIDENCE) -> KnobLook:
    """The kitchen's knob look: shipped weights, the scripted arm motion to the posture."""
    from skills.kitchen.look import look_at_knobs  # noqa: PLC0415 - loads the simulator

    return KnobLook(KnobReader.load(), look_at_knobs, min_confidence)
