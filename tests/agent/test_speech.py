"""Spoken goals: grammar-biased recognition of synthesised speech, WAV conversion, bad
input, a real OpenAI-compatible transcription server, and microphone capture."""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import json
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from structlog.testing import capture_logs

from agent.errors import (
    AgentConfigError,
    SpeechInputError,
    SpeechSetupError,
    TranscriptionServerError,
)
from agent.speech import (
    Audio,
    ServerSettings,
    Vocabulary,
    capture,
    listen,
    read_wav,
    resample,
    transcribe,
    transcribe_file,
)
from agent.testing import ScriptedMicrophone
from skills.registry import all_specs

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (scripts/setup.sh installs it)"
)
GOALS = (
    "open the microwave and turn on the light",
    "turn off the top left burner",
    "close the slide cabinet",
)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_catalog(all_specs())


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Synthesise a goal with espeak-ng (US voice, 140 words/min, 22,050 Hz mono WAV)."""
    folder = tmp_path_factory.mktemp("speech")

    def speak(text: str) -> Path:
        path = folder / f"{text.replace(' ', '_')}.wav"
        if not path.exists():
            assert ESPEAK is not None
            cmd = [ESPEAK, "-v", "en-us", "-s", "140", "-w", str(path), text]
            subprocess.run(cmd, check=True, capture_output=True)
        return path

    return speak


def write_wav(path: Path, signal: np.ndarray, rate: int, *, bits: int = 16, tag: int = 1) -> Path:
    """A WAV file of frames x channels `signal` in [-1, 1]: PCM (tag 1) or float (tag 3)."""
    frames = signal if signal.ndim == 2 else signal[:, None]
    if tag == 3:
        data = frames.astype(f"<f{bits // 8}").tobytes()
    elif bits == 8:
        data = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif bits == 24:
        ints = np.round(frames * (2**23 - 1)).astype("<i4").reshape(-1)
        data = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    else:
        data = np.round(frames * (2 ** (bits - 1) - 1)).astype(f"<i{bits // 8}").tobytes()
    path.write_bytes(riff(tag, frames.shape[1], rate, bits, data))
    return path


def riff(tag: int, channels: int, rate: int, bits: int, data: bytes) -> bytes:
    """A WAV file's bytes: a 16-byte format chunk, then the data chunk."""
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data


def tone(seconds: float, rate: int, *, hz: float = 1000.0, amplitude: float = 0.5) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * hz * np.arange(round(seconds * rate)) / rate)


def samples_of(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()


# -- recognition ------------------------------------------------------------------------


@needs_espeak
@pytest.mark.parametrize("goal", GOALS)
def test_grammar_hears_a_synthesised_goal_exactly(goal, spoken, vocabulary):
    with capture_logs() as logs:
        heard = transcribe_file(spoken(goal), vocabulary=vocabulary)
    assert heard.text == goal
    assert heard.grammar_used
    assert not heard.needs_confirmation
    assert heard.backend == "pocketsphinx"
    assert heard.confidence is not None
    assert 0.5 < heard.confidence <= 1.0
    assert 1.0 < heard.duration_s < 5.0
    done = [e for e in logs if e["event"] == "speech.transcribed"]
    assert done
    assert done[0]["text"] == goal
    assert done[0]["grammar_used"] is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        heard.text = "something else"  # type: ignore[misc]


@needs_espeak
def test_speech_at_another_rate_and_channel_count_is_heard_the_same(spoken, vocabulary, tmp_path):
    """44.1 kHz stereo 24-bit in, the same exact transcript out."""
    goal = "put the kettle on the top left burner"
    mono, rate = samples_of(spoken(goal))
    up = resample(mono / 32768.0, rate, 44_100)
    stereo = np.stack([up, 0.5 * up], axis=1)
    heard = transcribe_file(
        write_wav(tmp_path / "s.wav", stereo, 44_100, bits=24), vocabulary=vocabulary
    )
    assert heard.text == goal
    assert heard.grammar_used


@needs_espeak
def test_speech_outside_the_grammar_falls_back_and_asks_for_confirmation(spoken, vocabulary):
    with capture_logs() as logs:
        heard = transcribe_file(spoken("make me a cup of tea"), vocabulary=vocabulary)
    assert not heard.grammar_used
    assert heard.needs_confirmation
    assert heard.text  # free decoding heard something, but nobody should trust it unasked
    assert any(e["event"] == "speech.grammar_miss" for e in logs)


def test_catalog_vocabulary_says_skills_and_objects_as_phrases(vocabulary):
    assert {"open", "close", "turn on", "turn off", "pick up", "put"} <= set(vocabulary.verbs)
    assert {"microwave", "light", "slide cabinet", "hinge cabinet", "kettle"} <= set(
        vocabulary.objects
    )
    assert "top left burner" in vocabulary.objects
    assert not any("_" in phrase for phrase in (*vocabulary.verbs, *vocabulary.objects))
    assert "<verb> = " in vocabulary.jsgf()
    assert "top left burner" in vocabulary.jsgf()


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("open the microwave and turn on the light", True),
        ("turn the light on then pick the kettle up", True),
        ("put the kettle on the top left burner", True),
        ("close top", False),
        ("open the microwave and", False),
        ("open the toaster", False),
    ],
)
def test_only_whole_grammar_sentences_match(vocabulary, text, whole):
    """A partial grammar decode ("close top") must not pass as a command."""
    assert vocabulary.matches(text) is whole


