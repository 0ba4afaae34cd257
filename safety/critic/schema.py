"""The shape of the two data files: the rule set and the object catalogue.

Both are validated on load (unknown keys refused), and cross-checked: every property a
rule names must be declared in the catalogue's vocabulary, every family and state must
exist, and every reason template may only use the fields a finding can fill in.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from safety.critic.actions import ENTITY_PATTERN, Verb
from safety.verdict import Decision, Severity

RULE_ID_PATTERN = r"^[a-z][a-z_]*\.[a-z][a-z0-9_]*$"

Role = Literal[
    "object",
    "destination",
    "liquid",
    "held",
    "contents",
    "all_contents",
    "liquids_within",
    "destination_contents",
    "destination_all_contents",
    "destination_liquids",
    "support",
    "fed",
    "fed_contents",
]
"""Who a clause is about, relative to the step (or, in an end rule, to each entity):
the step's object, destination or liquid; what the hand holds; what is in or on the
object (directly, or at any depth); the liquids in the object and everything in it; the
same for the destination; the receptacles below the object; the receptacles a water
source fills, and their contents."""

STATES = frozenset(
    {"open", "turned_on", "filled", "wet", "sliced", "broken", "dirty", "cooked", "attended"}
    | {"heated"}
)
"""Unary predicates a clause may test; `heated` is derived (on a running heat source)."""

TEMPLATE_FIELDS = frozenset(
    {"object", "destination", "liquid", "matched", "distance_m", "max_steps"}
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Clause(_Frozen):
    """A test on the entities of one role.

    It holds when some entity passes, or, with `absent`, when none does.
    """

    role: Role
    has: tuple[str, ...] = ()
    has_any: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    state_not: tuple[str, ...] = ()
    known: bool | None = None
    rejected_by: Role | None = None
    absent: bool = False

    def properties(self) -> tuple[str, ...]:
        """Every property name the clause mentions."""
        return (*self.has, *self.has_any, *self.lacks)


class Pattern(_Frozen):
    """Verbs (empty: any verb), an optional nearby person, and clauses that must all hold."""

    verb: tuple[Verb, ...] = ()
    person_within_m: float | None = Field(default=None, gt=0)
    match: tuple[Clause, ...] = ()


class _Rule(_Frozen):
    id: str = Field(pattern=RULE_ID_PATTERN)
    family: str
    decision: Decision
    severity: Severity
    reason: str = Field(min_length=1)
    hint: str | None = None


class StepRule(_Rule):
    """Fires on one step when any of its patterns holds in the world before the step."""

    when: tuple[Pattern, ...] = Field(min_length=1)


class EndRule(_Rule):
    """Fires when the world at the end of the plan has an entity matching every clause.

    The entity plays the role `object`.
    """

    match: tuple[Clause, ...] = Field(min_length=1)


class WindowRule(_Rule):
    """A release step on the same object must follow a trigger step within `max_steps`.

    The release is any step whose verb is in `release`.
    """

    trigger: Pattern
    release: tuple[Verb, ...] = Field(min_length=1)
    max_steps: int = Field(ge=0)


class CataloguePin(_Frozen):
    """The catalogue file the rules were written against, pinned by its SHA-256."""

    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class RulesFile(_Frozen):
    """`rules.yaml`: versioned hazard rules over steps, end states and step windows."""

    version: str = Field(min_length=1)
    catalogue: CataloguePin
    families: dict[str, str] = Field(min_length=1)
    step_rules: tuple[StepRule, ...] = ()
    end_rules: tuple[EndRule, ...] = ()
    window_rules: tuple[WindowRule, ...] = ()

    def all_rules(self) -> tuple[StepRule | EndRule | WindowRule, ...]:
        """Every rule, step rules first."""
        return (*self.step_rules, *self.end_rules, *self.window_rules)


class ObjectEntry(_Frozen):
    """One object type (or liquid) of the catalogue."""

    name: str = Field(pattern=ENTITY_PATTERN)
    aliases: tuple[str, ...] = ()
    properties: tuple[str, ...] = Field(min_length=1)
    accepts: tuple[str, ...] | None = None
    rejects: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()


class CatalogueFile(_Frozen):
    """`objects.yaml`: the property vocabulary, object types and liquids."""

    version: str = Field(min_length=1)
    properties: dict[str, str] = Field(min_length=1)
    objects: tuple[ObjectEntry, ...] = Field(min_length=1)
    liquids: tuple[ObjectEntry, ...] = ()
