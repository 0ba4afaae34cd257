"""Audio in: any common WAV layout read as 16 kHz mono 16-bit, and refused when unusable."""

from __future__ import annotations

import io
import math
import os
import struct
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np
import structlog
from numpy.typing import NDArray

from agent.errors import SpeechInputError

log = structlog.get_logger(__name__)

FloatArray = NDArray[np.float64]

SAMPLE_RATE_HZ = 16_000
MAX_DURATION_S = 60.0
SILENT_PEAK_DBFS = -50.0
CONVERT_HINT = "convert it with: ffmpeg -i IN -ar 16000 -ac 1 OUT.wav"
_WAV_PCM, _WAV_FLOAT, _WAV_EXTENSIBLE = 1, 3, 0xFFFE


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono 16-bit speech at 16 kHz, ready for a recogniser (read-only samples)."""

    samples: NDArray[np.int16]
    sample_rate_hz: int = SAMPLE_RATE_HZ

    def __post_init__(self) -> None:
        self.samples.flags.writeable = False

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.samples.size / self.sample_rate_hz

    @classmethod
    def from_float(cls, signal: FloatArray, sample_rate_hz: int) -> Audio:
        """Mix frames x channels in [-1, 1] down to mono and resample to 16 kHz."""
        mono = signal.mean(axis=1) if signal.ndim == 2 else signal
        mono = resample(np.nan_to_num(mono), sample_rate_hz, SAMPLE_RATE_HZ)
        return cls(np.clip(np.round(mono * 32767.0), -32768, 32767).astype(np.int16))

    def wav_bytes(self) -> bytes:
        """The samples as a 16-bit mono WAV file."""
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate_hz)
            out.writeframes(self.samples.tobytes())
        return buffer.getvalue()


def resample(signal: FloatArray, from_hz: int, to_hz: int) -> FloatArray:
    """Band-limited resampling: the spectrum is cut or zero-padded, so nothing aliases."""
    if from_hz == to_hz or signal.size == 0:
        return signal.astype(np.float64)
    n_out = max(1, round(signal.size * to_hz / from_hz))
    spectrum = np.fft.rfft(signal)
    kept = np.zeros(n_out // 2 + 1, dtype=np.complex128)
    n = min(spectrum.size, kept.size)
    kept[:n] = spectrum[:n]
    return np.fft.irfft(kept, n_out) * (n_out / signal.size)


class _WavFormat(NamedTuple):
    tag: int
    channels: int
    rate_hz: int
    bits: int


def read_wav(path: Path | str, *, max_duration_s: float = MAX_DURATION_S) -> Audio:
    """A WAV file as 16 kHz mono; `SpeechInputError` names what is wrong and the fix."""
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise SpeechInputError(f"audio file {path} {what}; give a WAV recording of the goal")
    with path.open("rb") as f:
        fmt, n_bytes = _wav_header(f, path)
        frame_bytes = fmt.channels * fmt.bits // 8
        if (seconds := n_bytes // frame_bytes / fmt.rate_hz) > max_duration_s:
            raise _too_long(f"audio file {path}", seconds, max_duration_s)  # before reading
        raw = f.read(n_bytes)
    audio = Audio.from_float(
        _wav_samples(raw[: len(raw) - len(raw) % frame_bytes], fmt), fmt.rate_hz
    )
    check_audio(audio, source=f"audio file {path}", max_duration_s=max_duration_s)
    log.info("speech.audio_read", path=str(path), **fmt._asdict(), duration_s=audio.duration_s)
    return audio


def _wav_header(f: BinaryIO, path: Path) -> tuple[_WavFormat, int]:
    """Walk the RIFF chunks up to `data`: the format and the data's length in bytes."""
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise SpeechInputError(f"audio file {path} is not a WAV file; {CONVERT_HINT}")
    fmt: _WavFormat | None = None
    while len(chunk := f.read(8)) == 8:
        kind, size = chunk[:4], int.from_bytes(chunk[4:], "little")
        if kind == b"data" and fmt is not None:
            return fmt, min(size, path.stat().st_size - f.tell())  # streamed: size unset
        if kind == b"fmt ":
            fmt = _wav_format(f.read(size), path)
        f.seek((0 if kind == b"fmt " else size) + size % 2, os.SEEK_CUR)  # padded to even
    raise SpeechInputError(f"audio file {path} has no audio data (truncated?); {CONVERT_HINT}")