def test_vocabulary_rejects_phrases_the_grammar_cannot_hold():
    with pytest.raises(AgentConfigError, match=r"Vocabulary\.objects: 'Top_Burner!'"):
        Vocabulary(verbs=("open",), objects=("Top_Burner!",))
    with pytest.raises(AgentConfigError, match=r"Vocabulary\.verbs is empty"):
        Vocabulary(verbs=(), objects=("microwave",))


def test_a_word_missing_from_the_dictionary_is_named():
    audio = Audio.from_float(tone(0.5, 16_000), 16_000)
    odd = Vocabulary(verbs=("open",), objects=("zxqwv",))
    with pytest.raises(AgentConfigError, match="no pronunciation for: zxqwv"):
        transcribe(audio, vocabulary=odd)


# -- WAV conversion ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "channels", "bits", "tag"),
    [(8_000, 1, 8, 1), (22_050, 1, 16, 1), (44_100, 2, 24, 1), (48_000, 2, 32, 3)],
)
def test_any_common_wav_becomes_16_khz_mono_with_the_tone_kept(tmp_path, rate, channels, bits, tag):
    signal = np.repeat(tone(0.5, rate)[:, None], channels, axis=1)
    audio = read_wav(write_wav(tmp_path / "t.wav", signal, rate, bits=bits, tag=tag))
    assert audio.sample_rate_hz == 16_000
    assert audio.samples.dtype == np.int16
    assert audio.samples.size == 8_000
    spectrum = np.abs(np.fft.rfft(audio.samples.astype(float)))
    assert np.argmax(spectrum) * 16_000 / audio.samples.size == pytest.approx(1000, abs=4)
    assert np.abs(audio.samples[100:-100]).max() == pytest.approx(0.5 * 32767, rel=0.03)


