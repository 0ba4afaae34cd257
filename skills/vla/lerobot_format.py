"""Write episodes in the LeRobot dataset format v3.0, the layout LeRobot's loader reads.

    meta/info.json                          features, fps, counts, path templates
    meta/stats.json                         min/max/mean/std/count/quantiles per feature
    meta/tasks.parquet                      instruction -> task_index (pandas index "task")
    meta/episodes/chunk-000/file-000.parquet one row per episode: lengths, file ranges,
                                            per-episode stats, and our `success` and `seed`
    data/chunk-000/file-000.parquet         one row per frame: state, action, indices
    videos/<camera key>/chunk-000/file-000.mp4  every episode of one camera, back to back

Written from the format as lerobot 0.6.1 (`lerobot/datasets/*.py`, CODEBASE_VERSION
"v3.0") reads it, because lerobot itself does not install next to this project's Python
3.11, torch 2.13 and numpy 2.4 (see `skills.vla.backends`). Frames are H.264 (yuv420p,
a key frame every 2 frames, as LeRobot encodes for random access), through the ffmpeg
that imageio-ffmpeg ships.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from embodiments.base import Frame
from skills.vla.base import ACTION_NAMES, STATE_NAMES, Float32Array
from skills.vla.errors import DatasetError

CODEBASE_VERSION = "v3.0"
CHUNK_FILE = "chunk-{chunk_index:03d}/file-{file_index:03d}"
DATA_PATH = "data/" + CHUNK_FILE + ".parquet"
VIDEO_PATH = "videos/{video_key}/" + CHUNK_FILE + ".mp4"
EPISODES_PATH = "meta/episodes/" + CHUNK_FILE + ".parquet"
INFO_PATH = "meta/info.json"
STATS_PATH = "meta/stats.json"
TASKS_PATH = "meta/tasks.parquet"
STATE_KEY = "observation.state"
ACTION_KEY = "action"
QUANTILES = (0.01, 0.10, 0.50, 0.90, 0.99)
VIDEO_CRF = 12  # near-lossless: policies trained on decoded frames run on raw renders
Jsonable = Any  # what json.dumps takes; only built here, never read back as Any


def camera_key(camera: str) -> str:
    """LeRobot's feature key of a camera, e.g. `observation.images.wrist`."""
    return f"observation.images.{camera}"


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    """One recorded episode: T frames per camera, T states, T actions, and its outcome."""

    task: str
    seed: int
    success: bool
    frames: Mapping[str, NDArray[np.uint8]]  # camera -> T x H x W x 3
    state: Float32Array  # T x len(STATE_NAMES)
    action: Float32Array  # T x len(ACTION_NAMES)

    @property
    def length(self) -> int:
        """Number of frames."""
        return int(self.state.shape[0])

    def check(self, cameras: Sequence[str], image_shape: tuple[int, int, int]) -> None:
        """Raise DatasetError naming the first field whose shape is wrong."""
        n = self.length
        if n == 0:
            msg = f"episode of seed {self.seed} has no frames; nothing to write"
            raise DatasetError(msg)
        want: dict[str, tuple[int, ...]] = {
            "state": (n, len(STATE_NAMES)),
            "action": (n, len(ACTION_NAMES)),
        }
        got: dict[str, tuple[int, ...] | None] = {
            "state": self.state.shape,
            "action": self.action.shape,
        }
        for cam in cameras:
            want[f"frames[{cam}]"] = (n, *image_shape)
            got[f"frames[{cam}]"] = self.frames[cam].shape if cam in self.frames else None
        for name, shape in want.items():
            if got[name] != shape:
                msg = f"episode of seed {self.seed}: {name} has shape {got[name]}, expected {shape}"
                raise DatasetError(msg)


