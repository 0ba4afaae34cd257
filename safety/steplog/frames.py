"""Content-addressed frame store: each camera frame is one PNG named by its SHA-256.

The name is the SHA-256 of the PNG file's bytes, so a reviewer can check a frame with
`sha256sum` alone, and the same frame seen twice is stored once.

A store that is not durable on every `put` (the agent's "motion" durability) hands each
new file to one background thread per process that fsyncs it while the run goes on
(fsync waits on the disk with the GIL released); `sync` waits for those and makes the
directory durable. Before, every frame of a run was fsynced at its end, one after
another: about 2 ms per run of the agent on the 2-core VM, about 8 frames at 0.27 ms.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from embodiments import png
from embodiments.base import Frame
from safety.steplog.canonical import sha256_hex
from safety.steplog.errors import FrameError
from safety.steplog.records import FrameRef
from safety.steplog.storage import fsync_dir, fsync_path, write_atomic


class FrameState(enum.StrEnum):
    """What a verifier finds for one referenced frame."""

    OK = "ok"
    MISSING = "missing"
    ALTERED = "altered"


def check_frame(frame: Frame) -> None:
    """Raise FrameError unless `frame` is an H x W x 3 uint8 array."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3:
        dtype, shape = getattr(frame, "dtype", "?"), getattr(frame, "shape", "?")
        got = f"{type(frame).__name__} of dtype {dtype}, shape {shape}"
        raise FrameError(f"a frame must be an H x W x 3 uint8 array; got {got}")
    if frame.shape[2] != 3 or frame.shape[0] == 0 or frame.shape[1] == 0:
        raise FrameError(f"a frame must be H x W x 3 with H, W > 0; got shape {frame.shape}")


def encode_png(frame: Frame) -> bytes:
    """PNG bytes of an H x W x 3 RGB uint8 frame (encoded once per process: `png.encoded`)."""
    return _encoded(frame).data


def _encoded(frame: Frame) -> png.Encoded:
    check_frame(frame)
    try:
        return png.encoded(frame)
    except png.PngError as exc:
        raise FrameError(str(exc)) from None


def decode_png(data: bytes) -> Frame:
    """An H x W x 3 RGB uint8 frame from PNG bytes."""
    try:
        return png.decode_png(data)
    except png.PngError as exc:
        raise FrameError(str(exc)) from None


class BackgroundSync:
    """One thread per process that fsyncs files handed to it, in order.

    Started on first use and again in a forked child (a fork does not copy the thread).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0

    def submit(self, path: Path) -> Future[None]:
        """Make `path` durable in the background; the future says when it is."""
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="steward-fsync")
                self._pid = os.getpid()
            return self._pool.submit(fsync_path, path)


BACKGROUND_SYNC = BackgroundSync()


class FrameStore:
    """PNG frames under one directory; nothing touches the disk until the first `put`."""

    def __init__(self, directory: Path, *, durable: bool = True) -> None:
        self.directory = directory
        self.durable = durable
        self._syncing: list[Future[None]] = []
        self._stored: set[str] = set()  # names this store wrote or found, so no stat again

    def path(self, sha256: str) -> Path:
        """Where the frame named `sha256` lives."""
        return self.directory / f"{sha256}.png"

    def holds(self, sha256: str) -> bool:
        """Whether the frame named `sha256` is in the store."""
        return sha256 in self._stored or self.path(sha256).is_file()

    def put(self, frame: Frame) -> str:
        """Store `frame` (once) and return its SHA-256 name (durable on return if `durable`)."""
        data, digest = _encoded(frame)
        if digest in self._stored:
            return digest
        target = self.path(digest)
        if not target.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data, durable=self.durable)
            if not self.durable:
                self._syncing.append(BACKGROUND_SYNC.submit(target))
        self._stored.add(digest)
        return digest

    def sync(self) -> None:
        """Make every frame stored so far durable (wait for the files, fsync the directory)."""
        if not self._syncing:
            return
        try:
            for future in self._syncing:
                future.result()
        except OSError as exc:
            msg = f"could not make the frames in {self.directory} durable: {exc}"
            raise FrameError(msg) from exc
        finally:
            self._syncing.clear()
        fsync_dir(self.directory)

    def put_all(self, frames: Mapping[str, Frame]) -> tuple[FrameRef, ...]:
        """Store every camera's frame; references in camera-name order."""
        return tuple(
            FrameRef(camera=camera, sha256=self.put(frame))
            for camera, frame in sorted(frames.items())
        )

    def read_bytes(self, sha256: str) -> bytes | None:
        """The PNG bytes of a frame, or None if it is not in the store."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def check(self, sha256: str) -> FrameState:
        """Whether the frame is present and its bytes still hash to its name."""
        data = self.read_bytes(sha256)
        if data is None:
            return FrameState.MISSING
        return FrameState.OK if sha256_hex(data) == sha256 else FrameState.ALTERED

    def names(self) -> list[str]:
        """Names (SHA-256) of every frame file in the store."""
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.png"))
