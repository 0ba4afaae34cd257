"""`--video out.mp4`: the run's camera frames as an H.264 MP4.

Frames go to ffmpeg (imageio + imageio-ffmpeg) as they arrive; nothing is buffered in
memory. The file is a fragmented MP4 with a keyframe every `keyframe_s`, so a run that
dies mid-way still leaves a playable video up to its last fragment; an exception inside
`with VideoRecorder(...)` closes the file properly and then goes on. Check the path with
`VideoRecorder.validate` before the run starts, so a typo fails in a second, not after it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol

import imageio.v2 as iio
import numpy as np
import structlog

from agent.errors import AgentConfigError, VideoPathError, VideoWriteError
from embodiments.base import Frame

log = structlog.get_logger(__name__)

# A fragmented MP4, each fragment flushed to disk: a killed encoder leaves a playable file.
_FRAGMENTED = "+frag_keyframe+empty_moov+default_base_moof"


class _Writer(Protocol):
    """The part of imageio's ffmpeg writer used here."""

    def append_data(self, im: Frame) -> None: ...

    def close(self) -> None: ...


class VideoRecorder:
    """Writes frames (H x W x 3, uint8, RGB) of one camera, or several side by side.

    `camera` names the camera `add_observation` takes; a sequence of names lays those
    cameras side by side, left to right. The file is opened by the first frame.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        fps: float = 10.0,
        camera: str | Sequence[str] = "overview",
        quality: int = 7,
        keyframe_s: float = 1.0,
    ) -> None:
        self.path = self.validate(path)
        if not 0 < fps <= 240:
            raise AgentConfigError(f"VideoRecorder.fps must be in (0, 240], got {fps!r}")
        if not 0 <= quality <= 10:
            raise AgentConfigError(f"VideoRecorder.quality must be 0..10, got {quality!r}")
        if not keyframe_s > 0:
            raise AgentConfigError(f"VideoRecorder.keyframe_s must be > 0, got {keyframe_s!r}")
        self.cameras = (camera,) if isinstance(camera, str) else tuple(camera)
        if not self.cameras:
            raise AgentConfigError("VideoRecorder.camera is empty; name at least one camera")
        self.fps = fps
        self.quality = quality
        self.keyframe_s = keyframe_s
        self.frames_written = 0
        self._size = (0, 0)  # height, width of every frame after padding; set by the first
        self._writer: _Writer | None = None
        self._closed = False

    @classmethod
    def validate(cls, path: Path | str) -> Path:
        """The path, if a video can be written there; else `VideoPathError` with the fix."""
        path = Path(path).expanduser()
        if path.is_dir():
            msg = f"--video {path} is a folder; give a file name such as {path / 'run.mp4'}"
            raise VideoPathError(msg)
        if path.suffix.lower() != ".mp4":
            msg = f"--video {path} must end in .mp4 (an H.264 MP4), e.g. {path.with_suffix('.mp4')}"
            raise VideoPathError(msg)
        folder = path.parent
        if not folder.is_dir():
            msg = f"--video {path}: the folder {folder} does not exist; create it or pick another"
            raise VideoPathError(msg)
        if not os.access(folder, os.W_OK):
            raise VideoPathError(f"--video {path}: the folder {folder} is not writable")
        return path

    def add_observation(self, frames: Mapping[str, Frame]) -> None:
        """Add the configured camera(s) from one observation's named frames."""
        missing = [c for c in self.cameras if c not in frames]
        if missing:
            msg = f"no camera {missing[0]!r} in the observation; cameras: {', '.join(frames)}"
            raise AgentConfigError(msg)
        images = [_checked(frames[c], c) for c in self.cameras]
        height = max(i.shape[0] for i in images)
        self.add(np.hstack([_pad(i, height, i.shape[1]) for i in images]))

    def add(self, frame: Frame) -> None:
        """Add one image; every frame of a video must have the size of the first."""
        if self._closed:
            raise AgentConfigError(f"the video {self.path} is closed; no more frames")
        image = _checked(frame, "frame")
        h, w = image.shape[0] + image.shape[0] % 2, image.shape[1] + image.shape[1] % 2
        if self._writer is None:
            self._size = (h, w)
            self._writer = self._open()
        elif self._size != (h, w):
            msg = (
                f"frame is {image.shape[1]}x{image.shape[0]} px, but this video is "
                f"{self._size[1]}x{self._size[0]}; every frame must have the first one's size"
            )
            raise AgentConfigError(msg)
        try:
            self._writer.append_data(_pad(image, h, w))  # H.264 in yuv420p needs even sizes
        except (OSError, RuntimeError, ValueError) as exc:
            raise VideoWriteError(f"writing {self.path} failed: {exc}") from exc
        self.frames_written += 1

    def _open(self) -> _Writer:
        keyint = max(1, round(self.fps * self.keyframe_s))
        try:
            writer: _Writer = iio.get_writer(
                str(self.path),
                format="FFMPEG",
                mode="I",
                fps=self.fps,
                codec="libx264",
                pixelformat="yuv420p",
                quality=self.quality,
                macro_block_size=1,  # sizes are padded to even here, never rescaled
                ffmpeg_log_level="error",
                output_params=["-movflags", _FRAGMENTED, "-g", str(keyint), "-flush_packets", "1"],
            )
        except (OSError, RuntimeError) as exc:
            raise VideoWriteError(f"cannot start the video encoder for {self.path}: {exc}") from exc
        log.info("video.opened", path=str(self.path), fps=self.fps, cameras=list(self.cameras))
        return writer

    def close(self) -> None:
        """Finish the file (idempotent). A video without frames writes no file."""
        if self._closed:
            return
        self._closed = True
        if self._writer is None:
            log.warning("video.empty", path=str(self.path), detail="no frames; no file written")
            return
        try:
            self._writer.close()
        except (OSError, RuntimeError) as exc:
            raise VideoWriteError(f"finishing {self.path} failed: {exc}") from exc
        if not self.path.is_file() or self.path.stat().st_size == 0:  # ffmpeg died silently
            raise VideoWriteError(f"the encoder left no video at {self.path}; is the disk full?")
        seconds = round(self.frames_written / self.fps, 2)
        log.info("video.closed", path=str(self.path), frames=self.frames_written, seconds=seconds)

    def __enter__(self) -> VideoRecorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close; if the block raised, a failed close is added to that error, not hidden."""
        if exc is None:
            self.close()
            return
        try:
            self.close()
        except VideoWriteError as failed:
            log.error("video.close_failed", path=str(self.path), error=str(failed))
            exc.add_note(f"and the video could not be finished: {failed}")


def _checked(frame: Frame, name: str) -> Frame:
    """The frame as a contiguous H x W x 3 uint8 array, or `AgentConfigError`."""
    image = np.asarray(frame)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or 0 in image.shape:
        msg = f"{name} must be H x W x 3 uint8 RGB, got shape {image.shape} {image.dtype}"
        raise AgentConfigError(msg)
    return np.ascontiguousarray(image)


def _pad(image: Frame, height: int, width: int) -> Frame:
    """Black pixels below and to the right, up to `height` x `width`."""
    if image.shape[:2] == (height, width):
        return image
    out = np.zeros((height, width, 3), dtype=np.uint8)
    out[: image.shape[0], : image.shape[1]] = image
    return out
