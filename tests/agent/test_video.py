"""`--video`: an H.264 MP4 of the camera, checked by reading it back."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import imageio.v2 as iio
import numpy as np
import pytest
from structlog.testing import capture_logs

from agent.errors import AgentConfigError, VideoPathError, VideoWriteError
from agent.video import VideoRecorder


def solid(height: int, width: int, rgb: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, np.uint8), (height, width, 3)).copy()


def read_back(path: Path) -> tuple[dict[str, object], list[np.ndarray]]:
    with iio.get_reader(str(path), format="FFMPEG") as reader:  # type: ignore[arg-type]
        return reader.get_meta_data(), list(reader.iter_data())  # len(reader) is inf


def test_frames_come_back_as_h264_with_count_size_and_colour(tmp_path):
    path = tmp_path / "run.mp4"
    with capture_logs() as logs, VideoRecorder(path, fps=10) as video:
        for i in range(12):
            video.add(solid(48, 64, (20 * i, 100, 200)))
    meta, frames = read_back(path)
    assert meta["codec"] == "h264"
    assert meta["fps"] == 10
    assert len(frames) == 12
    assert frames[0].shape == (48, 64, 3)
    assert np.abs(frames[11].astype(int).mean(axis=(0, 1)) - (220, 100, 200)).max() < 8
    closed = [e for e in logs if e["event"] == "video.closed"]
    assert closed[0]["frames"] == 12


def test_two_cameras_side_by_side_with_the_shorter_one_padded(tmp_path):
    path = tmp_path / "both.mp4"
    with VideoRecorder(path, camera=("overview", "wrist")) as video:
        for _ in range(3):
            video.add_observation(
                {"overview": solid(32, 32, (255, 0, 0)), "wrist": solid(24, 40, (0, 0, 255))}
            )
    _, frames = read_back(path)
    assert len(frames) == 3
    assert frames[0].shape == (32, 72, 3)
    left, right, below = frames[0][8:24, 4:28], frames[0][2:20, 40:68], frames[0][28:, 40:68]
    assert left[..., 0].mean() > 200
    assert left[..., 2].mean() < 40
    assert right[..., 2].mean() > 200
    assert below.mean() < 40  # the wrist image is shorter: black underneath


def test_odd_sizes_are_padded_to_even_not_rescaled(tmp_path):
    path = tmp_path / "odd.mp4"
    with VideoRecorder(path) as video:
        video.add_observation(
            {"overview": solid(33, 35, (0, 255, 0)), "wrist": solid(1, 1, (0, 0, 0))}
        )
    _, frames = read_back(path)
    assert frames[0].shape == (34, 36, 3)
    assert frames[0][5:28, 5:30, 1].mean() > 200


def test_an_error_inside_the_run_still_leaves_a_playable_video(tmp_path):
    path = tmp_path / "crash.mp4"
    with pytest.raises(RuntimeError, match="skill failed"):
        record_then_fail(path)
    _, frames = read_back(path)
    assert len(frames) == 5


def record_then_fail(path: Path) -> None:
    with VideoRecorder(path) as video:
        for _ in range(5):
            video.add(solid(16, 16, (9, 9, 9)))
        raise RuntimeError("skill failed")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds ffmpeg through /proc")
def test_a_killed_encoder_leaves_the_fragments_written_so_far(tmp_path):
    """SIGKILL gives ffmpeg no chance to finish the file; the fragmented MP4 still plays."""
    path = tmp_path / "killed.mp4"
    video = VideoRecorder(path, fps=10, keyframe_s=1.0)
    rng = np.random.default_rng(0)
    for _ in range(80):
        video.add(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8))
    deadline = time.monotonic() + 10  # let the encoder catch up with the pipe
    while (not path.exists() or path.stat().st_size < 20_000) and time.monotonic() < deadline:
        time.sleep(0.02)
    (ffmpeg,) = [pid for pid in _children() if "ffmpeg" in _cmdline(pid)]
    os.kill(ffmpeg, signal.SIGKILL)
    os.waitpid(ffmpeg, 0)
    with pytest.raises(VideoWriteError, match=f"writing {path} failed"):
        video.add(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8))
    video.close()
    _, frames = read_back(path)
    assert len(frames) >= 10  # at least the first one-second fragment


def _children() -> list[int]:
    me = str(os.getpid())
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            pids.append(int(stat.parent.name))
    return pids


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing/run.mp4", "does not exist; create it"),
        ("run.avi", "must end in .mp4"),
        (".", "is a folder; give a file name such as"),
    ],
)
def test_a_bad_path_is_refused_before_the_run(tmp_path, name, expected):
    path = tmp_path / name
    with pytest.raises(VideoPathError, match=expected) as caught:
        VideoRecorder.validate(path)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(VideoPathError):
        VideoRecorder(path)


def test_a_good_path_is_accepted_and_nothing_is_written_until_frames_come(tmp_path):
    path = tmp_path / "later.mp4"
    assert VideoRecorder.validate(path) == path
    video = VideoRecorder(path)
    assert not path.exists()
    with capture_logs() as logs:
        video.close()
    assert not path.exists()
    assert logs[0]["event"] == "video.empty"


def test_bad_frames_and_settings_name_the_problem(tmp_path):
    with pytest.raises(AgentConfigError, match=r"fps must be in \(0, 240\], got 0"):
        VideoRecorder(tmp_path / "v.mp4", fps=0)
    with VideoRecorder(tmp_path / "v.mp4") as video:
        with pytest.raises(AgentConfigError, match="H x W x 3 uint8 RGB, got shape"):
            video.add(np.zeros((8, 8, 3), dtype=np.float32))  # type: ignore[arg-type]
        with pytest.raises(
            AgentConfigError, match="no camera 'overview' in the observation; cameras: wrist"
        ):
            video.add_observation({"wrist": solid(8, 8, (0, 0, 0))})
        video.add(solid(8, 8, (0, 0, 0)))
        with pytest.raises(AgentConfigError, match="frame is 10x8 px, but this video is 8x8"):
            video.add(solid(8, 10, (0, 0, 0)))
    assert video.frames_written == 1
