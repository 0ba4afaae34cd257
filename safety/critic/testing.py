"""Test doubles for critics: a scripted chat model, registered as `fake-llm`, and builders.

`FakeChatBackend` answers from a script (or always with one decision) and records every
request, so a test can check what the LLM critic saw and that it never saw the goal.
`step`, `plan` and `scene` build critic inputs in one line each.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from embodiments.scene import Atom
from planner.types import Plan, Step
from safety.critic.base import Critic
from safety.critic.llm import LLMAnswer
from safety.critic.registry import make_llm, register_critic
from safety.errors import CriticBackendError
from safety.verdict import Decision, Severity
from skills.scene import PerceivedScene


def step(skill: str, intent: str = "", **arguments: str) -> Step:
    """`step("put", object="fork", destination="microwave")`."""
    return Step(skill=skill, arguments=arguments, intent=intent)


def plan(*steps: Step, goal: str = "test goal") -> Plan:
    """A plan of the given steps."""
    return Plan(goal=goal, steps=steps)


def scene(
    *atoms: str, objects: Iterable[str] = (), person_distance_m: float | None = None
) -> PerceivedScene:
    """A perceived scene believing `atoms`; closed-world for the listed objects."""
    return PerceivedScene(
        objects=tuple(objects),
        atoms=frozenset(Atom.parse(a) for a in atoms),
        person_distance_m=person_distance_m,
    )


class FakeChatBackend:
    """Answers each request with the next scripted answer, then repeats the last one.

    An answer is an `LLMAnswer`, raw text (to test off-schema replies) or an exception
    (to test a failing server).
    """

    name = "fake"

    def __init__(self, answers: Iterable[LLMAnswer | str | Exception] = ()) -> None:
        self.answers = list(answers) or [LLMAnswer(decision=Decision.ALLOW)]
        self.requests: list[str] = []
        self.systems: list[str] = []

    @classmethod
    def always(
        cls,
        decision: Decision,
        reason: str = "scripted",
        severity: Severity = Severity.MEDIUM,
    ) -> FakeChatBackend:
        """A model that gives the same answer to every step."""
        reasons = [reason] if decision is not Decision.ALLOW else []
        return cls([LLMAnswer(decision=decision, reasons=reasons, severity=severity)])

    def complete(self, system: str, user: str, schema: dict[str, Any]) -> str:
        """The next scripted answer as JSON text (or raise the scripted exception)."""
        del schema
        self.systems.append(system)
        self.requests.append(user)
        index = min(len(self.requests) - 1, len(self.answers) - 1)
        answer = self.answers[index]
        if isinstance(answer, Exception):
            raise CriticBackendError(str(answer)) from answer
        return answer if isinstance(answer, str) else answer.model_dump_json()


@register_critic("fake-llm")
def make_fake_llm(
    *,
    backend: FakeChatBackend | None = None,
    rules_path: str | Path | None = None,
) -> Critic:
    """The `llm` critic stack with a scripted model (allows everything by default)."""
    return make_llm(backend=backend or FakeChatBackend(), rules_path=rules_path)