def test_extensible_format_and_odd_sized_extra_chunks_are_read(tmp_path):
    """WAVE_FORMAT_EXTENSIBLE (what many recorders write) and a padded 5-byte LIST chunk."""
    data = np.round(tone(0.25, 16_000) * 32767).astype("<i2").tobytes()
    guid_pcm = struct.pack("<H", 1) + bytes.fromhex("000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, 16_000, 32_000, 2, 16, 22, 16, 4) + guid_pcm
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"LIST" + struct.pack("<I", 5)
    chunks += b"INFOx\0" + b"data" + struct.pack("<I", len(data)) + data
    path = _bytes(
        tmp_path / "ext.wav", b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
    )
    audio = read_wav(path)
    assert audio.samples.size == 4_000
    assert np.abs(audio.samples).max() == pytest.approx(0.5 * 32767, rel=0.01)


def test_downsampling_removes_what_16_khz_cannot_hold():
    """A 7 kHz tone survives 48 -> 16 kHz; a 10 kHz one is filtered, not aliased to 6 kHz."""
    kept = resample(tone(0.5, 48_000, hz=7000), 48_000, 16_000)
    gone = resample(tone(0.5, 48_000, hz=10_000), 48_000, 16_000)
    assert np.abs(kept).max() == pytest.approx(0.5, rel=0.02)
    assert np.abs(gone).max() < 1e-6


# -- bad input --------------------------------------------------------------------------


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    adpcm = _bytes(tmp / "adpcm.wav", riff(2, 1, 8000, 4, bytes(800)))  # MS ADPCM
    return {
        "missing": (tmp / "nope.wav", "does not exist"),
        "directory": (tmp, "is a directory"),
        "not audio": (_text(tmp / "goal.wav"), "is not a WAV file; convert it with: ffmpeg"),
        "compressed": (adpcm, "not plain PCM or float audio; convert it"),
        "truncated": (_bytes(tmp / "cut.wav", b"RIFF\x00\x00\x00\x00WAVE"), "no audio data"),
        "empty": (write_wav(tmp / "e.wav", np.zeros(0), 16_000), "contains no audio samples"),
        "silent": (write_wav(tmp / "s.wav", np.zeros(16_000), 16_000), "is silent"),
        "too long": (write_wav(tmp / "l.wav", tone(61, 8000), 8000, bits=8), "over the 60 s"),
    }


def _text(path: Path) -> Path:
    path.write_text("open the microwave", encoding="utf-8")
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "case",
    ["missing", "directory", "not audio", "compressed", "truncated", "empty", "silent", "too long"],
)
def test_bad_audio_is_refused_with_the_problem_and_the_fix(tmp_path, case):
    path, expected = _bad_files(tmp_path)[case]
    with pytest.raises(SpeechInputError) as caught:
        transcribe_file(path)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)  # the CLI shows it as a usage error


# -- the OpenAI-compatible server -------------------------------------------------------


