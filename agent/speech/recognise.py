"""Audio to a `Transcript`: offline pocketsphinx, or an OpenAI-compatible server."""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, get_args

import numpy as np
import structlog

from agent.errors import (
    AgentConfigError,
    SpeechInputError,
    SpeechSetupError,
    TranscriptionServerError,
)
from agent.speech.audio import MAX_DURATION_S, SAMPLE_RATE_HZ, Audio, _trim_silence, read_wav
from agent.speech.grammar import Vocabulary, default_vocabulary

log = structlog.get_logger(__name__)

Backend = Literal["pocketsphinx", "openai"]

_LOCAL_KEY = "not-needed"  # local servers ignore the key, but the client requires one


@dataclass(frozen=True, kw_only=True, slots=True)
class Transcript:
    """What was heard. `confidence` is the mean word posterior in [0, 1], when known."""

    text: str
    backend: Backend
    confidence: float | None
    duration_s: float
    grammar_used: bool

    @property
    def needs_confirmation(self) -> bool:
        """True when the offline recogniser had to guess freely: ask the person first."""
        return self.backend == "pocketsphinx" and not self.grammar_used


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    """The OpenAI-compatible transcription server.

    Unset `base_url` and `api_key` come from OPENAI_BASE_URL and OPENAI_API_KEY.
    """

    base_url: str | None = None
    api_key: str | None = None
    model: str = "whisper-1"
    timeout_s: float = 30.0
    max_retries: int = 1

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise AgentConfigError(f"ServerSettings.timeout_s must be > 0, got {self.timeout_s!r}")
        if self.max_retries < 0:
            raise AgentConfigError(
                f"ServerSettings.max_retries must be >= 0, got {self.max_retries!r}"
            )
        if not self.model.strip():
            raise AgentConfigError("ServerSettings.model is empty; name the transcription model")


def transcribe_file(
    path: Path | str,
    *,
    vocabulary: Vocabulary | None = None,
    backend: Backend = "pocketsphinx",
    server: ServerSettings | None = None,
    max_duration_s: float = MAX_DURATION_S,
) -> Transcript:
    """Transcribe a WAV file; the vocabulary defaults to the skill catalog's."""
    audio = read_wav(path, max_duration_s=max_duration_s)
    return transcribe(audio, vocabulary=vocabulary, backend=backend, server=server)


def transcribe(
    audio: Audio,
    *,
    vocabulary: Vocabulary | None = None,
    backend: Backend = "pocketsphinx",
    server: ServerSettings | None = None,
) -> Transcript:
    """Transcribe 16 kHz mono audio with the chosen backend."""
    if backend not in get_args(Backend):
        raise AgentConfigError(
            f"unknown speech backend {backend!r}; choose from {get_args(Backend)}"
        )
    vocab = vocabulary or default_vocabulary()
    started = time.monotonic()
    confidence: float | None = None
    if backend == "openai":
        text, grammar_used = _server_transcribe(audio, vocab, server or ServerSettings()), False
    else:
        text, confidence, grammar_used = _recognise(audio, vocab)
    if not text:
        msg = (
            f"no words could be made out in {audio.duration_s:.1f} s of audio; "
            "say the goal clearly and close to the microphone, or type it"
        )
        raise SpeechInputError(msg)
    heard = Transcript(
        text=text,
        backend=backend,
        confidence=confidence,
        duration_s=audio.duration_s,
        grammar_used=grammar_used,
    )
    log.info("speech.transcribed", **asdict(heard), elapsed_s=time.monotonic() - started)
    return heard


def _recognise(audio: Audio, vocabulary: Vocabulary) -> tuple[str, float | None, bool]:
    """Grammar first; free decoding when the grammar yields no complete command."""
    audio = _trim_silence(audio)
    text, confidence = _decode(audio, vocabulary)
    if text and vocabulary.matches(text):
        return text, confidence, True
    log.info("speech.grammar_miss", heard=text, action="free decoding, ask to confirm")
    return (*_decode(audio, None), False)


