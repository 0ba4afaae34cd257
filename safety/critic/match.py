"""How a rule pattern is matched: roles resolved in the world, clauses tested on entities.

A clause names a role (the step's object, the contents of its destination, the
receptacles a faucet fills, ...) and tests each entity of that role against catalogue
properties and known states. The pattern holds when every clause holds; the entities
that passed the last positive clause are what a reason's `{matched}` names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from safety.critic.actions import Action, Verb
from safety.critic.catalogue import Catalogue
from safety.critic.schema import Clause, Pattern, Role
from safety.critic.world import World


@dataclass(frozen=True, slots=True)
class Context:
    """What a pattern is matched against: a step's roles (or one entity) in a world."""

    world: World
    catalogue: Catalogue
    object: str | None = None
    destination: str | None = None
    liquid: str | None = None
    verb: Verb | None = None
    person_distance_m: float | None = None

    @classmethod
    def of_action(
        cls, action: Action, world: World, catalogue: Catalogue, person_distance_m: float | None
    ) -> Context:
        """The context of one step."""
        return cls(
            world=world,
            catalogue=catalogue,
            object=action.object,
            destination=action.destination,
            liquid=action.liquid,
            verb=action.verb,
            person_distance_m=person_distance_m,
        )

    def fill(self, template: str, matched: tuple[str, ...], max_steps: int | None = None) -> str:
        """A reason or hint with the step's roles and the matched entities filled in."""
        distance = "unknown" if self.person_distance_m is None else f"{self.person_distance_m:.2f}"
        return template.format(
            max_steps="-" if max_steps is None else max_steps,
            object=_words(self.object, "the object"),
            destination=_words(self.destination, "the destination"),
            liquid=_words(self.liquid or self._liquid_of_object(), "the liquid"),
            matched=", ".join(_words(m, "") for m in matched) or _words(self.object, "it"),
            distance_m=distance,
        )

    def _liquid_of_object(self) -> str | None:
        return self.world.liquid_in(self.object) if self.object else None


def _words(entity: str | None, default: str) -> str:
    return entity.replace("_", " ") if entity else default


def _one(entity: str | None) -> tuple[str, ...]:
    return (entity,) if entity else ()


def _liquids(world: World, holders: tuple[str, ...]) -> tuple[str, ...]:
    found = (world.liquid_in(h) for h in holders)
    return tuple(dict.fromkeys(liquid for liquid in found if liquid))


_ABOUT_OBJECT = frozenset({"contents", "all_contents", "liquids_within", "support"})


def role_entities(ctx: Context, role: Role) -> tuple[str, ...]:
    """The entities that play `role` in this context."""
    if role in ("fed", "fed_contents"):
        return _fed(ctx, with_contents=role == "fed_contents")
    if role == "liquid":
        return _one(ctx.liquid) or _liquids(ctx.world, _one(ctx.object))
    if role in ("object", "destination", "held"):
        step_roles = {"object": _one(ctx.object), "destination": _one(ctx.destination)}
        return step_roles.get(role) or (ctx.world.held() if role == "held" else ())
    target = ctx.object if role in _ABOUT_OBJECT else ctx.destination
    return _relative(ctx.world, role, target) if target else ()


def _relative(world: World, role: Role, target: str) -> tuple[str, ...]:
    if role == "support":
        return world.supports(target)
    if role in ("liquids_within", "destination_liquids"):
        return _liquids(world, (target, *world.contents(target, recursive=True)))
    return world.contents(target, recursive=role.endswith("all_contents"))


def _fed(ctx: Context, *, with_contents: bool) -> tuple[str, ...]:
    kind = ctx.catalogue.lookup(ctx.object) if ctx.object else None
    if kind is None or not kind.feeds:
        return ()
    basins = []
    for entity in ctx.world.entities():
        basin = ctx.catalogue.lookup(entity)
        if basin is not None and basin.name in kind.feeds:
            basins.append(entity)
    if not with_contents:
        return tuple(basins)
    return tuple(i for b in basins for i in ctx.world.contents(b, recursive=True))


def entity_states(ctx: Context, entity: str) -> frozenset[str]:
    """The unary predicates known true of the entity.

    Plus `heated` when it sits (at any depth) on a running heat source.
    """
    states = {a.predicate for a in ctx.world.true if a.args == (entity,)}
    for support in ctx.world.supports(entity):
        if ctx.world.has("turned_on", support) and "heat_source" in ctx.catalogue.properties(
            support
        ):
            states.add("heated")
    return frozenset(states)


def _passes(clause: Clause, entity: str, ctx: Context) -> bool:
    kind = ctx.catalogue.lookup(entity)
    props = kind.properties if kind is not None else frozenset()
    if clause.known is not None and (kind is not None) != clause.known:
        return False
    if not props.issuperset(clause.has) or props.intersection(clause.lacks):
        return False
    if clause.has_any and not props.intersection(clause.has_any):
        return False
    if clause.state or clause.state_not:
        states = entity_states(ctx, entity)
        if not states.issuperset(clause.state) or states.intersection(clause.state_not):
            return False
    if clause.rejected_by is not None:
        receptacles = role_entities(ctx, clause.rejected_by)
        holder = ctx.catalogue.lookup(receptacles[0]) if receptacles else None
        return holder is not None and holder.refuses(props)
    return True


def _person_within(limit_m: float, distance_m: float | None) -> bool:
    if distance_m is None:
        return False
    # A distance that is not a number is a sensor fault: assume the person is close.
    return math.isnan(distance_m) or distance_m < limit_m


def match(pattern: Pattern, ctx: Context) -> tuple[str, ...] | None:
    """None when the pattern does not hold; else the entities of its last positive clause."""
    if pattern.verb and ctx.verb not in pattern.verb:
        return None
    if pattern.person_within_m is not None and not _person_within(
        pattern.person_within_m, ctx.person_distance_m
    ):
        return None
    matched: tuple[str, ...] = ()
    for clause in pattern.match:
        hits = tuple(e for e in role_entities(ctx, clause.role) if _passes(clause, e, ctx))
        if clause.absent:
            if hits:
                return None
            continue
        if not hits:
            return None
        matched = hits
    return matched
