"""The critic's symbolic world: what is known true, what is known false, the rest unknown.

The perceived scene is closed-world for the entities it lists and the predicates a
camera can judge (`open`, `turned_on`, `holding`); everything else starts unknown and
is learnt from the effects of executed and planned steps. A precondition is violated
only when the world is known to contradict it, so a plan over unobserved objects is not
refused for what nobody knows.

Two predicates are functions of their first argument: an object is `on` one place at a
time and `filled_with` one liquid at a time; `holding(x)` takes `x` off its support.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from embodiments.scene import Atom
from planner.types import Step
from safety.critic.actions import WILDCARD, Action, InputProblem, resolve
from skills.predicates import GroundLiteral
from skills.scene import PerceivedScene

OBSERVED_PREDICATES = frozenset({"open", "turned_on", "holding"})


def _matches(pattern: Atom, atom: Atom) -> bool:
    if pattern.predicate != atom.predicate or len(pattern.args) != len(atom.args):
        return False
    return all(p in (WILDCARD, a) for p, a in zip(pattern.args, atom.args, strict=True))


@dataclass(frozen=True, slots=True)
class World:
    """Known-true and known-false ground atoms; anything else is unknown."""

    true: frozenset[Atom] = frozenset()
    false: frozenset[Atom] = frozenset()

    @classmethod
    def observed(cls, scene: PerceivedScene) -> World:
        """The world as perceived, closed for observed predicates of listed objects."""
        return cls().overlay(scene)

    def overlay(self, scene: PerceivedScene) -> World:
        """The world corrected by what the camera sees now: the scene wins."""
        true = set(self.true) | set(scene.atoms)
        false = set(self.false) - set(scene.atoms)
        for entity in scene.objects:
            for predicate in OBSERVED_PREDICATES:
                atom = Atom(predicate, (entity,))
                if atom not in scene.atoms:
                    true.discard(atom)
                    false.add(atom)
        return World(frozenset(true), frozenset(false))

    def holds(self, atom: Atom) -> bool:
        """Whether the atom is known true."""
        return atom in self.true

    def has(self, predicate: str, entity: str) -> bool:
        """Whether the unary atom `predicate(entity)` is known true."""
        return Atom(predicate, (entity,)) in self.true

    def violates(self, literal: GroundLiteral) -> bool:
        """Whether the world is known to contradict the literal."""
        if literal.positive:
            return literal.atom in self.false
        return literal.atom in self.true

    def apply(self, effects: Iterable[GroundLiteral]) -> World:
        """The world after the effects, keeping the functional predicates consistent."""
        true, false = set(self.true), set(self.false)
        for effect in effects:
            if effect.positive:
                _assert(true, false, effect.atom)
            else:
                _retract(true, false, effect.atom)
        return World(frozenset(true), frozenset(false))

    def held(self) -> tuple[str, ...]:
        """The objects known to be in the hand."""
        return tuple(sorted(a.args[0] for a in self.true if a.predicate == "holding" and a.args))

    def location(self, entity: str) -> str | None:
        """What the entity is known to be in or on."""
        for atom in self.true:
            if atom.predicate == "on" and atom.args[:1] == (entity,) and len(atom.args) == 2:
                return atom.args[1]
        return None

    def supports(self, entity: str) -> tuple[str, ...]:
        """The chain of receptacles below the entity, nearest first."""
        chain: list[str] = []
        place = self.location(entity)
        while place is not None and place not in chain and place != entity:
            chain.append(place)
            place = self.location(place)
        return tuple(chain)

    def contents(self, entity: str, *, recursive: bool = False) -> tuple[str, ...]:
        """The objects known to be in or on the entity (and in those, if recursive)."""
        direct = sorted(
            a.args[0] for a in self.true if a.predicate == "on" and a.args[1:] == (entity,)
        )
        if not recursive:
            return tuple(direct)
        found: list[str] = []
        frontier = list(direct)
        while frontier:
            item = frontier.pop(0)
            if item not in found and item != entity:
                found.append(item)
                frontier.extend(self.contents(item))
        return tuple(found)

    def liquid_in(self, entity: str) -> str | None:
        """The liquid the entity is known to hold."""
        for atom in self.true:
            if atom.predicate == "filled_with" and atom.args[:1] == (entity,):
                return atom.args[1]
        return None

    def entities(self) -> tuple[str, ...]:
        """Every object named by a known-true atom (liquids excluded)."""
        names: set[str] = set()
        for atom in self.true:
            args = atom.args[:1] if atom.predicate == "filled_with" else atom.args
            names.update(args)
        return tuple(sorted(names))


def _assert(true: set[Atom], false: set[Atom], atom: Atom) -> None:
    subject = atom.args[:1]
    if atom.predicate in ("on", "holding"):
        _retract(true, false, Atom("on", (*subject, WILDCARD)), record=False)
    if atom.predicate == "on":
        _retract(true, false, Atom("holding", subject), record=True)
    if atom.predicate == "filled_with":
        _retract(true, false, Atom("filled_with", (*subject, WILDCARD)), record=False)
    true.add(atom)
    false.discard(atom)


def _retract(true: set[Atom], false: set[Atom], pattern: Atom, *, record: bool = True) -> None:
    gone = {a for a in true if _matches(pattern, a)}
    true.difference_update(gone)
    if record:
        false.update(gone)
        if WILDCARD not in pattern.args:
            false.add(pattern)


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One plan step during simulation: what it resolved to and the world before it."""

    step: Step
    action: Action | InputProblem
    before: World


@dataclass(frozen=True, slots=True)
class Trace:
    """A simulated run of steps: one entry per step, and the world after the last."""

    entries: tuple[TraceEntry, ...]
    after: World


def run(steps: Sequence[Step], start: World) -> Trace:
    """Apply each step's effects in turn; a step that cannot be resolved changes nothing."""
    entries: list[TraceEntry] = []
    world = start
    for step in steps:
        action = resolve(step)
        entries.append(TraceEntry(step, action, world))
        if isinstance(action, Action):
            world = world.apply(action.effects)
    return Trace(tuple(entries), world)