def _decode(audio: Audio, vocabulary: Vocabulary | None) -> tuple[str, float | None]:
    """One pocketsphinx pass with a fresh decoder (its adaptation would carry over)."""
    ps = _load("pocketsphinx", "install it: .venv/bin/pip install pocketsphinx")
    # Dither: synthetic and gated audio has runs of exact zeros, whose log energy skews
    # the features; pocketsphinx's fixed default seed keeps results reproducible.
    options: dict[str, Any] = {"samprate": SAMPLE_RATE_HZ, "dither": True, "loglevel": "FATAL"}
    if vocabulary is None:
        decoder = ps.Decoder(**options)
    else:
        decoder = ps.Decoder(lm=None, **options)
        if unknown := sorted(w for w in vocabulary.words if decoder.lookup_word(w) is None):
            msg = (
                f"the recogniser's dictionary has no pronunciation for: {', '.join(unknown)}; "
                "use common English words for skill and object names in the vocabulary"
            )
            raise AgentConfigError(msg)
        decoder.add_jsgf_string("goal", vocabulary.jsgf())
        decoder.activate_search("goal")
    decoder.start_utt()
    decoder.process_raw(audio.samples.tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    fillers = ("<s>", "</s>", "<sil>", "[", "+")  # silence and noise "words"
    posteriors = [s.prob for s in decoder.seg() or () if not s.word.startswith(fillers)]
    confidence = round(float(np.mean(posteriors)), 3) if posteriors else None
    return (" ".join(hyp.hypstr.split()) if hyp else ""), confidence


def _server_transcribe(audio: Audio, vocabulary: Vocabulary, settings: ServerSettings) -> str:
    """POST the audio to /v1/audio/transcriptions; errors say where and what to check."""
    import openai  # noqa: PLC0415 - the client only when the server backend is chosen

    base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL")
    key = settings.api_key or os.environ.get("OPENAI_API_KEY")
    if not key and not base_url:
        msg = (
            "the openai transcriber needs OPENAI_API_KEY for api.openai.com, or "
            "OPENAI_BASE_URL (--base-url) pointing at an OpenAI-compatible server"
        )
        raise AgentConfigError(msg)
    where = base_url or "api.openai.com"
    log.info("speech.server_request", base_url=where, model=settings.model)
    try:
        with openai.OpenAI(
            base_url=base_url,
            api_key=key or _LOCAL_KEY,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
        ) as client:
            result = client.audio.transcriptions.create(
                model=settings.model,
                file=("goal.wav", audio.wav_bytes(), "audio/wav"),
                prompt=vocabulary.prompt,
                response_format="json",
            )
    except openai.APITimeoutError as exc:
        msg = (
            f"the transcription server at {where} did not answer within "
            f"{settings.timeout_s:g} s; check that it is running, or raise the timeout"
        )
        raise TranscriptionServerError(msg) from exc
    except openai.APIConnectionError as exc:
        msg = (
            f"cannot reach the transcription server at {where} ({exc}); start it, or set "
            "OPENAI_BASE_URL (--base-url) to its address"
        )
        raise TranscriptionServerError(msg) from exc
    except openai.APIStatusError as exc:
        msg = (
            f"the transcription server at {where} answered HTTP {exc.status_code}: "
            f"{exc.message}; check the model name ({settings.model!r}) and the API key"
        )
        raise TranscriptionServerError(msg) from exc
    if not isinstance(text := getattr(result, "text", None), str):
        raise TranscriptionServerError(f"the transcription server at {where} sent no text")
    return text.strip()


def _load(module: str, fix: str) -> ModuleType:
    """Import an optional native dependency; a failure names the fix."""
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # OSError: the module's C library is missing
        raise SpeechSetupError(f"cannot load {module} ({exc}); {fix}") from exc
