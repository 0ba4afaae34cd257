"""The microphone: record one spoken goal until the speaker stops, then transcribe it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import structlog
from numpy.typing import NDArray

from agent.errors import AgentConfigError, SpeechInputError, SpeechSetupError
from agent.speech.audio import MAX_DURATION_S, Audio, FloatArray, _dbfs, check_audio
from agent.speech.grammar import Vocabulary
from agent.speech.recognise import Backend, ServerSettings, Transcript, _load, transcribe

log = structlog.get_logger(__name__)


class AudioInputStream(Protocol):
    """What `listen` reads: sounddevice's InputStream, or `agent.testing.ScriptedMicrophone`."""

    @property
    def samplerate(self) -> float:
        """Frames per second."""
        ...

    def read(self, frames: int) -> tuple[NDArray[Any], bool]:
        """Block until `frames` frames arrived: (frames x channels samples, overflowed)."""
        ...


StreamOpener = Callable[[], AbstractContextManager[AudioInputStream]]


@dataclass(frozen=True, kw_only=True)
class CaptureSettings:
    """When a spoken goal has ended: `silence_s` of quiet after the first speech."""

    block_s: float = 0.1
    silence_s: float = 0.8
    speech_dbfs: float = -40.0  # a block this loud (RMS) counts as speech

    def __post_init__(self) -> None:
        for name in ("block_s", "silence_s"):
            if not getattr(self, name) > 0:
                raise AgentConfigError(
                    f"CaptureSettings.{name} must be > 0, got {getattr(self, name)!r}"
                )


@contextmanager
def microphone() -> Iterator[AudioInputStream]:
    """The default input device, started, as a mono 16-bit stream at its native rate."""
    sd = _load("sounddevice", "install PortAudio: apt-get install -y libportaudio2")
    try:
        device = sd.query_devices(kind="input")
        stream = sd.InputStream(
            samplerate=float(device["default_samplerate"]), channels=1, dtype="int16"
        )
        stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        msg = (
            f"no usable microphone ({exc}); plug one in and make it the default input "
            "device, or pass the goal as --audio FILE"
        )
        raise SpeechSetupError(msg) from exc
    try:
        yield stream
    finally:
        stream.close()


def capture(
    stream: AudioInputStream, *, seconds_max: float, settings: CaptureSettings | None = None
) -> Audio:
    """Read until `silence_s` of quiet follows speech, or `seconds_max` passed."""
    settings = settings or CaptureSettings()
    rate = int(stream.samplerate)
    blocks: list[FloatArray] = []
    frames, heard, quiet_s, stopped_by = 0, False, 0.0, "limit"
    while frames < seconds_max * rate:
        data, overflowed = stream.read(max(1, round(rate * settings.block_s)))
        if overflowed:
            log.warning("speech.input_overflow", detail="samples were lost; the CPU is busy")
        blocks.append(x := _as_float(np.asarray(data)))
        frames += x.size
        if _dbfs(32768.0 * float(np.sqrt(np.mean(x**2)))) >= settings.speech_dbfs:
            heard, quiet_s = True, 0.0
        elif heard and (quiet_s := quiet_s + x.size / rate) >= settings.silence_s:
            stopped_by = "silence"
            break
    if not heard:
        msg = (
            f"heard no speech in {seconds_max:g} s; check that the microphone is plugged in, "
            "unmuted and the default input, then say the goal (or pass --audio FILE)"
        )
        raise SpeechInputError(msg)
    audio = Audio.from_float(np.concatenate(blocks), rate)
    log.info("speech.captured", duration_s=audio.duration_s, stopped_by=stopped_by)
    return audio


def _as_float(data: NDArray[Any]) -> FloatArray:
    """One block as mono float in [-1, 1], whatever dtype and channel count it came in."""
    x = data.mean(axis=1) if data.ndim == 2 else data.reshape(-1)
    if np.issubdtype(data.dtype, np.integer):
        return x.astype(np.float64) / float(np.iinfo(data.dtype).max + 1)
    return x.astype(np.float64)


def listen(
    seconds_max: float = 10.0,
    *,
    vocabulary: Vocabulary | None = None,
    backend: Backend = "pocketsphinx",
    server: ServerSettings | None = None,
    settings: CaptureSettings | None = None,
    open_stream: StreamOpener | None = None,
) -> Transcript:
    """Record one spoken goal from the microphone (or `open_stream`) and transcribe it."""
    if not 0 < seconds_max <= MAX_DURATION_S:
        msg = f"listen: seconds_max must be in (0, {MAX_DURATION_S:g}], got {seconds_max!r}"
        raise AgentConfigError(msg)
    log.info("speech.listening", seconds_max=seconds_max)
    with (open_stream or microphone)() as stream:
        audio = capture(stream, seconds_max=seconds_max, settings=settings)
    check_audio(audio, source="the microphone recording")
    return transcribe(audio, vocabulary=vocabulary, backend=backend, server=server)
