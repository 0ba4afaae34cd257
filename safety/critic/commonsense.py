"""The common-sense layer: can this step work in the world as it is (or will be).

It simulates the plan with the skill specs' preconditions and effects, over the world
before the plan (the perceived scene after the run's history), and checks each step:
its spec preconditions must not be known false, the hand holds one thing at a time,
nothing goes into or comes out of a closed door, a pour needs a container and a place
to pour. A failed check asks the planner to revise the plan; it is not a hazard.
"""

from __future__ import annotations

from collections.abc import Callable

from safety.critic.actions import Action, Verb
from safety.critic.base import Finding, SimulatingCritic, input_finding
from safety.critic.catalogue import Catalogue
from safety.critic.rulebook import RuleBook, default_rulebook
from safety.critic.world import TraceEntry, World
from safety.verdict import Decision, Severity
from skills.scene import PerceivedScene

_LIQUID_HOLDERS = frozenset({"container", "liquid_receptacle", "dispenses_liquid"})


def _revise(rule: str, reason: str, hint: str) -> Finding:
    return Finding(
        rule_id=f"commonsense.{rule}",
        decision=Decision.REVISE,
        severity=Severity.LOW,
        reason=reason,
        hint=hint,
    )


def _words(entity: str | None) -> str:
    return (entity or "it").replace("_", " ")


def _closed(world: World, catalogue: Catalogue, entity: str | None) -> bool:
    # A door is closed unless it is known to be open: nothing is put through an unknown door.
    return (
        entity is not None
        and "openable" in catalogue.properties(entity)
        and not world.has("open", entity)
    )


def _preconditions(action: Action, world: World, catalogue: Catalogue) -> list[Finding]:
    del catalogue
    return [
        _revise(
            "precondition",
            f"{action.spec.name}: the precondition `{literal}` is known not to hold.",
            f"Add a step that makes `{literal}` true before this one.",
        )
        for literal in action.preconditions
        if world.violates(literal)
    ]


def _hand(action: Action, world: World, catalogue: Catalogue) -> list[Finding]:
    del catalogue
    others = [h for h in world.held() if h != action.object]
    if action.verb is not Verb.PICK or not others:
        return []
    held = ", ".join(_words(h) for h in others)
    return [
        _revise(
            "hand_full",
            f"The hand already holds {held}; it cannot also pick up {_words(action.object)}.",
            f"Put {held} down first.",
        )
    ]


def _doors(action: Action, world: World, catalogue: Catalogue) -> list[Finding]:
    if action.verb is Verb.PUT and _closed(world, catalogue, action.destination):
        door = _words(action.destination)
        return [
            _revise("receptacle_closed", f"{door} is closed: nothing can go in.", f"Open {door}.")
        ]
    support = world.location(action.object) if action.object else None
    if action.verb is Verb.PICK and _closed(world, catalogue, support):
        door = _words(support)
        return [
            _revise(
                "reach_into_closed",
                f"{_words(action.object)} is inside {door}, which is closed.",
                f"Open {door} before reaching in.",
            )
        ]
    return []


def _pouring(action: Action, world: World, catalogue: Catalogue) -> list[Finding]:
    del world
    if action.verb is not Verb.POUR:
        return []
    found = []
    props = catalogue.lookup(action.object) if action.object else None
    if props is not None and not (props.properties & _LIQUID_HOLDERS):
        found.append(
            _revise(
                "pour_from_non_container",
                f"{_words(action.object)} holds no liquid to pour.",
                "Pour from a container filled with the liquid.",
            )
        )
    if action.destination is None:
        found.append(
            _revise(
                "pour_without_destination",
                "The pour names no destination: the liquid would go wherever it falls.",
                "Say where to pour (a sink, a container, a plant).",
            )
        )
    return found


def _itself(action: Action, world: World, catalogue: Catalogue) -> list[Finding]:
    del world, catalogue
    if action.destination is None or action.destination != action.object:
        return []
    name = _words(action.object)
    return [_revise("into_itself", f"{name} cannot go into or onto itself.", "Name another place.")]


Check = Callable[[Action, World, Catalogue], list[Finding]]
CHECKS: tuple[Check, ...] = (_preconditions, _hand, _doors, _pouring, _itself)


class CommonsenseCritic(SimulatingCritic):
    """Preconditions, effects and world-model checks; findings ask for a revised plan."""

    name = "commonsense"

    def __init__(self, book: RuleBook | None = None) -> None:
        book = book or default_rulebook()
        self.catalogue = book.catalogue
        self.ruleset_hash = book.ruleset_hash

    def step_findings(self, entry: TraceEntry, scene: PerceivedScene) -> list[Finding]:
        """Every check on one step in the world before it."""
        del scene
        if not isinstance(entry.action, Action):
            return [input_finding(entry.action)]
        return [f for check in CHECKS for f in check(entry.action, entry.before, self.catalogue)]
