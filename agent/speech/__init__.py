"""Spoken goals: a WAV file or the microphone in, a `Transcript` out.

Two backends:

- "pocketsphinx" (default, offline): decodes with a JSGF grammar built from the command
  `Vocabulary` (skill verbs, object names, connectives). Free decoding with the general
  English model turns "open the microwave and turn on the light" into guesswork; the
  grammar hears it exactly. When the grammar finds no complete command, the recogniser
  falls back to free decoding and the transcript says `needs_confirmation`.
- "openai": any OpenAI-compatible `/v1/audio/transcriptions` endpoint (open vocabulary);
  the vocabulary travels as the prompt.

WAV files of any common layout (8/16/24/32-bit PCM or 32/64-bit float, any rate, any
number of channels) are converted to 16 kHz mono 16-bit in numpy; no sox at run time.
"""

from agent.speech.audio import (
    CONVERT_HINT,
    MAX_DURATION_S,
    SAMPLE_RATE_HZ,
    SILENT_PEAK_DBFS,
    Audio,
    FloatArray,
    check_audio,
    read_wav,
    resample,
)
from agent.speech.grammar import VERB_SYNONYMS, Vocabulary, default_vocabulary
from agent.speech.recognise import Backend, ServerSettings, Transcript, transcribe, transcribe_file
from agent.speech.recording import (
    AudioInputStream,
    CaptureSettings,
    StreamOpener,
    capture,
    listen,
    microphone,
)

__all__ = [
    "CONVERT_HINT",
    "MAX_DURATION_S",
    "SAMPLE_RATE_HZ",
    "SILENT_PEAK_DBFS",
    "VERB_SYNONYMS",
    "Audio",
    "AudioInputStream",
    "Backend",
    "CaptureSettings",
    "FloatArray",
    "ServerSettings",
    "StreamOpener",
    "Transcript",
    "Vocabulary",
    "capture",
    "check_audio",
    "default_vocabulary",
    "listen",
    "microphone",
    "read_wav",
    "resample",
    "transcribe",
    "transcribe_file",
]
