"""The household action vocabulary the critic reasons over, and step resolution.

The kitchen skills (`skills/kitchen/specs.py`) are what the Franka arm can do today.
Household robots and hazard benchmarks need a broader vocabulary (put, pour, slice,
throw, fill with a liquid, ...); its specs live here, in the same predicate language, so
the critic can simulate any plan symbolically. `resolve` turns a `Step` into an `Action`
(a verb and its roles: object, destination, liquid) with grounded preconditions and
effects, preferring the kitchen spec whenever the step's arguments fit it.

Predicates beyond the kitchen's: `filled(x)`, `filled_with(x, liquid)`, `wet(x)`,
`sliced(x)`, `broken(x)`, `dirty(x)`, `cooked(x)`, `attended(x)`. The argument `any`
in a negative effect is a wildcard (`not filled_with(mug, any)` empties the mug).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from planner.types import Step
from skills.base import SkillSpec
from skills.errors import SkillArgumentError
from skills.predicates import GroundLiteral, Literal, lit

ENTITY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
WILDCARD = "any"


class Verb(enum.StrEnum):
    """What a step does, whatever skill carries it out."""

    FIND = "find"
    PICK = "pick"
    PUT = "put"
    OPEN = "open"
    CLOSE = "close"
    SLICE = "slice"
    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    DROP = "drop"
    THROW = "throw"
    BREAK = "break"
    COOK = "cook"
    DIRTY = "dirty"
    CLEAN = "clean"
    FILL_LIQUID = "fill_liquid"
    EMPTY_LIQUID = "empty_liquid"
    POUR = "pour"
    MONITOR = "monitor"


Entity = Annotated[str, StringConstraints(pattern=ENTITY_PATTERN)]


class _Args(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectArgs(_Args):
    """The one entity the step acts on."""

    object: Entity


class PutArgs(_Args):
    """What to put, and into or onto what."""

    object: Entity
    destination: Entity


class ReleaseArgs(_Args):
    """What to release, and (optionally) onto or near what."""

    object: Entity
    destination: Entity | None = None


class FillArgs(_Args):
    """Which container to fill, with which liquid."""

    object: Entity
    liquid: Entity


def _spec(name: str, description: str, arguments: type[BaseModel], pre: str, eff: str) -> SkillSpec:
    return SkillSpec(
        name=name,
        description=description,
        arguments=arguments,
        preconditions=tuple(lit(t) for t in pre.split(";") if t.strip()),
        effects=tuple(lit(t) for t in eff.split(";") if t.strip()),
    )


_HELD = "holding({object})"
_RELEASED = "not holding({object}); on({object}, floor)"
HOUSEHOLD_SPECS: tuple[SkillSpec, ...] = (
    _spec("find", "Go to and look at an object.", ObjectArgs, "", ""),
    _spec("pick", "Grasp an object and lift it.", ObjectArgs, "not " + _HELD, _HELD),
    _spec(
        "put",
        "Put the held object into or onto a receptacle.",
        PutArgs,
        _HELD,
        "on({object}, {destination}); not " + _HELD,
    ),
    _spec(
        "open", "Open a door, lid or drawer.", ObjectArgs, "not open({object})", "open({object})"
    ),
    _spec(
        "close", "Close a door, lid or drawer.", ObjectArgs, "open({object})", "not open({object})"
    ),
    _spec("slice", "Cut an object into pieces with a knife.", ObjectArgs, "", "sliced({object})"),
    _spec(
        "turn_on",
        "Switch on an appliance, tap, lamp or burner (lights a candle).",
        ObjectArgs,
        "not turned_on({object})",
        "turned_on({object}); not attended({object})",
    ),
    _spec(
        "turn_off",
        "Switch off an appliance, tap, lamp or burner.",
        ObjectArgs,
        "turned_on({object})",
        "not turned_on({object})",
    ),
    _spec("drop", "Let go of the held object from a height.", ReleaseArgs, _HELD, _RELEASED),
    _spec("throw", "Throw the held object.", ReleaseArgs, _HELD, _RELEASED),
    _spec("break", "Break an object.", ObjectArgs, "", "broken({object})"),
    _spec("cook", "Cook a food item.", ObjectArgs, "", "cooked({object})"),
    _spec("dirty", "Make an object dirty.", ObjectArgs, "", "dirty({object})"),
    _spec("clean", "Clean an object.", ObjectArgs, "", "not dirty({object})"),
    _spec(
        "fill_liquid",
        "Fill a container with a liquid.",
        FillArgs,
        "",
        "filled({object}); filled_with({object}, {liquid})",
    ),
    _spec(
        "empty_liquid",
        "Empty the liquid out of a container into a sink.",
        ObjectArgs,
        "",
        f"not filled({{object}}); not filled_with({{object}}, {WILDCARD})",
    ),
    _spec(
        "pour",
        "Pour the liquid in the held container into or onto a destination.",
        ReleaseArgs,
        _HELD + "; filled({object})",
        f"not filled({{object}}); not filled_with({{object}}, {WILDCARD}); wet({{destination}})",
    ),
    _spec(
        "monitor",
        "Stay with a running appliance until a person takes over.",
        ObjectArgs,
        "",
        "attended({object})",
    ),
)


@dataclass(frozen=True, slots=True)
class Action:
    """A resolved step: its verb, roles, spec and grounded preconditions and effects."""

    verb: Verb
    spec: SkillSpec
    object: str | None = None
    destination: str | None = None
    liquid: str | None = None
    preconditions: tuple[GroundLiteral, ...] = ()
    effects: tuple[GroundLiteral, ...] = ()

    def roles(self) -> dict[str, str]:
        """The role values that are set, for reason templates."""
        named = {"object": self.object, "destination": self.destination, "liquid": self.liquid}
        return {k: v for k, v in named.items() if v}


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A step the critic cannot reason about: unknown skill or arguments that fit no spec."""

    rule_id: str
    reason: str


