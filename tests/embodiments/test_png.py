"""PNG bytes of frames: lossless, named by content, encoded once for the same pixels."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from embodiments import png


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """Shapes of the frames that reach the encoder, with an empty cache."""
    encoded: list[tuple[int, ...]] = []
    encode = png._encode

    def counting(frame: np.ndarray) -> bytes:
        encoded.append(frame.shape)
        return encode(frame)

    monkeypatch.setattr(png, "_encode", counting)
    monkeypatch.setattr(png, "_RECENT", png._Recent(2))
    return encoded


def test_png_round_trips_the_pixels_and_is_named_by_its_bytes() -> None:
    frame = np.random.default_rng(1).integers(0, 255, (16, 20, 3), dtype=np.uint8)
    data = png.png_bytes(frame)
    assert data.startswith(b"\x89PNG")
    assert np.array_equal(png.decode_png(data), frame)
    assert png.png_sha256(frame) == hashlib.sha256(data).hexdigest()


def test_hash_is_stable_and_content_addressed() -> None:
    rng = np.random.default_rng(3)
    a, b = (rng.integers(0, 255, (128, 128, 3), dtype=np.uint8) for _ in range(2))
    assert png.png_sha256(a) == png.png_sha256(a.copy())
    assert png.png_sha256(a) != png.png_sha256(b)
    assert len(png.png_sha256(a)) == 64


def test_the_same_pixels_are_encoded_once(counted: list[tuple[int, ...]]) -> None:
    frame = np.random.default_rng(2).integers(0, 255, (16, 20, 3), dtype=np.uint8)
    first = png.png_bytes(frame)
    assert png.png_bytes(frame.copy()) == first
    changed = frame.copy()
    changed[3, 4, 2] ^= 1
    assert png.png_bytes(changed) != first
    assert counted == [(16, 20, 3), (16, 20, 3)]


def test_the_cache_keeps_only_the_latest_frames(counted: list[tuple[int, ...]]) -> None:
    frames = [np.full((4, 4, 3), level, dtype=np.uint8) for level in (10, 20, 30)]
    for frame in frames:
        png.png_bytes(frame)
    png.png_bytes(frames[0])  # pushed out by the two after it (the cache holds 2)
    png.png_bytes(frames[2])
    assert len(counted) == 4


def test_frames_whose_keys_collide_are_still_told_apart(
    counted: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache key is a fast non-cryptographic hash: a hit must also match the pixels."""
    monkeypatch.setattr(png, "_pixels_key", lambda frame: b"same key")
    black, white = np.zeros((4, 4, 3), np.uint8), np.full((4, 4, 3), 255, np.uint8)
    assert png.png_sha256(black) != png.png_sha256(white)
    assert np.array_equal(png.decode_png(png.png_bytes(white)), white)
    assert len(counted) == 2


def test_a_cached_frame_changed_in_place_is_encoded_again(
    counted: list[tuple[int, ...]],
) -> None:
    """The cache keeps its own copy of the pixels, so a reused camera buffer is safe."""
    frame = np.zeros((4, 4, 3), np.uint8)
    before = png.png_sha256(frame)
    frame[0, 0, 0] = 7
    assert png.png_sha256(frame) != before
    assert len(counted) == 2


def test_bytes_that_are_not_a_png_name_the_problem() -> None:
    with pytest.raises(png.PngError, match="not a PNG"):
        png.decode_png(b"not an image")


@pytest.mark.parametrize(
    ("frame", "image"),
    [
        (np.zeros((4, 5, 3), np.uint8), True),  # black, but PNG holds it
        (np.zeros((4, 5, 3), np.float32), False),
        (np.zeros((4, 5), np.uint8), False),
        (np.zeros((4, 5, 4), np.uint8), False),
        (np.zeros((0, 5, 3), np.uint8), False),
        (None, False),
    ],
)
def test_is_image_accepts_exactly_what_png_can_hold(frame: object, image: bool) -> None:
    assert png.is_image(frame) is image
