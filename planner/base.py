"""The planner interface: one request in, one result out.

A `PlanRequest` carries the goal text, the perceived scene, the skill catalog and what
happened so far in this run (steps done, critic findings, failed verifications). A
`Planner` answers with a `PlanResult`: a validated `Plan`, or a refusal, a question for
the person, or a failure, each with a reason in plain words.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from planner.types import Plan, Step
from skills.base import SkillSpec
from skills.scene import PerceivedScene


class FeedbackSource(enum.StrEnum):
    """Who reported a problem with an earlier plan."""

    CRITIC = "critic"
    VERIFIER = "verifier"
    EXECUTOR = "executor"
    VALIDATOR = "validator"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True, kw_only=True)
class Feedback:
    """One finding about an earlier plan, e.g. a critic's denial or a failed verification."""

    source: FeedbackSource
    message: str
    step: Step | None = None

    def __str__(self) -> str:
        where = f" on {self.step}" if self.step is not None else ""
        return f"{self.source}{where}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRequest:
    """What the planner needs: goal, scene, catalog, and this run's history.

    `completed` lists the steps already carried out in this run; `feedback` the critic's
    findings and failed verifications the next plan must take into account.
    """

    goal: str
    scene: PerceivedScene
    specs: tuple[SkillSpec, ...]
    completed: tuple[Step, ...] = ()
    feedback: tuple[Feedback, ...] = ()


class PlanStatus(enum.StrEnum):
    """How planning ended."""

    PLANNED = "planned"
    REFUSED = "refused"
    ASK = "ask"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    """What planning cost: model calls, tokens and wall time."""

    rounds: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed_s: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            rounds=self.rounds + other.rounds,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            elapsed_s=self.elapsed_s + other.elapsed_s,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    """A validated plan, or why there is none.

    `plan` is set exactly when `status` is PLANNED. `reason` is a sentence for a person:
    the refusal, the question to ask, or what failed; for a plan, a short explanation.
    """

    status: PlanStatus
    reason: str = ""
    plan: Plan | None = None
    usage: Usage = Usage()

    def __post_init__(self) -> None:
        if (self.plan is not None) != (self.status is PlanStatus.PLANNED):
            msg = f"a {self.status} result must {'' if self.plan is None else 'not '}carry a plan"
            raise ValueError(msg)

    @classmethod
    def planned(cls, plan: Plan, usage: Usage = Usage()) -> PlanResult:
        """A result carrying a validated plan."""
        return cls(status=PlanStatus.PLANNED, plan=plan, reason=plan.explanation, usage=usage)

    @classmethod
    def no_plan(cls, status: PlanStatus, reason: str, usage: Usage = Usage()) -> PlanResult:
        """A refusal, a question or a failure, with its reason in plain words."""
        return cls(status=status, reason=reason, usage=usage)


class Planner(ABC):
    """Turns a request into a result. Implementations never raise for a bad goal."""

    backend: ClassVar[str]

    @abstractmethod
    def plan(self, request: PlanRequest) -> PlanResult:
        """Plan for the request; bad input yields a refusal or a question, not an exception."""

    @property
    def model(self) -> str:
        """The model behind this planner, for logs and plans ("" when there is none)."""
        return ""
