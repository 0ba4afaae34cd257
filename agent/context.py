"""The run context: the live dependencies every node reads (never checkpointed).

LangGraph passes it to each node as `runtime.context`. It holds the robot behind its
action shield, the planner, the critic, the detectors, the skill specs, the step log,
the person who answers approvals and questions, the cancel token that Ctrl-C sets, and
the latest observation, so nodes stay small functions of (state, context).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agent.state import AgentState, Approval
from embodiments.base import Embodiment, Observation, SupportsPresence
from planner.base import Planner
from planner.types import Step
from safety.critic.base import Critic
from safety.shield import ActionShield
from safety.steplog.writer import StepLog
from skills.base import CancelToken, Skill, SkillSpec
from skills.perception.base import Detector
from skills.perception.looks import CloserLook


class Operator(Protocol):
    """The person at the other end: approves steps and answers the planner's questions."""

    def approve(self, step: str, reasons: Sequence[str]) -> Approval:
        """Yes or no for a step the critic wants a person to approve."""
        ...

    def answer(self, question: str) -> str:
        """An answer to the planner's question ("" for none)."""
        ...


class NobodyThere:
    """No one to ask: declines every approval and answers no question."""

    def approve(self, step: str, reasons: Sequence[str]) -> Approval:
        """Decline, saying why."""
        del step, reasons
        return Approval(approved=False, approver="nobody", channel="none", note="no one to ask")

    def answer(self, question: str) -> str:
        """No answer."""
        del question
        return ""


Progress = Callable[[str, AgentState], None]
"""Called with (node name, its update) after every node, e.g. to print progress."""


class StepListener(Protocol):
    """Told when a step starts moving the robot (e.g. a benchmark's perturbation schedule)."""

    def on_step_start(self, step_no: int, step: Step) -> None:
        """Step `step_no` is about to run."""
        ...


class PersonSensor:
    """Distance to the nearest person, read by the shield every tick and by perceive.

    It reads the embodiment's presence sensor when it has one (`SupportsPresence`), live;
    otherwise nobody is reported, and the critic's person rules see no one.
    """

    def __init__(self, embodiment: Embodiment | None = None) -> None:
        body = embodiment.unwrapped if embodiment is not None else None
        self._sensor: SupportsPresence | None = body if isinstance(body, SupportsPresence) else None

    def __call__(self) -> float | None:
        """Metres to the nearest person, or None when no one is sensed."""
        return None if self._sensor is None else self._sensor.person_distance_m()

    def near(self, objects: Iterable[str]) -> float | None:
        """Metres to the nearest person from the hand or from any of `objects` on the map.

        A step acts where its objects are: a burner switched on heats next to the person
        standing at the stove, wherever the hand is when the critic looks.
        """
        if self._sensor is None:
            return None
        hand = self._sensor.person_distance_m()
        if hand is None:
            return None
        mapped = (self._sensor.person_distance_from_m(o) for o in objects)
        return min([hand, *(d for d in mapped if d is not None)])


SkillFactory = Callable[[str], Skill]
"""Builds the configured backend of a skill by skill name."""


@dataclass
class RunContext:
    """Dependencies of one run. Built by `agent.runner`, or by tests with doubles."""

    robot: ActionShield
    planner: Planner
    critic: Critic
    detectors: tuple[Detector, ...]
    specs: Mapping[str, SkillSpec]
    make_skill: SkillFactory
    log: StepLog
    operator: Operator = field(default_factory=NobodyThere)
    """Who answers approvals and the planner's questions, asked inside the node."""
    cancel: CancelToken = field(default_factory=CancelToken)
    listeners: tuple[StepListener, ...] = ()
    progress: Progress | None = None
    person: PersonSensor = field(default_factory=PersonSensor)
    look: CloserLook | None = None
    """A closer look for atoms the cameras are unsure of (None: no moving to look)."""
    latest: Observation | None = None
    """The last observation, so perceive and verify need not render again."""
    fresh: Observation | None = None
    """What verify saw after a step, for the perceive right after it: nothing has moved
    since, so perceiving uses it instead of rendering again. Perceive takes it; `wait`
    drops it, since time passes there."""
    log_seconds: float = 0.0
    """Time spent writing the step log so far (for the time breakdown)."""
    graph_steps: int = 0
    """Nodes this process has run for the run (for the time breakdown; a resumed run
    counts from zero)."""

    @property
    def embodiment(self) -> Embodiment:
        """The robot below the shield (for snapshots; never for scene truth)."""
        return self.robot.unwrapped