class _Transcriber(BaseHTTPRequestHandler):
    """POST /v1/audio/transcriptions: runs pocketsphinx on the uploaded WAV."""

    requests: list[dict[str, object]]
    vocabulary: Vocabulary

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields = {
            p.get_param("name", header="content-disposition"): p for p in message.iter_parts()
        }
        form = {name: part.get_payload(decode=True) for name, part in fields.items()}
        self.requests.append({"path": self.path, **form})
        model = form["model"].decode()
        if model == "slow":
            time.sleep(1.0)
            return self._answer(200, {"text": "too late"})
        if self.path != "/v1/audio/transcriptions" or model not in ("pocketsphinx", "slow"):
            return self._answer(404, {"error": {"message": f"model {model!r} not found"}})
        upload = Path(self.server.folder) / "upload.wav"  # type: ignore[attr-defined]
        upload.write_bytes(form["file"])
        heard = transcribe_file(upload, vocabulary=self.vocabulary)
        return self._answer(200, {"text": heard.text})

    def _answer(self, status: int, payload: dict[str, object]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture
def server(tmp_path, vocabulary) -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A real transcription server on 127.0.0.1: its base URL and the requests it got."""
    requests: list[dict[str, object]] = []
    handler = type("Handler", (_Transcriber,), {"requests": requests, "vocabulary": vocabulary})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.folder = str(tmp_path)  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", requests
    httpd.shutdown()
    httpd.server_close()


@needs_espeak
def test_openai_backend_transcribes_through_a_real_server(server, spoken, monkeypatch):
    """Base URL from OPENAI_BASE_URL; the upload is 16 kHz mono; the vocabulary is the prompt."""
    url, requests = server
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    heard = transcribe_file(
        spoken(GOALS[1]), backend="openai", server=ServerSettings(model="pocketsphinx")
    )
    assert heard.text == GOALS[1]
    assert heard.backend == "openai"
    assert heard.confidence is None
    assert not heard.needs_confirmation
    (request,) = requests
    assert request["model"] == b"pocketsphinx"
    assert b"top left burner" in request["prompt"]  # type: ignore[operator]
    upload = request["file"]
    assert isinstance(upload, bytes)
    assert struct.unpack("<HHI", upload[20:28]) == (1, 1, 16_000)  # PCM, mono, 16 kHz


def _tone_audio() -> Audio:
    return Audio.from_float(tone(0.3, 16_000), 16_000)


def test_server_http_error_names_status_and_model(server):
    url, _ = server
    settings = ServerSettings(base_url=url, model="whisper-9", max_retries=0)
    with pytest.raises(TranscriptionServerError, match=r"HTTP 404.*'whisper-9'"):
        transcribe(_tone_audio(), backend="openai", server=settings)


def test_slow_server_times_out_with_the_limit_named(server):
    url, _ = server
    settings = ServerSettings(base_url=url, model="slow", timeout_s=0.2, max_retries=0)
    with pytest.raises(TranscriptionServerError, match=r"did not answer within 0\.2 s"):
        transcribe(_tone_audio(), backend="openai", server=settings)


def test_unreachable_server_says_where_and_what_to_do():
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    settings = ServerSettings(base_url=url, max_retries=0, timeout_s=2)
    with pytest.raises(
        TranscriptionServerError, match=f"cannot reach .* at {re.escape(url)}.*OPENAI_BASE_URL"
    ):
        transcribe(_tone_audio(), backend="openai", server=settings)


def test_server_backend_without_url_or_key_says_what_to_set(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(AgentConfigError, match="OPENAI_API_KEY"):
        transcribe(_tone_audio(), backend="openai")


# -- the microphone ---------------------------------------------------------------------


@needs_espeak
@pytest.mark.parametrize("lead_s", [0.0, 1.0])
def test_listen_stops_on_trailing_silence_and_transcribes(spoken, vocabulary, lead_s):
    """However long the quiet before the goal, the same words are heard."""
    goal = GOALS[2]
    speech, rate = samples_of(spoken(goal))
    lead = np.zeros(round(lead_s * rate), np.int16)
    mic = ScriptedMicrophone(np.concatenate([lead, speech]), rate)
    with capture_logs() as logs:
        heard = listen(10.0, vocabulary=vocabulary, open_stream=lambda: mic)
    assert heard.text == goal
    assert heard.grammar_used
    assert mic.opened
    assert mic.closed
    consumed_s = mic.frames_read / rate
    assert speech.size / rate < consumed_s < speech.size / rate + lead_s + 0.8 + 0.2  # not 10
    captured = [e for e in logs if e["event"] == "speech.captured"]
    assert captured
    assert captured[0]["stopped_by"] == "silence"


def test_listen_without_speech_asks_to_check_the_microphone():
    mic = ScriptedMicrophone(np.zeros(0, np.int16), 16_000)
    with pytest.raises(
        SpeechInputError, match=r"heard no speech in 0\.5 s; check that the microphone"
    ):
        listen(0.5, open_stream=lambda: mic)
    assert mic.frames_read == pytest.approx(8_000, abs=1_600)
    assert mic.closed


def test_capture_stops_at_seconds_max_when_speech_goes_on():
    noise = np.random.default_rng(0).normal(0, 0.3, 48_000 * 3)
    mic = ScriptedMicrophone(np.round(noise * 32767).clip(-32768, 32767), 48_000)
    audio = capture(mic, seconds_max=1.0)
    assert audio.sample_rate_hz == 16_000
    assert audio.duration_s == pytest.approx(1.0, abs=0.11)


def test_missing_portaudio_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails as without PortAudio
    with pytest.raises(SpeechSetupError, match="apt-get install -y libportaudio2") as caught:
        listen(1.0)
    assert isinstance(caught.value, SpeechInputError)


def test_machine_without_a_microphone_says_to_plug_one_in():
    try:
        import sounddevice  # noqa: PLC0415 - only this test touches the real device layer
    except (ImportError, OSError) as exc:
        pytest.skip(f"sounddevice cannot load here: {exc}")
    try:
        sounddevice.query_devices(kind="input")
        pytest.skip("this machine has a microphone")
    except (sounddevice.PortAudioError, ValueError):
        pass
    with pytest.raises(SpeechSetupError, match=r"no usable microphone.*plug one in"):
        listen(1.0)
