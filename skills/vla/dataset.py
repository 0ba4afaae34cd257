"""Read recorded LeRobot v3.0 datasets back for training (our own reader: no lerobot here).

Frames are decoded once per camera file (OpenCV) and resized to
the policy's input size; each episode's frames are located by its `from_timestamp`, as
LeRobot's loader does. Every problem raises DatasetError naming the file and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from skills.vla.base import ACTION_NAMES, STATE_NAMES
from skills.vla.errors import DatasetError
from skills.vla.lerobot_format import (
    ACTION_KEY,
    CODEBASE_VERSION,
    EPISODES_PATH,
    INFO_PATH,
    STATE_KEY,
    EpisodeRecord,
    camera_key,
)

Demonstration = EpisodeRecord
"""A recorded episode read back for training, its frames resized to the policy's input."""


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """The parts of meta/info.json training relies on."""

    root: Path
    fps: float
    cameras: tuple[str, ...]
    total_episodes: int


def _hint(root: Path) -> str:
    return f"record one with `steward record SKILL --target T --episodes N --out {root}`"


def read_info(root: Path) -> DatasetInfo:
    """Validate meta/info.json: version, state/action shapes, at least one camera."""
    path = root / INFO_PATH
    if not path.is_file():
        msg = f"no LeRobot dataset at {root} ({INFO_PATH} is missing); {_hint(root)}"
        raise DatasetError(msg)
    info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    version = info.get("codebase_version")
    if version != CODEBASE_VERSION:
        msg = f"{path}: codebase_version is {version!r}; this reader needs {CODEBASE_VERSION!r}"
        raise DatasetError(msg)
    features: dict[str, Any] = info.get("features", {})
    for key, names in ((STATE_KEY, STATE_NAMES), (ACTION_KEY, ACTION_NAMES)):
        shape = features.get(key, {}).get("shape")
        if shape != [len(names)]:
            msg = f"{path}: feature {key!r} has shape {shape}, expected [{len(names)}]"
            raise DatasetError(msg)
    prefix = camera_key("")
    cameras = tuple(
        k[len(prefix) :]
        for k, v in features.items()
        if k.startswith(prefix) and v["dtype"] == "video"
    )
    if not cameras:
        msg = f"{path}: no video features {prefix}*; a visuomotor policy needs frames"
        raise DatasetError(msg)
    return DatasetInfo(root, float(info["fps"]), cameras, int(info["total_episodes"]))


def decode_video(path: Path, size_px: int) -> NDArray[np.uint8]:
    """Every frame of an mp4 file, resized to size_px x size_px (area interpolation).

    OpenCV's bundled FFmpeg decodes in-process, frame for frame what ffmpeg itself gives.
    """
    if not path.is_file():
        msg = f"video file {path} is missing; re-record the dataset"
        raise DatasetError(msg)
    capture = cv2.VideoCapture(str(path))
    frames = []
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
            frames.append(resize(rgb, size_px))
    finally:
        capture.release()
    if not frames:
        msg = f"no frame could be decoded from {path}; re-record the dataset"
        raise DatasetError(msg)
    return np.stack(frames)


def resize(frame: NDArray[np.uint8], size_px: int) -> NDArray[np.uint8]:
    """A square policy input; area interpolation when shrinking, as at run time."""
    if frame.shape[0] == size_px and frame.shape[1] == size_px:
        return frame
    shrink = frame.shape[0] > size_px
    interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(frame, (size_px, size_px), interpolation=interp), np.uint8)


def _column(table: pa.Table, key: str, path: Path) -> pa.ChunkedArray:
    if key not in table.column_names:
        msg = f"{path} has no column {key!r}; re-record the dataset"
        raise DatasetError(msg)
    return table.column(key)


def load_demonstrations(
    root: Path,
    *,
    cameras: Sequence[str],
    size_px: int,
    successful_only: bool = True,
) -> list[Demonstration]:
    """Every (successful) episode of one dataset, frames resized to `size_px`."""
    info = read_info(root)
    missing = [c for c in cameras if c not in info.cameras]
    if missing:
        msg = (
            f"dataset {root} has no camera {', '.join(missing)} (it has {', '.join(info.cameras)})"
        )
        raise DatasetError(msg)
    episodes_path = root / EPISODES_PATH.format(chunk_index=0, file_index=0)
    data_path = root / "data" / "chunk-000" / "file-000.parquet"
    for path in (episodes_path, data_path):
        if not path.is_file():
            msg = f"{path} is missing; re-record the dataset"
            raise DatasetError(msg)
    episodes = pq.read_table(episodes_path)
    data = pq.read_table(data_path)
    state = np.asarray(_column(data, STATE_KEY, data_path).to_pylist(), dtype=np.float32)
    action = np.asarray(_column(data, ACTION_KEY, data_path).to_pylist(), dtype=np.float32)
    videos = {
        cam: decode_video(root / "videos" / camera_key(cam) / "chunk-000" / "file-000.mp4", size_px)
        for cam in cameras
    }
    rows = episodes.to_pylist()
    out = []
    for row in rows:
        success = bool(row.get("success", True))
        if successful_only and not success:
            continue
        lo, hi = int(row["dataset_from_index"]), int(row["dataset_to_index"])
        frames = {}
        for cam in cameras:
            start = round(float(row[f"videos/{camera_key(cam)}/from_timestamp"]) * info.fps)
            frames[cam] = videos[cam][start : start + hi - lo]
            if frames[cam].shape[0] != hi - lo:
                msg = (
                    f"{root}: camera {cam} has {frames[cam].shape[0]} frames for episode "
                    f"{row['episode_index']}, expected {hi - lo}; re-record the dataset"
                )
                raise DatasetError(msg)
        out.append(
            Demonstration(
                task=str(row["tasks"][0]),
                seed=int(row.get("seed", -1)),
                success=success,
                frames=frames,
                state=state[lo:hi],
                action=action[lo:hi],
            )
        )
    return out


def recorded_seeds(root: Path) -> set[int]:
    """The seeds a dataset was recorded from (benchmarks must not evaluate on them)."""
    read_info(root)
    path = root / EPISODES_PATH.format(chunk_index=0, file_index=0)
    table = pq.read_table(path, columns=["seed"])
    return {int(s) for s in table.column("seed").to_pylist()}
