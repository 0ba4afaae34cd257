"""The benchmark's goals: suite goals (`planner/data/goals.yaml`) that each perturbation tests.

Each episode starts from the kitchen's seeded random start with the goal undone (the
doors and switches it names set the other way, the kettle off its destination), so every
goal needs work. A perturbation only means something when the goal gives it a chance to
bite: closing a
door again needs a goal that opens a door and then does something else; moving the
kettle or making it slip needs a goal that carries it; a person at the stove matters when
a burner is switched on. Success is judged by the suite's `accept` literals on scene
truth after the run (any one accepted alternative suffices).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from agent.bench.errors import BenchConfigError
from agent.bench.perturb import Kind
from embodiments.base import SceneEvent
from embodiments.scene import Atom
from planner.suite import load_suite

GOALS_FOR: Mapping[Kind, tuple[str, ...]] = {
    # Doors opened and then more steps, so a door can be closed behind the robot; several
    # doors, because a random start leaves about a third of them open already.
    Kind.DOOR_CLOSED: ("multi-04", "order-08", "multi-01", "order-02", "multi-10"),
    # The kettle is picked up, so it can be moved away while the arm reaches for it.
    Kind.KETTLE_MOVED: ("single-10", "single-11", "multi-05", "order-04", "ref-04"),
    # The kettle is carried and put down, so the grasp can slip on the way.
    Kind.GRASP_SLIP: ("single-11", "multi-05", "order-04", "ref-04"),
    # A burner is switched on, usually after other steps, while someone may stand there.
    Kind.PERSON_NEAR_STOVE: ("multi-05", "order-04", "multi-07", "multi-12"),
    # Any goal: every step is perceived and verified from frames.
    Kind.BAD_FRAME: ("single-01", "single-03", "single-06", "multi-01", "multi-03", "ref-01"),
}
"""Suite goal ids per perturbation kind; unperturbed episodes draw from all of them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchGoal:
    """One suite goal: its id, text, and the literal sets that count as achieved."""

    id: str
    text: str
    accept: tuple[tuple[str, ...], ...]

    @property
    def predicates(self) -> tuple[str, ...]:
        """The first accepted alternative: what the scripted planner is asked to reach."""
        return self.accept[0]

    @property
    def destinations(self) -> frozenset[str]:
        """Burners the goal puts the kettle on (a perturbation must not do that for it)."""
        found = set()
        for alternative in self.accept:
            for text in alternative:
                if not text.startswith("not "):
                    atom = Atom.parse(text)
                    if atom.predicate == "on" and len(atom.args) == 2:
                        found.add(atom.args[1])
        return frozenset(found)

    def start_events(
        self, atoms: frozenset[Atom], burner_order: tuple[str, ...]
    ) -> tuple[SceneEvent, ...]:
        """Events that undo the goal in a random start, so no episode begins achieved.

        Doors and switches the goal names are set to the opposite state; a kettle already
        on its destination goes to the first other burner in `burner_order`. Everything
        else keeps its random start.
        """
        events = []
        for text in self.predicates:
            negated = text.startswith("not ")
            atom = Atom.parse(text[4:] if negated else text)
            if atom.predicate == "open":
                events.append(SceneEvent("open" if negated else "close", atom.args[0]))
            elif atom.predicate == "turned_on":
                events.append(SceneEvent("turn_on" if negated else "turn_off", atom.args[0]))
            elif atom.predicate == "on" and not negated and atom in atoms:
                other = next(b for b in burner_order if b != atom.args[1])
                events.append(SceneEvent("move_kettle", other))
        return tuple(events)

    def achieved(self, atoms: frozenset[Atom]) -> bool:
        """Whether every literal of one accepted alternative holds in `atoms`."""
        return any(all(_holds(text, atoms) for text in alt) for alt in self.accept)


def _holds(text: str, atoms: frozenset[Atom]) -> bool:
    negated = text.startswith("not ")
    atom = Atom.parse(text[4:] if negated else text)
    return (atom in atoms) != negated


@cache
def suite_goals() -> Mapping[str, BenchGoal]:
    """Every suite goal that expects a plan and has accept literals, by id."""
    goals = {}
    for case in load_suite():
        if case.accept:
            accept = tuple(tuple(str(lit) for lit in alt) for alt in case.accept)
            goals[case.id] = BenchGoal(id=case.id, text=case.goal, accept=accept)
    return goals


def all_bench_ids() -> tuple[str, ...]:
    """Every goal id some perturbation uses, in a stable order."""
    return tuple(dict.fromkeys(i for ids in GOALS_FOR.values() for i in ids))


def goals_for(kind: Kind, pattern: str = "") -> tuple[BenchGoal, ...]:
    """The goals for a kind, keeping ids that contain one of the ','-separated `pattern` parts.

    Raises BenchConfigError when the filter leaves the kind without a goal.
    """
    ids = all_bench_ids() if kind is Kind.NONE else GOALS_FOR[kind]
    parts = [p.strip() for p in pattern.split(",") if p.strip()]
    kept = [i for i in ids if not parts or any(p in i for p in parts)]
    if not kept:
        close = difflib.get_close_matches(parts[0], ids, n=1) if parts else []
        hint = f" Did you mean {close[0]!r}?" if close else ""
        msg = (
            f"--goals {pattern!r} leaves no goal for the {kind} perturbation.{hint} "
            f"Its goals: {', '.join(ids)}; widen --goals or drop {kind} from --perturbations"
        )
        raise BenchConfigError(msg)
    table = suite_goals()
    return tuple(table[i] for i in kept)
