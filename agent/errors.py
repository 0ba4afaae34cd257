"""Errors of the agent, grouped by who must act.

- `AgentError`: the base; its message names the problem and the fix.
- `RunNotFoundError`: the operator named a run that does not exist.
- `RunStopped`: the operator stopped the run (Ctrl-C, e-stop); it can be resumed.

Spoken goals and the run's video (`agent/speech/`, `agent/video.py`):

- `AgentInputError`: the person giving the goal or a flag fixes an input.
  `SpeechInputError` (the audio file or the spoken goal is unusable: missing, not audio,
  silent, too long, nothing heard) and `VideoPathError` (the `--video` path) derive from it.
- `AgentSetupError`: the machine lacks a package or a device; the message names the
  install command or the device to plug in. `SpeechSetupError` (PortAudio, a microphone,
  pocketsphinx) is also a `SpeechInputError`, so a front end can catch spoken-input
  problems in one place.
- `AgentConfigError`: a developer or the person configuring passed a bad setting or
  value (a vocabulary word the recogniser cannot say, a frame of the wrong shape).
- `AgentBackendError`: a service or tool the agent relies on failed; an operator checks
  it. `TranscriptionServerError` (the audio endpoint) and `VideoWriteError` (the encoder).
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of the agent's errors; the message says what to do."""


class RunNotFoundError(AgentError, KeyError):
    """No run with that id in the run store."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "run not found"


class RunStopped(AgentError):  # noqa: N818 - a stop is an outcome, not a fault
    """The operator stopped the run; `steward resume RUN_ID` continues it."""

    def __init__(self, reason: str, *, step_no: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.step_no = step_no


# -- spoken goals and video ---------------------------------------------------------------


class AgentInputError(AgentError, ValueError):
    """An input the person gave (a file, a flag) is unusable; the message says how to fix it."""


class AgentSetupError(AgentError, RuntimeError):
    """The machine lacks a package or a device; the message names what to install or plug in."""


class AgentConfigError(AgentError, ValueError):
    """A setting or argument is invalid; the message names the field and the value."""


class AgentBackendError(AgentError, RuntimeError):
    """A service or tool the agent relies on failed (unreachable, HTTP error, crashed)."""


class SpeechInputError(AgentInputError):
    """The audio file or the spoken goal cannot be used (missing, not audio, silent, too long)."""


class SpeechSetupError(SpeechInputError, AgentSetupError):
    """Speech input needs something the machine lacks (PortAudio, a microphone, pocketsphinx)."""


class TranscriptionServerError(AgentBackendError):
    """The OpenAI-compatible transcription server failed or could not be reached."""


class VideoPathError(AgentInputError):
    """The `--video` path cannot be written (folder missing, not .mp4, a directory)."""


class VideoWriteError(AgentBackendError):
    """The video encoder failed while writing or closing the file."""
