"""Test doubles for the agent: a scripted operator, and step listeners that perturb or crash.

`ScriptedOperator` answers approvals and questions from lists. `EventsAt` injects scene
events when given steps start (replanning tests); `CrashAt` raises mid-run to stand in
for a process that died (resume tests). `ScriptedMicrophone` plays given samples to
`agent.speech.listen` in place of a real microphone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from agent.report import RunReport
from agent.state import Approval
from embodiments.base import SceneEvent, SupportsEvents
from planner.types import Step
from safety.steplog.parse import parse_log
from safety.steplog.records import RecordBody


class ScriptedOperator:
    """Answers approvals and questions from lists; records what it was asked."""

    def __init__(self, approvals: Sequence[bool] = (), answers: Sequence[str] = ()) -> None:
        self.approvals = list(approvals)
        self.answers = list(answers)
        self.asked: list[str] = []

    def approve(self, step: str, reasons: Sequence[str]) -> Approval:
        """The next scripted yes/no."""
        self.asked.append(f"{step}: {'; '.join(reasons)}")
        return Approval(approved=self.approvals.pop(0), approver="tester", channel="test")

    def answer(self, question: str) -> str:
        """The next scripted answer."""
        self.asked.append(question)
        return self.answers.pop(0)


class EventsAt:
    """A step listener that injects scene events when given steps start."""

    def __init__(self, robot: SupportsEvents, at: dict[int, SceneEvent]) -> None:
        self.robot = robot
        self.at = dict(at)

    def on_step_start(self, step_no: int, step: Step) -> None:
        """Inject the event scheduled for this step, if any."""
        del step
        if step_no in self.at:
            self.robot.inject(self.at.pop(step_no))


class Crash(Exception):  # noqa: N818 - stands for a process dying, not an error class
    """Raised by a listener to end the process's work abruptly mid-run."""


class CrashAt:
    """A step listener that raises `Crash` when step `step_no` starts."""

    def __init__(self, step_no: int) -> None:
        self.step_no = step_no

    def on_step_start(self, step_no: int, step: Step) -> None:
        """Crash at the chosen step."""
        del step
        if step_no == self.step_no:
            raise Crash(step_no)


def logged(report: RunReport) -> list[RecordBody]:
    """Every record body in the run's step log, in order."""
    parsed = parse_log(report.log_paths.log)
    return [line.entry.record.body for line in parsed.lines if line.entry is not None]


class ScriptedMicrophone:
    """An `AudioInputStream` that plays `samples` (int16, mono) and then silence, forever.

    Use it as `listen(open_stream=lambda: mic)`; `frames_read` tells how much `listen`
    consumed, `opened` and `closed` that it used the stream as a context manager.
    """

    def __init__(self, samples: NDArray[np.int16], samplerate: float = 16_000.0) -> None:
        self.samples = np.asarray(samples, dtype=np.int16).reshape(-1)
        self._rate = samplerate
        self.frames_read = 0
        self.opened = self.closed = False

    @property
    def samplerate(self) -> float:
        """Frames per second."""
        return self._rate

    def read(self, frames: int) -> tuple[NDArray[np.int16], bool]:
        """The next `frames` samples as a frames x 1 block; never overflows."""
        block = np.zeros((frames, 1), dtype=np.int16)
        chunk = self.samples[self.frames_read : self.frames_read + frames]
        block[: chunk.size, 0] = chunk
        self.frames_read += frames
        return block, False

    def __enter__(self) -> ScriptedMicrophone:
        self.opened = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True
