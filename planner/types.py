"""Plans and steps: the planner's output, the critic's and the executor's input."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Step(BaseModel):
    """One mid-level step: a skill with arguments, its intent, and the effects it should have.

    `expected_effects` are literals in the predicate language, e.g. "open(microwave)" or
    "not holding(kettle)".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    skill: str = Field(min_length=1, max_length=64)
    arguments: dict[str, str] = Field(default_factory=dict)
    intent: str = Field(default="", max_length=500)
    expected_effects: tuple[str, ...] = ()

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in sorted(self.arguments.items()))
        return f"{self.skill}({args})"


class Plan(BaseModel):
    """An ordered list of steps for one goal, and where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    goal: str
    steps: tuple[Step, ...] = ()
    goal_predicates: tuple[str, ...] = ()
    backend: str = ""
    model: str = ""
    explanation: str = ""