def _wav_format(body: bytes, path: Path) -> _WavFormat:
    if len(body) < 16:
        raise SpeechInputError(f"audio file {path} has a broken WAV header; {CONVERT_HINT}")
    tag, channels, rate_hz, _, _, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _WAV_EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack("<H", body[24:26])[0]  # the sub-format GUID starts with the tag
    pcm, floating = (
        tag == _WAV_PCM and bits in (8, 16, 24, 32),
        tag == _WAV_FLOAT and bits in (32, 64),
    )
    if not (pcm or floating) or channels < 1 or rate_hz < 1:
        msg = (
            f"audio file {path} holds WAV format {tag:#x}, {bits}-bit, {channels} channel(s), "
            f"{rate_hz} Hz, which is not plain PCM or float audio; {CONVERT_HINT}"
        )
        raise SpeechInputError(msg)
    return _WavFormat(tag, channels, rate_hz, bits)


def _wav_samples(raw: bytes, fmt: _WavFormat) -> FloatArray:
    """Frames x channels in [-1, 1]."""
    if fmt.tag == _WAV_FLOAT:
        x = np.frombuffer(raw, dtype=f"<f{fmt.bits // 8}").astype(np.float64)
    elif fmt.bits == 8:  # 8-bit WAV is unsigned
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif fmt.bits == 24:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.float64) / float(1 << 23)
    else:
        x = np.frombuffer(raw, dtype=f"<i{fmt.bits // 8}").astype(np.float64)
        x /= float(1 << (fmt.bits - 1))
    return x.reshape(-1, fmt.channels)


def check_audio(audio: Audio, *, source: str, max_duration_s: float = MAX_DURATION_S) -> None:
    """Refuse empty, silent or too long audio with a message that says what to do."""
    if audio.samples.size == 0:
        raise SpeechInputError(f"{source} contains no audio samples; record the goal again")
    if audio.duration_s > max_duration_s:
        raise _too_long(source, audio.duration_s, max_duration_s)
    if (peak := _dbfs(float(np.abs(audio.samples.astype(np.int32)).max()))) < SILENT_PEAK_DBFS:
        msg = (
            f"{source} is silent (peak {peak:.0f} dBFS, speech needs {SILENT_PEAK_DBFS:.0f}); "
            "check the microphone level and record the goal again"
        )
        raise SpeechInputError(msg)


def _trim_silence(audio: Audio, *, margin_s: float = 0.3, below_peak_db: float = 45.0) -> Audio:
    """Cut leading and trailing quiet, keeping `margin_s` around the speech.

    The recogniser normalises features by the utterance's mean, so a second of silence
    before the goal changes what it hears; trimmed, a file and the microphone agree.
    """
    hop = SAMPLE_RATE_HZ // 100
    n = audio.samples.size // hop
    if n == 0:
        return audio
    frames = audio.samples[: n * hop].astype(np.float64).reshape(n, hop)
    level = 20.0 * np.log10(np.maximum(np.sqrt((frames**2).mean(axis=1)), 1e-3))
    loud = np.flatnonzero(level >= level.max() - below_peak_db)
    margin = round(margin_s * SAMPLE_RATE_HZ)
    start, end = max(0, loud[0] * hop - margin), (loud[-1] + 1) * hop + margin
    return Audio(audio.samples[start:end].copy(), audio.sample_rate_hz)


def _too_long(source: str, seconds: float, limit_s: float) -> SpeechInputError:
    msg = f"{source} is {seconds:.1f} s long, over the {limit_s:g} s limit; trim it to the goal"
    return SpeechInputError(msg)


def _dbfs(level: float) -> float:
    """A 16-bit sample level in dB relative to full scale."""
    return 20.0 * math.log10(max(level, 1e-3) / 32768.0)