# Kitchen skills name the fixture they act on `target`; household verbs call it `object`.
_KITCHEN_VERBS = {"place": Verb.PUT}


@cache
def _kitchen_specs() -> dict[str, SkillSpec]:
    # Imported on first use: the kitchen package also loads its scripted backends.
    from skills.kitchen.specs import KITCHEN_SPECS  # noqa: PLC0415 - deferred heavy import

    return {spec.name: spec for spec in KITCHEN_SPECS}


_HOUSEHOLD = {spec.name: spec for spec in HOUSEHOLD_SPECS}


def skill_names() -> tuple[str, ...]:
    """Every skill name the critic can resolve."""
    return tuple(sorted(set(_HOUSEHOLD) | set(_kitchen_specs())))


def resolve(step: Step) -> Action | InputProblem:
    """The step as an `Action`, or the reason it cannot be reasoned about."""
    candidates = [
        s for s in (_kitchen_specs().get(step.skill), _HOUSEHOLD.get(step.skill)) if s is not None
    ]
    if not candidates:
        reason = (
            f"unknown skill {step.skill!r}: the critic cannot check what it does. "
            f"Known skills: {', '.join(skill_names())}."
        )
        return InputProblem("input.unknown_skill", reason)
    problems = []
    for spec in candidates:
        try:
            arguments = spec.validate_arguments(step.arguments)
        except SkillArgumentError as exc:
            problems.append(str(exc))
            continue
        return _action(spec, arguments.model_dump())
    reason = "; ".join(problems) + ". Entity names are lower-case words joined by '_'."
    return InputProblem("input.invalid_arguments", reason)


def _action(spec: SkillSpec, values: Mapping[str, object]) -> Action:
    given = {k: str(v) for k, v in values.items() if v is not None and v != ""}
    pre = _ground(spec.preconditions, given)
    eff = _ground(spec.effects, given)
    return Action(
        verb=_KITCHEN_VERBS[spec.name] if spec.name in _KITCHEN_VERBS else Verb(spec.name),
        spec=spec,
        object=given.get("object", given.get("target")),
        destination=given.get("destination"),
        liquid=given.get("liquid"),
        preconditions=pre,
        effects=eff,
    )


def _ground(literals: tuple[Literal, ...], values: Mapping[str, str]) -> tuple[GroundLiteral, ...]:
    grounded = []
    for literal in literals:
        try:
            grounded.append(literal.ground(values))
        except KeyError:
            # An optional argument left empty: its literals do not apply to this step.
            continue
    return tuple(grounded)
