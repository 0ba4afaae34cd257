"""The skill interface: a spec the planner and critic read, and backends that run it.

A `SkillSpec` says what a skill does in the predicate language (preconditions and
effects over named entities) and which arguments it takes (a pydantic model). A `Skill`
backend runs the spec closed-loop against an embodiment at its control rate, checks a
cancel token every tick, and returns a `SkillResult`. Every registered backend passes
the contract suite in `tests/skills/test_contract.py`.
"""

from __future__ import annotations

import enum
import threading
import typing
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import BaseModel, ValidationError

from embodiments.base import Embodiment
from skills.errors import SkillArgumentError
from skills.predicates import GroundLiteral, Literal


@dataclass(frozen=True, kw_only=True)
class SkillSpec:
    """What a skill does, in terms the planner and the critic can reason about."""

    name: str
    description: str
    arguments: type[BaseModel]
    preconditions: tuple[Literal, ...] = ()
    effects: tuple[Literal, ...] = ()

    def validate_arguments(self, raw: Mapping[str, object] | BaseModel) -> BaseModel:
        """Typed arguments, or SkillArgumentError naming each bad field and its valid values."""
        if isinstance(raw, self.arguments):
            return raw
        data = raw.model_dump() if isinstance(raw, BaseModel) else dict(raw)
        try:
            return self.arguments.model_validate(data)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                fld = ".".join(str(p) for p in err["loc"]) or "(arguments)"
                choices = self.argument_choices().get(fld)
                hint = f"; valid values: {', '.join(choices)}" if choices else ""
                got = f" (got {err['input']!r})" if err["type"] != "missing" else ""
                problems.append(f"{fld}: {err['msg']}{got}{hint}")
            msg = f"invalid arguments for skill {self.name!r}: " + "; ".join(problems)
            raise SkillArgumentError(msg) from None

    def argument_choices(self) -> dict[str, tuple[str, ...]]:
        """For each argument typed as a `Literal[...]`, its allowed values."""
        choices: dict[str, tuple[str, ...]] = {}
        for fld_name, info in self.arguments.model_fields.items():
            if typing.get_origin(info.annotation) is typing.Literal:
                choices[fld_name] = tuple(str(v) for v in typing.get_args(info.annotation))
        return choices

    def ground(
        self, arguments: BaseModel
    ) -> tuple[tuple[GroundLiteral, ...], tuple[GroundLiteral, ...]]:
        """Preconditions and effects with the step's argument values filled in."""
        values = {k: str(v) for k, v in arguments.model_dump().items()}
        pre = tuple(p.ground(values) for p in self.preconditions)
        eff = tuple(e.ground(values) for e in self.effects)
        return pre, eff


class SkillStatus(enum.StrEnum):
    """How a skill run ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True, slots=True)
class SkillResult:
    """The outcome of one skill run. `succeeded` is the skill's own belief, not verification."""

    status: SkillStatus
    message: str = ""
    ticks: int = 0
    duration_s: float = 0.0
    clamped_ticks: int = 0
    stopped_ticks: int = 0

    @property
    def succeeded(self) -> bool:
        """Whether the backend believes it finished the motion."""
        return self.status is SkillStatus.SUCCEEDED


@dataclass
class CancelToken:
    """Set from any thread to make a running skill stop at its next control tick."""

    _event: threading.Event = field(default_factory=threading.Event)
    reason: str = ""

    def cancel(self, reason: str = "cancelled") -> None:
        """Request cancellation."""
        self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancellation was requested."""
        return self._event.is_set()


class Skill(ABC):
    """A backend that runs one skill spec on an embodiment."""

    spec: ClassVar[SkillSpec]
    backend: ClassVar[str]

    @abstractmethod
    def supports(self, embodiment: Embodiment) -> bool:
        """Whether this backend can drive the given embodiment."""

    @abstractmethod
    def run(
        self,
        embodiment: Embodiment,
        arguments: BaseModel,
        *,
        cancel: CancelToken | None = None,
    ) -> SkillResult:
        """Run closed-loop until done, failed, timed out or cancelled. Never retries motion."""
