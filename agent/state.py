"""The agent's state: what one run knows, as typed values that checkpoint to SQLite.

Nodes return partial updates; `history`, `feedback` and `timings` merge by the reducers
declared here, everything else is replaced. The state holds no frames and no scene
truth: frames live in the step log's store (by hash) and in the run context.
"""

from __future__ import annotations

import functools
import operator
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from agent.config import RunConfig
from planner.types import Plan, Step
from safety.verdict import Verdict

OutcomeStatus = Literal["done", "refused", "failed", "stopped"]
ReplanTrigger = Literal[
    "deny", "revise", "verification_failed", "skill_failed", "scene_changed", "operator"
]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SceneView(_Value):
    """The perceived scene as the state keeps it: true atoms, confidences, frame hashes."""

    atoms: tuple[str, ...] = ()
    confidence: dict[str, float] = Field(default_factory=dict)
    person_distance_m: float | None = None
    frames: dict[str, str] = Field(default_factory=dict, description="camera -> sha256")


class StepOutcome(_Value):
    """One step that ran (or was stopped before it could): for history, replies and logs."""

    step_no: int
    step: Step
    decision: str
    backend: str = ""
    source: str = ""
    skill_status: str = ""
    held_by_shield: bool = False  # the shield stopped the arm (a person too close)
    verified: bool = False
    message: str = ""


class Replan(_Value):
    """Why the agent needs a new plan."""

    trigger: ReplanTrigger
    reason: str
    step_no: int | None = None


class FeedbackNote(_Value):
    """A finding the next plan must take into account (critic, verifier or executor)."""

    source: Literal["critic", "verifier", "executor", "operator"]
    message: str
    step: Step | None = None


class Outcome(_Value):
    """How the run ended, with the reason a person reads."""

    status: OutcomeStatus
    reason: str


class Approval(_Value):
    """A person's answer to an `ask_human` verdict."""

    approved: bool
    approver: str = "operator"
    channel: str = "cli"
    note: str = ""


def add_timings(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    """Sum seconds per phase."""
    merged = dict(left)
    for key, seconds in right.items():
        merged[key] = merged.get(key, 0.0) + seconds
    return merged


class AgentState(TypedDict, total=False):
    """The run's state. Only `goal`, `run_id` and `config` are set at the start."""

    goal: str
    goal_source: Literal["typed", "speech"]
    run_id: str
    config: RunConfig
    scene: SceneView
    plan: Plan | None
    plans: int  # plans made so far (the first is 1)
    cursor: int  # index in plan.steps of the next step
    expected: dict[str, bool]  # atom -> value this plan's verified steps left behind
    step_no: int  # steps started in this run, across plans; the log's step number
    verdict: Verdict | None
    approval: Approval | None
    acted: StepOutcome | None  # the step that just ran, until verify judges it
    replan: Replan | None
    replans: int
    step_failures: int  # failed tries of the current step
    outcome: Outcome | None
    waiting: str | None  # why the robot holds still until a person steps away
    waited_s: float  # time spent waiting for people in this run
    snapshot: bytes | None  # a simulator's state at the last observation (for resume)
    history: Annotated[list[StepOutcome], operator.add]
    feedback: Annotated[list[FeedbackNote], operator.add]
    question: str | None  # the planner's question for the person, if it asked one
    clarifications: int
    timings: Annotated[dict[str, float], add_timings]


@functools.cache
def reducers() -> dict[str, Callable[[Any, Any], Any]]:
    """Key -> the reducer that merges an update into the state (from `AgentState`)."""
    hints = typing.get_type_hints(AgentState, include_extras=True)
    return {
        key: hint.__metadata__[0] for key, hint in hints.items() if hasattr(hint, "__metadata__")
    }


def applied(state: AgentState, update: AgentState) -> AgentState:
    """The state after `update`, as LangGraph would apply it (reducer keys merged)."""
    merged: dict[str, Any] = {**state, **update}
    for key, reduce in reducers().items():
        if key in update and key in state:
            merged[key] = reduce(state[key], update[key])  # type: ignore[literal-required]
    return merged  # type: ignore[return-value]  # the keys and types of AgentState


def combined(first: AgentState, then: AgentState) -> AgentState:
    """One update with the effect of `first` and then `then` (reducers are associative)."""
    return applied(first, then)


# Classes the checkpointer may rebuild from SQLite; nothing else is deserialised.
STATE_TYPES: tuple[type[BaseModel], ...] = (
    RunConfig,
    SceneView,
    StepOutcome,
    Replan,
    Outcome,
    Approval,
    FeedbackNote,
    Plan,
    Step,
    Verdict,
)
