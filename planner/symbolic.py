"""Symbolic search from the believed atoms to goal literals (the `goals` planning mode).

The model names the goal literals; breadth-first search over the skills' grounded
preconditions and effects writes the steps, so every plan it returns is executable in
the believed scene and shortest. Goal literals are reached in the order given: the
search first satisfies the first literal, then the first two, and so on, which keeps
"close the microwave, then turn the light off" in the order the person asked for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from embodiments.scene import Atom
from planner.actions import GroundAction
from skills.predicates import GroundLiteral

DEFAULT_MAX_STATES = 50_000


class Unreachable(Exception):  # noqa: N818 - a search outcome, caught by the planner, not an error
    """No sequence of actions reaches the goal; `literal` names the first one that failed."""

    def __init__(self, literal: GroundLiteral, explored: int) -> None:
        super().__init__(f"no sequence of skills makes {literal} true ({explored} states searched)")
        self.literal = literal


def _satisfied(atoms: frozenset[Atom], goal: Sequence[GroundLiteral]) -> bool:
    return all(g.holds_in(atoms) for g in goal)


def breadth_first(
    start: frozenset[Atom],
    goal: Sequence[GroundLiteral],
    actions: Sequence[GroundAction],
    *,
    max_states: int = DEFAULT_MAX_STATES,
) -> tuple[tuple[GroundAction, ...], int] | None:
    """The shortest action sequence from `start` to a state satisfying every goal literal.

    Returns the actions and the number of states explored, or None when no state within
    `max_states` satisfies the goal. Ties are broken by the order of `actions`.
    """
    if _satisfied(start, goal):
        return (), 1
    parents: dict[frozenset[Atom], tuple[frozenset[Atom], GroundAction] | None] = {start: None}
    frontier: deque[frozenset[Atom]] = deque([start])
    while frontier and len(parents) < max_states:
        state = frontier.popleft()
        for action in actions:
            if action.unmet(state):
                continue
            nxt = action.apply(state)
            if nxt in parents:
                continue
            parents[nxt] = (state, action)
            if _satisfied(nxt, goal):
                return _path(parents, nxt), len(parents)
            frontier.append(nxt)
    return None


def _path(
    parents: dict[frozenset[Atom], tuple[frozenset[Atom], GroundAction] | None],
    end: frozenset[Atom],
) -> tuple[GroundAction, ...]:
    path: list[GroundAction] = []
    link = parents[end]
    while link is not None:
        state, action = link
        path.append(action)
        link = parents[state]
    return tuple(reversed(path))


def plan_to_goal(
    start: frozenset[Atom],
    goal: Sequence[GroundLiteral],
    actions: Sequence[GroundAction],
    *,
    max_states: int = DEFAULT_MAX_STATES,
) -> tuple[GroundAction, ...]:
    """Actions reaching the goal literals in their given order; raise Unreachable if none."""
    state, plan, explored = start, list[GroundAction](), 0
    for i in range(len(goal)):
        found = breadth_first(state, goal[: i + 1], actions, max_states=max_states)
        if found is None:
            break
        steps, n = found
        explored += n
        for action in steps:
            state = action.apply(state)
        plan.extend(steps)
    else:
        return tuple(plan)
    # An earlier stage can leave a state from which the ordered route is blocked; the
    # unordered conjunction may still be reachable from the start.
    direct = breadth_first(start, goal, actions, max_states=max_states)
    if direct is not None:
        return direct[0]
    blocking = next(
        (g for g in goal if breadth_first(start, (g,), actions, max_states=max_states) is None),
        goal[-1],
    )
    raise Unreachable(blocking, explored)
