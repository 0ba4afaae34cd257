"""The learned detector: one small multi-head CNN over the overview and wrist frames.

Convolutional trunks over the overview (128 px, plus full-resolution crops of the
controls and of the knobs) and the wrist frame (shrunk to 64 px) feed a shared layer,
then one sigmoid per fixture predicate and a six-way softmax for the kettle (four
burners, held, elsewhere). Weights ship in `data/detector.pt`; rebuild them with
`python -m skills.perception.train --out skills/perception/data/detector.pt`.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Mapping
from pathlib import Path

import cv2
import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from embodiments.base import Frame
from embodiments.scene import Atom
from skills.perception.base import PredicateEstimate
from skills.perception.labels import (
    ALL_ATOMS,
    FIXTURE_ATOMS,
    HELD_CLASS,
    HOLDING,
    KETTLE_CLASSES,
    ON_ATOMS,
)

DEFAULT_WEIGHTS = Path(__file__).with_name("data") / "detector.pt"
WRIST_SIZE_PX = 64
OVERVIEW_SIZE_PX = 128
# Knobs, burners and light switch in the 128 px overview frame (from render differences).
CONTROLS_ROWS = (30, 94)
CONTROLS_COLS = (36, 100)
# The four burner knobs alone, with room for the camera jitter of the training renders.
KNOB_ROWS = (24, 56)
KNOB_COLS = (44, 76)


def conv_block(c_in: int, c_out: int, kernel: int = 3, stride: int = 2) -> nn.Sequential:
    """Convolution (padded to keep size / stride), batch norm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(
            c_in, c_out, kernel, stride=stride, padding=(kernel - stride + 1) // 2, bias=False
        ),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class KitchenNet(nn.Module):
    """Overview 3x128x128 and wrist 3x64x64 (floats in [-0.5, 0.5]) -> logits.

    A 4x4 patch embedding keeps every pixel's information at a sixteenth of the cost of
    a full-resolution first layer, so one frame runs in a few milliseconds on one core.
    The knobs, burner glow and light switch are a few pixels each, so a third trunk sees
    their region of the overview at full resolution. A kettle on a burner hides its
    glow, leaving the knob's few pixels as the only cue: a fourth trunk reads the knobs
    with a stride-1 first layer.
    """

    def __init__(self) -> None:
        super().__init__()
        self.overview = nn.Sequential(
            conv_block(3, 24, 4, 4), conv_block(24, 32), conv_block(32, 48), nn.Flatten()
        )
        self.wrist = nn.Sequential(conv_block(3, 16, 4, 4), conv_block(16, 32), nn.Flatten())
        self.controls = nn.Sequential(
            conv_block(3, 16), conv_block(16, 32), conv_block(32, 32), nn.Flatten()
        )
        self.knobs = nn.Sequential(
            conv_block(3, 24, stride=1), conv_block(24, 48), conv_block(48, 48), nn.Flatten()
        )
        self.shared = nn.Sequential(
            nn.Linear((48 + 32 + 32 + 48) * 8 * 8, 96), nn.ReLU(inplace=True), nn.Dropout(0.1)
        )
        self.fixture_head = nn.Linear(96, len(FIXTURE_ATOMS))
        self.kettle_head = nn.Linear(96, len(KETTLE_CLASSES))

    def forward(
        self, overview: torch.Tensor, wrist: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Fixture logits (N x 8) and kettle logits (N x 6)."""
        rows, cols = CONTROLS_ROWS, CONTROLS_COLS
        controls = overview[:, :, rows[0] : rows[1], cols[0] : cols[1]]
        knobs = overview[:, :, KNOB_ROWS[0] : KNOB_ROWS[1], KNOB_COLS[0] : KNOB_COLS[1]]
        features = torch.cat(
            [
                self.overview(overview),
                self.wrist(wrist),
                self.controls(controls),
                self.knobs(knobs),
            ],
            dim=1,
        )
        hidden = self.shared(features)
        return self.fixture_head(hidden), self.kettle_head(hidden)


Net = typing.TypeVar("Net", bound=nn.Module)


def load_weights(net: Net, path: Path | str, what: str, module: str, shipped: str) -> Net:
    """`net` with the weights at `path`.

    A missing file names the command that builds it:
    `python -m skills.perception.<module> --out skills/perception/data/<shipped>`.
    """
    try:
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        msg = (
            f"no {what} weights at {path}; build them with "
            f"`python -m skills.perception.{module} --out skills/perception/data/{shipped}`"
        )
        raise FileNotFoundError(msg) from None
    net.load_state_dict(state)
    return net


def to_tensor(images: NDArray[np.uint8]) -> torch.Tensor:
    """N x H x W x 3 uint8 -> N x 3 x H x W float in [-0.5, 0.5]."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255 - 0.5


def shrink_wrist(frame: Frame) -> Frame:
    """The wrist frame at the network's input size."""
    small = cv2.resize(frame, (WRIST_SIZE_PX, WRIST_SIZE_PX), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8)


def estimates_from_probabilities(
    fixture_p: NDArray[np.float32], kettle_p: NDArray[np.float32], detector: str
) -> dict[str, PredicateEstimate]:
    """One estimate per atom from sigmoid and softmax outputs of one sample."""
    out: dict[str, PredicateEstimate] = {}
    for atom, p in zip(FIXTURE_ATOMS, fixture_p, strict=True):
        value = bool(p > 0.5)
        out[str(atom)] = PredicateEstimate(
            atom=atom, value=value, confidence=float(max(p, 1 - p)), detector=detector
        )
    best = int(np.argmax(kettle_p))
    for index, atom in (*enumerate(ON_ATOMS), (HELD_CLASS, HOLDING)):
        value = best == index
        p = float(kettle_p[index])
        out[str(atom)] = PredicateEstimate(
            atom=atom,
            value=value,
            confidence=p if value else 1.0 - p,
            detector=detector,
            camera="overview+wrist",
        )
    return out


class LearnedDetector:
    """The multi-head CNN behind the `Detector` protocol. Build it with `load`."""

    name = "learned"

    def __init__(self, net: KitchenNet) -> None:
        self.net = net.eval()

    @classmethod
    def load(cls, path: Path | str = DEFAULT_WEIGHTS) -> LearnedDetector:
        """Read weights saved by `skills.perception.train` (no network access)."""
        return cls(load_weights(KitchenNet(), path, "detector", "train", "detector.pt"))

    def atoms(self) -> tuple[Atom, ...]:
        """Every fixture, kettle and holding atom."""
        return ALL_ATOMS

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """One forward pass over both cameras; every atom is estimated, then filtered."""
        overview = to_tensor(frames["overview"][None])
        wrist = to_tensor(shrink_wrist(frames["wrist"])[None])
        with torch.inference_mode():
            fixture_logits, kettle_logits = self.net(overview, wrist)
        estimates = estimates_from_probabilities(
            torch.sigmoid(fixture_logits)[0].numpy(),
            torch.softmax(kettle_logits, dim=1)[0].numpy(),
            self.name,
        )
        if atoms is None:
            return estimates
        wanted = {str(a) for a in atoms}
        return {k: v for k, v in estimates.items() if k in wanted}