def feature_stats(values: NDArray[np.floating[Any]], axis: tuple[int, ...]) -> dict[str, Jsonable]:
    """LeRobot's per-feature statistics over `axis` (quantiles exact, not histogram)."""
    stats: dict[str, Jsonable] = {
        "min": np.min(values, axis=axis),
        "max": np.max(values, axis=axis),
        "mean": np.mean(values, axis=axis),
        "std": np.std(values, axis=axis),
    }
    for q in QUANTILES:
        stats[f"q{round(q * 100):02d}"] = np.quantile(values, q, axis=axis)
    keep = len(axis) > 1  # images: (3, 1, 1) per channel, as LeRobot stores them
    out: dict[str, Jsonable] = {}
    for name, value in stats.items():
        arr = np.asarray(value, dtype=np.float64)
        out[name] = (arr.reshape(-1, 1, 1) if keep else np.atleast_1d(arr)).tolist()
    out["count"] = [int(values.shape[0])]
    return out


def _image_stats(frames: NDArray[np.uint8]) -> dict[str, Jsonable]:
    sample = frames[:: max(1, frames.shape[0] // 100)].astype(np.float64) / 255.0
    return feature_stats(sample.transpose(0, 3, 1, 2), axis=(0, 2, 3))


def _pandas_metadata(index: str, columns: Sequence[tuple[str, str]]) -> bytes:
    """The b"pandas" schema metadata that makes `pd.read_parquet` restore `index`."""
    entries = [
        {
            "name": name,
            "field_name": name,
            "pandas_type": "unicode" if kind == "str" else kind,
            "numpy_type": "object" if kind == "str" else kind,
            "metadata": None,
        }
        for name, kind in columns
    ]
    meta = {
        "index_columns": [index],
        "column_indexes": [
            {
                "name": None,
                "field_name": None,
                "pandas_type": "unicode",
                "numpy_type": "object",
                "metadata": {"encoding": "UTF-8"},
            }
        ],
        "columns": entries,
        "creator": {"library": "pyarrow", "version": pa.__version__},
        "pandas_version": "2.2.3",
    }
    return json.dumps(meta).encode()


class VideoStream:
    """Appends RGB frames of one camera to one H.264 mp4 file (all episodes back to back)."""

    def __init__(self, path: Path, *, fps: float, size_px: tuple[int, int]) -> None:
        import imageio_ffmpeg  # noqa: PLC0415 - only recording needs the encoder

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.frames_written = 0
        self._writer: Any = imageio_ffmpeg.write_frames(
            str(path),
            size_px,
            fps=fps,
            codec="libx264",
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=["-crf", str(VIDEO_CRF), "-g", "2", "-preset", "veryfast"],
        )
        self._writer.send(None)

    def append(self, frames: NDArray[np.uint8]) -> None:
        """Write T x H x W x 3 frames."""
        for frame in frames:
            self._writer.send(np.ascontiguousarray(frame).tobytes())
        self.frames_written += int(frames.shape[0])

    def close(self) -> None:
        """Finish the file (flushes the encoder)."""
        self._writer.close()


class LeRobotWriter:
    """Writes a LeRobot v3.0 dataset episode by episode; `finish` writes the metadata.

    One data file, one episodes file and one video file per camera (chunk 0, file 0):
    enough for thousands of short episodes under LeRobot's 100/200 MB file sizes.
    """

    def __init__(
        self,
        root: Path,
        *,
        fps: float,
        cameras: Sequence[str],
        image_shape: tuple[int, int, int],
        robot_type: str,
    ) -> None:
        if (root / INFO_PATH).exists():
            msg = f"{root} already holds a dataset; choose a new --out directory or delete it"
            raise DatasetError(msg)
        self.root = root
        self.fps = fps
        self.cameras = tuple(cameras)
        self.image_shape = image_shape
        self.robot_type = robot_type
        self._tasks: dict[str, int] = {}
        self._rows: dict[str, list[Any]] = {}
        self._episodes: list[dict[str, Jsonable]] = []
        self._frames_total = 0
        self._streams: dict[str, VideoStream] = {}
        self._image_stats: dict[str, list[dict[str, Jsonable]]] = {c: [] for c in self.cameras}
        self._numeric: dict[str, list[NDArray[np.float64]]] = {}

    def _stream(self, camera: str) -> VideoStream:
        if camera not in self._streams:
            path = self.root / VIDEO_PATH.format(
                video_key=camera_key(camera), chunk_index=0, file_index=0
            )
            h, w, _ = self.image_shape
            self._streams[camera] = VideoStream(path, fps=self.fps, size_px=(w, h))
        return self._streams[camera]

    def add(self, episode: EpisodeRecord) -> None:
        """Append one episode's frames, rows and metadata."""
        episode.check(self.cameras, self.image_shape)
        n, index = episode.length, len(self._episodes)
        task_index = self._tasks.setdefault(episode.task, len(self._tasks))
        last = np.arange(n) == n - 1
        columns: dict[str, Any] = {
            STATE_KEY: episode.state.astype(np.float32),
            ACTION_KEY: episode.action.astype(np.float32),
            "next.done": last,
            "next.success": last & episode.success,
            "timestamp": (np.arange(n) / self.fps).astype(np.float32),
            "frame_index": np.arange(n, dtype=np.int64),
            "episode_index": np.full(n, index, dtype=np.int64),
            "index": np.arange(self._frames_total, self._frames_total + n, dtype=np.int64),
            "task_index": np.full(n, task_index, dtype=np.int64),
        }
        for key, value in columns.items():
            self._rows.setdefault(key, []).append(value)
        row: dict[str, Jsonable] = {
            "episode_index": index,
            "tasks": [episode.task],
            "length": n,
            "data/chunk_index": 0,
            "data/file_index": 0,
            "dataset_from_index": self._frames_total,
            "dataset_to_index": self._frames_total + n,
        }
        row |= self._add_videos(episode)
        for key in (STATE_KEY, ACTION_KEY, "timestamp", "frame_index", "index", "task_index"):
            values = np.asarray(columns[key], dtype=np.float64).reshape(n, -1)
            self._numeric.setdefault(key, []).append(values)
            row |= {f"stats/{key}/{k}": v for k, v in feature_stats(values, axis=(0,)).items()}
        row |= {
            "meta/episodes/chunk_index": 0,
            "meta/episodes/file_index": 0,
            "success": bool(episode.success),
            "seed": int(episode.seed),
        }
        self._episodes.append(row)
        self._frames_total += n

    def _add_videos(self, episode: EpisodeRecord) -> dict[str, Jsonable]:
        """Append each camera's frames to its file; the episode row's video columns."""
        row: dict[str, Jsonable] = {}
        for cam in self.cameras:
            stream = self._stream(cam)
            start = stream.frames_written / self.fps
            stream.append(episode.frames[cam])
            key = camera_key(cam)
            row |= {
                f"videos/{key}/chunk_index": 0,
                f"videos/{key}/file_index": 0,
                f"videos/{key}/from_timestamp": start,
                f"videos/{key}/to_timestamp": start + episode.length / self.fps,
            }
            stats = _image_stats(episode.frames[cam])
            self._image_stats[cam].append(stats)
            row |= {f"stats/{key}/{k}": v for k, v in stats.items()}
        return row

    def finish(self) -> Path:
        """Close the videos and write data, episodes, tasks, stats and info; return the root."""
        if not self._episodes:
            msg = f"no episodes were recorded; nothing written to {self.root}"
            raise DatasetError(msg)
        for stream in self._streams.values():
            stream.close()
        self._write_data()
        self._write_parquet(EPISODES_PATH, pa.Table.from_pylist(self._episodes))
        tasks = sorted(self._tasks, key=self._tasks.__getitem__)
        table = pa.table(
            {"task_index": pa.array(range(len(tasks)), pa.int64()), "task": pa.array(tasks)}
        )
        meta = _pandas_metadata("task", [("task_index", "int64"), ("task", "str")])
        self._write_parquet(TASKS_PATH, table.replace_schema_metadata({b"pandas": meta}))
        self._write_json(STATS_PATH, self._stats())
        self._write_json(INFO_PATH, self.info())
        return self.root

    def _write_data(self) -> None:
        arrays: dict[str, pa.Array] = {}
        for key, parts in self._rows.items():
            values = np.concatenate(parts)
            if values.ndim == 2:
                flat = pa.array(values.reshape(-1), pa.float32())
                arrays[key] = pa.FixedSizeListArray.from_arrays(flat, values.shape[1])
            else:
                arrays[key] = pa.array(values)
        self._write_parquet(DATA_PATH, pa.table(arrays))

    def _stats(self) -> dict[str, Jsonable]:
        stats: dict[str, Jsonable] = {
            key: feature_stats(np.concatenate(parts), axis=(0,))
            for key, parts in self._numeric.items()
        }
        for cam, per_episode in self._image_stats.items():
            stats[camera_key(cam)] = _merge_image_stats(per_episode)
        return stats

    def info(self) -> dict[str, Jsonable]:
        """The meta/info.json document."""
        h, w, c = self.image_shape
        features: dict[str, Jsonable] = {}
        for cam in self.cameras:
            features[camera_key(cam)] = {
                "dtype": "video",
                "shape": [h, w, c],
                "names": ["height", "width", "channels"],
                "info": {
                    "video.height": h,
                    "video.width": w,
                    "video.codec": "h264",
                    "video.pix_fmt": "yuv420p",
                    "video.is_depth_map": False,
                    "video.fps": self.fps,
                    "video.channels": c,
                    "has_audio": False,
                },
            }
        features[STATE_KEY] = {"dtype": "float32", "shape": [8], "names": list(STATE_NAMES)}
        features[ACTION_KEY] = {"dtype": "float32", "shape": [8], "names": list(ACTION_NAMES)}
        features["next.done"] = {"dtype": "bool", "shape": [1], "names": None}
        features["next.success"] = {"dtype": "bool", "shape": [1], "names": None}
        features["timestamp"] = {"dtype": "float32", "shape": [1], "names": None}
        for key in ("frame_index", "episode_index", "index", "task_index"):
            features[key] = {"dtype": "int64", "shape": [1], "names": None}
        return {
            "codebase_version": CODEBASE_VERSION,
            "robot_type": self.robot_type,
            "total_episodes": len(self._episodes),
            "total_frames": self._frames_total,
            "total_tasks": len(self._tasks),
            "chunks_size": 1000,
            "data_files_size_in_mb": 100,
            "video_files_size_in_mb": 200,
            "fps": self.fps,
            "splits": {"train": f"0:{len(self._episodes)}"},
            "data_path": DATA_PATH,
            "video_path": VIDEO_PATH,
            "features": features,
        }

    def _write_parquet(self, template: str, table: pa.Table) -> None:
        path = self.root / template.format(chunk_index=0, file_index=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="snappy")

    def _write_json(self, relative: str, document: Jsonable) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _merge_image_stats(per_episode: list[dict[str, Jsonable]]) -> dict[str, Jsonable]:
    """Dataset-level image stats from per-episode ones (count-weighted, as LeRobot does)."""
    counts = np.array([s["count"][0] for s in per_episode], dtype=np.float64)
    weights = counts / counts.sum()
    means = np.array([s["mean"] for s in per_episode])
    variances = np.array([s["std"] for s in per_episode]) ** 2
    mean = np.tensordot(weights, means, axes=1)
    var = np.tensordot(weights, variances + (means - mean) ** 2, axes=1)
    merged: dict[str, Jsonable] = {
        "min": np.min([s["min"] for s in per_episode], axis=0).tolist(),
        "max": np.max([s["max"] for s in per_episode], axis=0).tolist(),
        "mean": mean.tolist(),
        "std": np.sqrt(var).tolist(),
        "count": [int(counts.sum())],
    }
    for q in QUANTILES:  # LeRobot also averages per-episode quantiles, weighted by count
        key = f"q{round(q * 100):02d}"
        merged[key] = np.tensordot(weights, np.array([s[key] for s in per_episode]), 1).tolist()
    return merged


def frames_of(frames: Sequence[Mapping[str, Frame]], camera: str) -> NDArray[np.uint8]:
    """Stack one camera's frames from a sequence of per-tick frame maps."""
    return np.stack([f[camera] for f in frames]).astype(np.uint8)
