"""Embodiment wrappers of the benchmark, each changing one thing (Gymnasium style).

- `TickEvents` injects scheduled scene events at given control ticks, so a door can
  close or a grasp slip in the middle of a skill rather than between steps;
- `FrameFault` corrupts one observation once: a black frame, a truncated frame (the
  bottom rows zero, as when a buffer is cut short) or a missing camera;
- `WorkerOwned` keeps one kitchen per worker process open across episodes: the runner
  closes the embodiment it is given after each run, and building a kitchen costs seconds.
"""

from __future__ import annotations

import dataclasses
import enum

import numpy as np
import structlog

from agent.bench.errors import BenchConfigError
from embodiments.base import (
    AppliedCommand,
    Command,
    Embodiment,
    EmbodimentWrapper,
    Frame,
    Observation,
    SceneEvent,
    SupportsEvents,
)

log = structlog.get_logger("steward.bench")


@dataclasses.dataclass(frozen=True, slots=True)
class Fired:
    """A perturbation that happened: what, and at which control tick of the episode."""

    what: str
    tick: int


class TickEvents(EmbodimentWrapper):
    """Injects scene events when their control tick comes (ticks counted across the episode)."""

    def __init__(self, inner: Embodiment) -> None:
        super().__init__(inner)
        world = inner.unwrapped
        if not isinstance(world, SupportsEvents):
            msg = (
                f"embodiment {inner.name!r} cannot inject scene events; the benchmark's "
                "perturbations need one with `inject` (franka_kitchen or fake)"
            )
            raise BenchConfigError(msg)
        self._world: SupportsEvents = world
        self.tick = 0
        self._pending: list[tuple[int, SceneEvent]] = []
        self.fired: list[Fired] = []

    def reset(self, seed: int | None = None) -> Observation:
        """Reset the episode's tick count and drop pending events."""
        self.tick = 0
        self._pending.clear()
        self.fired.clear()
        return self.inner.reset(seed)

    def schedule(self, event: SceneEvent, *, after_ticks: int) -> None:
        """Inject `event` before the control tick `after_ticks` ticks from now (0: the next)."""
        if after_ticks < 0:
            msg = f"after_ticks={after_ticks} must be >= 0"
            raise ValueError(msg)
        self._pending.append((self.tick + after_ticks, event))

    @property
    def pending(self) -> tuple[tuple[int, SceneEvent], ...]:
        """Events not yet injected, with the episode tick each is due at."""
        return tuple(self._pending)

    def apply(self, command: Command) -> AppliedCommand:
        """Inject every event now due, then forward the command."""
        due = [event for at, event in self._pending if at <= self.tick]
        self._pending = [(at, event) for at, event in self._pending if at > self.tick]
        for event in due:
            self._world.inject(event)
            what = f"{event.kind}({event.target})" if event.target else event.kind
            if event.value is not None:
                what += f" value={event.value:g}"
            self.fired.append(Fired(what, self.tick))
            log.info("bench.inject", what=what, tick=self.tick)
        self.tick += 1
        return self.inner.apply(command)


class FrameFaultKind(enum.StrEnum):
    """How one observation is corrupted."""

    BLACK = "black"
    TRUNCATED = "truncated"
    MISSING = "missing"


def corrupt(frames: dict[str, Frame], camera: str, fault: FrameFaultKind) -> dict[str, Frame]:
    """The frames with `camera`'s frame blacked out, cut short, or removed."""
    out = dict(frames)
    if fault is FrameFaultKind.MISSING:
        out.pop(camera, None)
        return out
    frame = np.array(frames[camera], copy=True)
    if fault is FrameFaultKind.BLACK:
        frame[...] = 0
    else:
        frame[frame.shape[0] // 2 :] = 0
    out[camera] = frame
    return out


class FrameFault(EmbodimentWrapper):
    """Corrupts one camera's frame in one observation, once per `arm()`."""

    def __init__(self, inner: Embodiment, *, ticks: TickEvents | None = None) -> None:
        super().__init__(inner)
        self._ticks = ticks
        self._armed: tuple[FrameFaultKind, int, int] | None = None  # fault, camera, countdown
        self.fired: list[Fired] = []

    def reset(self, seed: int | None = None) -> Observation:
        """Disarm and forget earlier faults."""
        self._armed = None
        self.fired.clear()
        return self.inner.reset(seed)

    def arm(self, fault: FrameFaultKind, *, camera_index: int = 0, skip: int = 0) -> None:
        """Corrupt the observation after the next `skip` ones (camera by index, sorted names)."""
        if skip < 0:
            msg = f"skip={skip} must be >= 0"
            raise ValueError(msg)
        self._armed = (fault, camera_index, skip)

    def observe(self) -> Observation:
        """Forward; the armed observation comes back corrupted."""
        obs = self.inner.observe()
        if self._armed is None:
            return obs
        fault, camera_index, countdown = self._armed
        if countdown > 0:
            self._armed = (fault, camera_index, countdown - 1)
            return obs
        self._armed = None
        cameras = sorted(obs.frames)
        if not cameras:
            return obs
        camera = cameras[camera_index % len(cameras)]
        what = f"{fault}_frame({camera})"
        self.fired.append(Fired(what, self._ticks.tick if self._ticks is not None else 0))
        log.info("bench.frame_fault", fault=str(fault), camera=camera)
        return dataclasses.replace(obs, frames=corrupt(dict(obs.frames), camera, fault))


class WorkerOwned(EmbodimentWrapper):
    """Keeps the embodiment open across runs; the worker that built it calls `release()`."""

    def close(self) -> None:
        """Kept open for the next episode (the runner closes what it is given after a run)."""

    def release(self) -> None:
        """Close the embodiment for good (when the worker ends)."""
        self.inner.close()
