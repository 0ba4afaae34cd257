"""The OpenCV baseline: per-predicate pixel masks on the overview camera, nearest template.

For every fixture, `calibrate` (in `skills.perception.calibrate`) renders the kitchen
once with the fixture inactive and once active, from the fixed overview camera; the
pixels that change form the predicate's region of interest, and their colours in both
renders are its two templates. At run time a door or switch is active when its region has
moved a good share of the way from the inactive template; a burner is on when its glow
pixels are red. The
kettle's burner is read the same way from one region per burner. Holding is not judged:
the classical detector has no view that separates a held kettle from an absent one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from embodiments.base import Frame
from embodiments.scene import Atom
from skills.perception.base import PredicateEstimate
from skills.perception.labels import BURNERS, FIXTURE_ATOMS, ON_ATOMS

DEFAULT_TEMPLATES = Path(__file__).with_name("data") / "classical.npz"
BLUR_KERNEL_PX = 3
CHANGE_SHARE = (
    0.6  # share of the inactive->active change that reads as active (fit on training seeds)
)
GLOW_SHARE = 0.15  # share of a burner's glow pixels that must be red
RED_MIN_LEVEL = 80.0
RED_MARGIN = 25.0


@dataclass(frozen=True, slots=True)
class Region:
    """Pixel coordinates of one region and its colours in the inactive and active renders."""

    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    inactive: NDArray[np.float32]  # K x 3
    active: NDArray[np.float32]  # K x 3


def region_from_pair(
    inactive: Frame, active: Frame, min_change: int = 30, dilate_px: int = 1
) -> Region:
    """The pixels that change between two renders, with both renders' blurred colours."""
    changed = np.abs(inactive.astype(np.int32) - active.astype(np.int32)).sum(axis=2) > min_change
    kernel = np.ones((2 * dilate_px + 1, 2 * dilate_px + 1), np.uint8)
    mask = cv2.dilate(changed.astype(np.uint8), kernel) > 0
    rows, cols = np.nonzero(mask)
    return Region(
        rows=rows.astype(np.int64),
        cols=cols.astype(np.int64),
        inactive=_blur(inactive)[rows, cols],
        active=_blur(active)[rows, cols],
    )


def _blur(frame: Frame) -> NDArray[np.float32]:
    blurred = cv2.blur(frame.astype(np.float32), (BLUR_KERNEL_PX, BLUR_KERNEL_PX))
    return np.asarray(blurred, dtype=np.float32)


def _confidence(score: float, threshold: float) -> float:
    return 0.5 + 0.5 * min(1.0, abs(score - threshold) / threshold)


def _changed(region: Region, blurred: NDArray[np.float32]) -> tuple[bool, float]:
    """Active when the region moved a good part of the way from its inactive look.

    A half-open door sits between the templates, so the share of the full change is a
    better cue than the nearer template.
    """
    pixels = blurred[region.rows, region.cols]
    full = float(np.abs(region.active - region.inactive).mean()) + 1e-6
    share = float(np.abs(pixels - region.inactive).mean()) / full
    return share > CHANGE_SHARE, _confidence(share, CHANGE_SHARE)


def _red(frame: NDArray[np.float32]) -> NDArray[np.bool_]:
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    return (r > RED_MIN_LEVEL) & (r > g + RED_MARGIN) & (r > b + RED_MARGIN)


def _glowing(region: Region, blurred: NDArray[np.float32]) -> tuple[bool, float]:
    """A burner is on when its glow pixels (red in the active template) are red now."""
    glow = _red(region.active) & ~_red(region.inactive)
    if not glow.any():
        return _changed(region, blurred)
    pixels = blurred[region.rows[glow], region.cols[glow]]
    share = float(_red(pixels).mean())
    return share > GLOW_SHARE, _confidence(share, GLOW_SHARE)


class ClassicalDetector:
    """Template matching in fixed regions of the overview camera. Build it with `load`."""

    name = "classical"

    def __init__(self, fixtures: Mapping[str, Region], burners: Mapping[str, Region]) -> None:
        self.fixtures = dict(fixtures)
        self.burners = dict(burners)

    @classmethod
    def load(cls, path: Path | str = DEFAULT_TEMPLATES) -> ClassicalDetector:
        """Read regions written by `save`."""
        with np.load(Path(path)) as z:
            regions = {
                key: Region(
                    z[f"{key}/rows"], z[f"{key}/cols"], z[f"{key}/inactive"], z[f"{key}/active"]
                )
                for key in {name.split("/")[0] for name in z.files}
            }
        fixtures = {str(a): regions[str(a)] for a in FIXTURE_ATOMS}
        burners = {str(a): regions[str(a)] for a in ON_ATOMS}
        return cls(fixtures, burners)

    def save(self, path: Path | str) -> None:
        """Write every region to one .npz file."""
        arrays: dict[str, NDArray[np.generic]] = {}
        for key, region in {**self.fixtures, **self.burners}.items():
            arrays[f"{key}/rows"] = region.rows
            arrays[f"{key}/cols"] = region.cols
            arrays[f"{key}/inactive"] = region.inactive
            arrays[f"{key}/active"] = region.active
        np.savez_compressed(Path(path), **arrays)  # type: ignore[arg-type]  # str keys are names

    def atoms(self) -> tuple[Atom, ...]:
        """The fixture atoms and the kettle's burner atoms (not holding)."""
        return (*FIXTURE_ATOMS, *ON_ATOMS)

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """Nearest-template decisions for every region of the overview frame."""
        blurred = _blur(frames["overview"])
        out: dict[str, PredicateEstimate] = {}
        for atom in FIXTURE_ATOMS:
            rule = _glowing if atom.args[0] in BURNERS else _changed
            value, confidence = rule(self.fixtures[str(atom)], blurred)
            out[str(atom)] = PredicateEstimate(
                atom=atom, value=value, confidence=confidence, detector=self.name
            )
        scores = [_changed(self.burners[str(a)], blurred) for a in ON_ATOMS]
        # The kettle stands on at most one burner: the most confident "kettle here" wins.
        signed = [c if v else 1.0 - c for v, c in scores]
        best = int(np.argmax(signed))
        for index, atom in enumerate(ON_ATOMS):
            value = index == best and signed[best] > 0.5
            confidence = signed[index] if value else max(1.0 - signed[index], 0.5)
            out[str(atom)] = PredicateEstimate(
                atom=atom, value=value, confidence=confidence, detector=self.name
            )
        if atoms is None:
            return out
        wanted = {str(a) for a in atoms}
        return {k: v for k, v in out.items() if k in wanted}
