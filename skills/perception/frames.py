"""Frame checks before any detector runs: black, frozen, truncated, wrong size or type.

A problem is a typed value, so the verifier can re-observe and the step log can say
exactly what was wrong with which camera. Frames are named by
`embodiments.png.png_sha256`, the name the step log's frame store gives them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from embodiments.base import Frame

ProblemKind = Literal["missing", "wrong_type", "wrong_shape", "black", "truncated", "frozen"]
EXPECTED_SHAPE = (128, 128, 3)
CAMERAS = ("overview", "wrist")
BLACK_MAX_LEVEL = 8  # every pixel at or below this (of 255) reads as a dead camera
TRUNCATED_MIN_ROWS = 4  # this many all-zero rows at the bottom: the buffer was cut short


@dataclass(frozen=True, slots=True)
class FrameProblem:
    """What is wrong with one camera's frame."""

    camera: str
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return f"{self.camera}: {self.kind} ({self.detail})"


class BadFramesError(RuntimeError):
    """The frames cannot be classified; re-observe, and stop the run if it persists."""

    def __init__(self, problems: tuple[FrameProblem, ...]) -> None:
        self.problems = problems
        listed = "; ".join(str(p) for p in problems)
        super().__init__(
            f"bad camera frames: {listed}. Re-observe; check the cameras if it persists"
        )


def check_frame(
    camera: str,
    frame: object,
    *,
    previous: Frame | None = None,
    moved: bool = False,
    expected_shape: tuple[int, int, int] = EXPECTED_SHAPE,
) -> FrameProblem | None:
    """The first problem with one frame, or None when it can be classified.

    `previous` with `moved=True` means the robot moved since `previous` was taken, so an
    identical frame is a frozen camera (a static scene legitimately repeats a frame).
    """
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        kind = type(frame).__name__ if not isinstance(frame, np.ndarray) else str(frame.dtype)
        return FrameProblem(camera, "wrong_type", f"got {kind}, expected a uint8 array")
    if frame.shape != expected_shape:
        return FrameProblem(
            camera, "wrong_shape", f"shape {frame.shape}, expected {expected_shape}"
        )
    if int(frame.max()) <= BLACK_MAX_LEVEL:
        return FrameProblem(camera, "black", f"max level {int(frame.max())}")
    zero_rows = _trailing_zero_rows(frame)
    if zero_rows >= TRUNCATED_MIN_ROWS:
        return FrameProblem(camera, "truncated", f"last {zero_rows} rows are all zero")
    if moved and previous is not None and np.array_equal(frame, previous):
        return FrameProblem(camera, "frozen", "identical to the previous frame after motion")
    return None


def _trailing_zero_rows(frame: Frame) -> int:
    row_max = frame.reshape(frame.shape[0], -1).max(axis=1)
    nonzero = np.flatnonzero(row_max)
    return int(frame.shape[0] - 1 - nonzero[-1]) if nonzero.size else int(frame.shape[0])


def check_frames(
    frames: Mapping[str, object],
    *,
    previous: Mapping[str, Frame] | None = None,
    moved: bool = False,
    cameras: tuple[str, ...] = CAMERAS,
) -> tuple[FrameProblem, ...]:
    """Every problem across the expected cameras (a missing camera is one too)."""
    problems: list[FrameProblem] = []
    for camera in cameras:
        if camera not in frames:
            problems.append(FrameProblem(camera, "missing", f"have {sorted(frames)}"))
            continue
        before = None if previous is None else previous.get(camera)
        problem = check_frame(camera, frames[camera], previous=before, moved=moved)
        if problem is not None:
            problems.append(problem)
    return tuple(problems)
