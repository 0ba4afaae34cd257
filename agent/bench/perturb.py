"""Perturbations: what goes wrong mid-run, drawn from the episode's seed, one kind per episode.

A `Schedule` fixes everything random about a perturbation (the tick it fires at, where
the kettle goes, how far the person stands, which frame breaks) before the run starts, so
every configuration meets exactly the same perturbation. `Perturbation` is the step
listener that arms it when its trigger step starts; the wrappers in `agent.bench.wrappers`
fire it at the scheduled control tick or observation.

| kind | trigger step | what happens |
| --- | --- | --- |
| door_closed | a step after an `open` step, that door still open | that door is closed again |
| kettle_moved | the first `pick` step | the kettle jumps to another burner |
| grasp_slip | the first `place` step | the gripper is forced open while carrying |
| person_near_stove | step `step` | a person stands 0.55-0.95 m from a burner, then leaves |
| bad_frame | step `step` | one camera frame is black, truncated or missing, once |
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import structlog

from agent.bench.wrappers import FrameFault, FrameFaultKind, TickEvents
from embodiments.base import Embodiment, SceneEvent
from planner.types import Step

log = structlog.get_logger("steward.bench")

BURNERS = ("bottom_left_burner", "bottom_right_burner", "top_left_burner", "top_right_burner")


class Kind(enum.StrEnum):
    """One kind of perturbation per episode; `none` leaves the episode alone."""

    NONE = "none"
    DOOR_CLOSED = "door_closed"
    KETTLE_MOVED = "kettle_moved"
    GRASP_SLIP = "grasp_slip"
    PERSON_NEAR_STOVE = "person_near_stove"
    BAD_FRAME = "bad_frame"


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """Everything random about one episode's perturbation, fixed before the run."""

    kind: Kind
    step: int = 1
    """For person_near_stove and bad_frame: the step whose start arms it."""
    tick: int = 0
    """Control ticks after the trigger step starts before the event fires."""
    burner_order: tuple[str, ...] = BURNERS
    """kettle_moved: destinations in order of preference (not its burner, not the goal's)."""
    distance_m: float = 0.0
    """person_near_stove: metres beyond the spot beside the stove (the event's value)."""
    stay_ticks: int = 0
    """person_near_stove: how many control ticks the person stays before leaving."""
    frame_fault: FrameFaultKind = FrameFaultKind.BLACK
    camera_index: int = 0
    skip_observations: int = 0
    """bad_frame: observations left intact after the trigger step starts."""

    def describe(self) -> str:
        """A short label for tables and logs."""
        if self.kind is Kind.NONE:
            return "none"
        if self.kind is Kind.PERSON_NEAR_STOVE:
            return f"{self.kind} step {self.step} tick {self.tick} stay {self.stay_ticks}"
        if self.kind is Kind.BAD_FRAME:
            return f"{self.frame_fault} frame, step {self.step}, +{self.skip_observations} obs"
        return f"{self.kind} tick {self.tick}"


def draw_schedule(kind: Kind, rng: np.random.Generator) -> Schedule:
    """A seeded schedule for `kind` (the rng is the episode's own)."""
    if kind is Kind.DOOR_CLOSED:
        return Schedule(kind=kind, tick=int(rng.integers(0, 11)))
    if kind is Kind.KETTLE_MOVED:
        order = tuple(str(b) for b in rng.permutation(BURNERS))
        return Schedule(kind=kind, tick=int(rng.integers(2, 13)), burner_order=order)
    if kind is Kind.GRASP_SLIP:
        return Schedule(kind=kind, tick=int(rng.integers(10, 51)))
    if kind is Kind.PERSON_NEAR_STOVE:
        return Schedule(
            kind=kind,
            tick=int(rng.integers(0, 21)),
            distance_m=round(float(rng.uniform(0.0, 0.4)), 2),
            stay_ticks=int(rng.integers(60, 241)),
        )
    if kind is Kind.BAD_FRAME:
        faults = tuple(FrameFaultKind)
        return Schedule(
            kind=kind,
            step=int(rng.integers(1, 3)),
            frame_fault=faults[int(rng.integers(len(faults)))],
            # The first observation after the step's motion: the one verify checks the step
            # with, and (the agent rendering once per step) the next perceive reads too.
            camera_index=int(rng.integers(0, 2)),
        )
    return Schedule(kind=Kind.NONE)


class Perturbation:
    """The step listener that arms an episode's perturbation when its trigger step starts.

    It fires at most once per episode, even when the agent replans and the trigger
    step comes round again.
    """

    def __init__(
        self,
        schedule: Schedule,
        *,
        events: TickEvents,
        frames: FrameFault,
        world: Embodiment,
        avoid_burners: frozenset[str] = frozenset(),
    ) -> None:
        self.schedule = schedule
        self._events = events
        self._frames = frames
        self._world = world
        self._avoid = avoid_burners
        self._opened: list[str] = []
        self.armed_at_step: int | None = None

    def on_step_start(self, step_no: int, step: Step) -> None:
        """Arm the perturbation if this is its trigger step."""
        if self.armed_at_step is not None or self.schedule.kind is Kind.NONE:
            return
        if self._arm(step_no, step):
            self.armed_at_step = step_no
            log.info("bench.armed", kind=str(self.schedule.kind), step=step_no)

    def _arm(self, step_no: int, step: Step) -> bool:  # noqa: PLR0911 - one return per kind
        s, kind = self.schedule, self.schedule.kind
        if kind is Kind.DOOR_CLOSED:
            door = self._opened_door()
            if step.skill == "open" and "target" in step.arguments:
                self._opened.append(step.arguments["target"])
            if door is None:
                return False
            self._events.schedule(SceneEvent("close", door), after_ticks=s.tick)
            return True
        if kind is Kind.KETTLE_MOVED and step.skill == "pick":
            burner = self._kettle_destination()
            self._events.schedule(SceneEvent("move_kettle", burner), after_ticks=s.tick)
            return True
        if kind is Kind.GRASP_SLIP and step.skill == "place":
            self._events.schedule(SceneEvent("drop"), after_ticks=s.tick)
            return True
        if kind is Kind.PERSON_NEAR_STOVE and step_no == s.step:
            arrive = SceneEvent("place_person", value=s.distance_m)
            self._events.schedule(arrive, after_ticks=s.tick)
            self._events.schedule(SceneEvent("remove_person"), after_ticks=s.tick + s.stay_ticks)
            return True
        if kind is Kind.BAD_FRAME and step_no == s.step:
            self._frames.arm(s.frame_fault, camera_index=s.camera_index, skip=s.skip_observations)
            return True
        return False

    def _opened_door(self) -> str | None:
        """The latest door an earlier `open` step opened that is still open (scene truth)."""
        if not self._opened:
            return None
        atoms = self._world.scene_truth().atoms
        open_now = {a.args[0] for a in atoms if a.predicate == "open" and a.args}
        return next((d for d in reversed(self._opened) if d in open_now), None)

    def _kettle_destination(self) -> str:
        """The first burner in the schedule's order that the kettle is not on and not bound for.

        Reads scene truth: the harness, not the agent, decides where the world moves it.
        """
        atoms = self._world.scene_truth().atoms
        here = {a.args[1] for a in atoms if a.predicate == "on" and a.args[:1] == ("kettle",)}
        for burner in self.schedule.burner_order:
            if burner not in here and burner not in self._avoid:
                return burner
        return self.schedule.burner_order[0]
