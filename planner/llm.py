"""The planner every language-model backend shares: prompt, constrained answer, repair.

A backend only supplies an `LLMClient` (one method: messages + JSON schema -> text).
`LLMPlanner` screens the goal, builds the schema and the prompt, parses and validates
the answer, runs bounded repair rounds with the problems found, and in `goals` mode
hands the goal literals to the symbolic search, which writes the steps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import structlog
from pydantic import BaseModel, ConfigDict, Field

from planner.base import Planner, PlanRequest, PlanResult, PlanStatus, Usage
from planner.errors import ModelOutputError, PlannerSetupError
from planner.grounding import asks_where_unseen, misunderstood
from planner.prompt import Message, messages
from planner.schema import JsonSchema, Mode, Reply, ReplyKind, build_schema, parse_reply
from planner.types import Plan
from planner.validate import (
    CheckedPlan,
    check_answer_text,
    check_covers,
    check_order,
    check_steps,
    repair_message,
    screen_goal,
    steps_for_goal,
)

log = structlog.get_logger(__name__)

_model_calls = {"allowed": True}


def allow_model_calls(allowed: bool) -> None:
    """Allow or forbid real model calls (tests forbid them unless marked `llm`)."""
    _model_calls["allowed"] = allowed


def require_model_calls(backend: str) -> None:
    """Raise PlannerSetupError when real model calls are forbidden."""
    if not _model_calls["allowed"]:
        msg = (
            f"real model calls are forbidden here, but the {backend!r} planner was asked to "
            "call a model; use the 'fake' or 'scripted' planner, or mark the test `llm`"
        )
        raise PlannerSetupError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Completion:
    """A model's answer text and its token counts."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LLMClient(Protocol):
    """A chat model that answers within a JSON schema."""

    @property
    def model(self) -> str:
        """The model's name, for plans and logs."""
        ...

    def complete(
        self, messages: Sequence[Message], schema: JsonSchema, *, max_tokens: int
    ) -> Completion:
        """One answer; raises PlannerBackendError when the model cannot be reached."""
        ...


class PlannerSettings(BaseModel):
    """Settings every language-model planner shares."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = Mode.GOALS
    max_repair_rounds: int = Field(default=1, ge=0, le=5)
    max_goal_chars: int = Field(default=2000, ge=1)
    max_output_tokens: int = Field(default=160, ge=16, le=4096)


class LLMPlanner(Planner):
    """Plans with any `LLMClient`; answers are valid by construction or repaired."""

    backend: ClassVar[str] = "llm"

    def __init__(self, client: LLMClient, settings: PlannerSettings, *, backend: str) -> None:
        self.client = client
        self.settings = settings
        self._backend = backend

    @property
    def model(self) -> str:
        """The client's model name."""
        return self.client.model

    def plan(self, request: PlanRequest) -> PlanResult:
        """Plan, refuse or ask; a failed repair round ends in a `failed` result."""
        started = time.perf_counter()
        screened = screen_goal(request, self.settings.max_goal_chars)
        if isinstance(screened, PlanResult):
            return screened
        mode = self.settings.mode
        schema = self._schema(request)
        prompt = messages(request, mode, screened)
        usage = Usage()
        problems: tuple[str, ...] = ()
        for round_number in range(1 + self.settings.max_repair_rounds):
            answer = self.client.complete(
                prompt, schema, max_tokens=self.settings.max_output_tokens
            )
            usage += Usage(
                rounds=1,
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
            )
            log.debug("planner.answer", round=round_number, text=answer.text, mode=mode)
            try:
                result = self._interpret(answer.text, request, screened)
            except ModelOutputError as exc:
                problems = exc.problems
                log.info(
                    "planner.repair",
                    round=round_number,
                    problems=list(problems),
                    plan_only=exc.plan_only,
                )
                if exc.plan_only:
                    schema = self._schema(request, plan_only=True, literals=exc.literals)
                prompt = [
                    *prompt,
                    Message("assistant", answer.text),
                    Message("user", repair_message(problems, plan_only=exc.plan_only)),
                ]
                continue
            return _with_usage(result, usage, started)
        reason = f"The planner found no valid plan after {usage.rounds} answer(s): " + "; ".join(
            problems
        )
        return _with_usage(PlanResult.no_plan(PlanStatus.FAILED, reason), usage, started)

    def _schema(
        self, request: PlanRequest, *, plan_only: bool = False, literals: Sequence[str] = ()
    ) -> JsonSchema:
        return build_schema(
            self.settings.mode,
            request.specs,
            request.scene,
            wrap=self.wants_wrapped_schema,
            plan_only=plan_only,
            literals=literals,
        )

    @property
    def wants_wrapped_schema(self) -> bool:
        """Whether the schema's alternatives must sit under one key (strict servers)."""
        return False

    def _interpret(self, text: str, request: PlanRequest, goal: str) -> PlanResult:
        reply = parse_reply(text, self.settings.mode)
        if reply.kind is not ReplyKind.PLAN:
            check_answer_text(reply.kind, reply.text, request)
        if reply.kind is ReplyKind.REFUSE and misunderstood(reply.text):
            return PlanResult.no_plan(PlanStatus.ASK, f"{reply.text} What should I do?")
        if reply.kind is ReplyKind.REFUSE:
            return PlanResult.no_plan(PlanStatus.REFUSED, reply.text or "I cannot do that here.")
        if reply.kind is ReplyKind.ASK:
            if unseen := asks_where_unseen(reply.text, request.scene.objects):
                reason = f"I cannot see any {unseen} here, so I cannot do that."
                return PlanResult.no_plan(PlanStatus.REFUSED, reason)
            return PlanResult.no_plan(PlanStatus.ASK, reply.text or "What should I do?")
        said = reply.goal or [v for s in reply.steps for v in s.values()]
        check_covers(goal, said, request)
        check_order(goal, said, request)
        checked, literals = self._checked(reply, request)
        plan = Plan(
            goal=goal,
            steps=checked.steps(),
            goal_predicates=literals,
            backend=self._backend,
            model=self.model,
            explanation=_explain(checked, literals),
        )
        return PlanResult.planned(plan)

    def _checked(self, reply: Reply, request: PlanRequest) -> tuple[CheckedPlan, tuple[str, ...]]:
        if self.settings.mode is Mode.STEPS:
            return check_steps(reply.steps, request), ()
        checked, goal = steps_for_goal(reply.goal, request)
        return checked, tuple(str(g) for g in goal)


def _explain(checked: CheckedPlan, literals: Sequence[str]) -> str:
    if not checked.actions:
        return "Nothing to do: the goal already holds."
    target = f" to make {', '.join(literals)} true" if literals else ""
    return f"{len(checked.actions)} step(s){target}."


def _with_usage(result: PlanResult, usage: Usage, started: float) -> PlanResult:
    elapsed = Usage(elapsed_s=time.perf_counter() - started)
    return PlanResult(
        status=result.status, reason=result.reason, plan=result.plan, usage=usage + elapsed
    )
