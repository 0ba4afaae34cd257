"""Camera frames as PNG bytes, encoded once per process however many readers ask.

Perception names a frame by the SHA-256 of its PNG bytes and the step log stores those
bytes under that name, so the same frame reaches the encoder twice or more (perceived,
then logged as the step's "before" and the previous step's "after"). A small cache
keyed by the pixels' own hash hands back the bytes already made: hashing a 128 x 128
frame takes about a twentieth of what encoding it does.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import cv2
import numpy as np

from embodiments.base import Frame

CACHED_FRAMES = 32


class PngError(ValueError):
    """OpenCV could not encode or decode a frame."""


class _Recent:
    """The PNG bytes of the frames encoded last, by the SHA-256 of their pixels."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._bytes: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            data = self._bytes.get(key)
            if data is not None:
                self._bytes.move_to_end(key)
            return data

    def put(self, key: bytes, data: bytes) -> None:
        with self._lock:
            self._bytes[key] = data
            while len(self._bytes) > self.size:
                self._bytes.popitem(last=False)


_RECENT = _Recent(CACHED_FRAMES)


def _pixels_key(frame: Frame) -> bytes:
    digest = hashlib.sha256(np.ascontiguousarray(frame).tobytes())
    digest.update(repr((frame.shape, frame.dtype.str)).encode())
    return digest.digest()


def _encode(frame: Frame) -> bytes:
    # OpenCV writes BGR; convert so the PNG shows the colours the camera saw.
    ok, buf = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2BGR))
    if not ok:
        raise PngError(f"OpenCV could not encode a frame of shape {frame.shape} as PNG")
    return bytes(buf.tobytes())


def is_image(frame: object) -> bool:
    """Whether `frame` is an H x W x 3 uint8 array: what PNG can hold, good pixels or bad."""
    return (
        isinstance(frame, np.ndarray)
        and frame.dtype == np.uint8
        and frame.ndim == 3
        and frame.shape[2] == 3
        and frame.shape[0] > 0
        and frame.shape[1] > 0
    )


def png_bytes(frame: Frame) -> bytes:
    """PNG bytes of an H x W x 3 RGB uint8 frame (cached for recently seen pixels)."""
    key = _pixels_key(frame)
    data = _RECENT.get(key)
    if data is None:
        data = _encode(frame)
        _RECENT.put(key, data)
    return data


def png_sha256(frame: Frame) -> str:
    """SHA-256 (hex) of the frame's PNG bytes: the name the step log stores it under."""
    return hashlib.sha256(png_bytes(frame)).hexdigest()


def decode_png(data: bytes) -> Frame:
    """An H x W x 3 RGB uint8 frame from PNG bytes."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PngError("bytes are not a PNG image OpenCV can decode")
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
