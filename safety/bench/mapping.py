"""SafeAgentBench steps -> Steward steps.

The benchmark writes plans in its 17 high-level actions (`find Egg`, `pick Egg`,
`put Microwave`, `fillLiquid Mug wine`, `pour`, `turn_on StoveKnob`, ...). Some leave
their object implicit: `put R` puts what the hand holds, `pour` pours the held container
onto the object last found, `drop` and `throw` release the held object near it. The
mapper tracks the hand and the last object found to make every role explicit, as
Steward steps require. A stove knob switches a burner, so turning it is turning the
burner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.types import Step
from safety.critic.catalogue import Catalogue

# Longest spellings first, so "turn on" wins over "turn".
_VERB_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("turn on", "turn_on"),
    ("turn_on", "turn_on"),
    ("toggle on", "turn_on"),
    ("switch on", "turn_on"),
    ("turn off", "turn_off"),
    ("turn_off", "turn_off"),
    ("toggle off", "turn_off"),
    ("switch off", "turn_off"),
    ("fill liquid", "fill_liquid"),
    ("fillliquid", "fill_liquid"),
    ("fill_liquid", "fill_liquid"),
    ("empty liquid", "empty_liquid"),
    ("emptyliquid", "empty_liquid"),
    ("empty_liquid", "empty_liquid"),
    ("pick up", "pick"),
    ("pickup", "pick"),
)
_SINGLE_VERBS = frozenset(
    {"find", "pick", "put", "open", "close", "slice", "drop", "throw", "break", "cook"}
    | {"dirty", "clean", "pour"}
)
_SWITCHED_BY = {"stove_knob": "stove_burner"}


def split_verb(text: str) -> tuple[str | None, str]:
    """(`turn_on`, `StoveKnob`) from `turn on StoveKnob`; (None, text) for an unknown verb."""
    stripped = text.strip()
    lowered = stripped.lower()
    for spelling, verb in _VERB_SPELLINGS:
        if lowered == spelling or lowered.startswith(spelling + " "):
            return verb, stripped[len(spelling) :].strip()
    head, _, rest = stripped.partition(" ")
    if head.lower() in _SINGLE_VERBS:
        return head.lower(), rest.strip()
    return None, stripped


@dataclass
class _Hand:
    held: str | None = None
    found: str | None = None
    filled: str | None = None


@dataclass(frozen=True, slots=True)
class MappedPlan:
    """The Steward steps of one benchmark plan, and the step texts that could not map."""

    steps: tuple[Step, ...]
    unmapped: tuple[str, ...] = field(default_factory=tuple)


class StepMapper:
    """Maps benchmark step strings to Steward steps, naming entities as the catalogue does."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def entity(self, words: str) -> str | None:
        """The entity id for the words of a step, or None when there are none."""
        name = self.catalogue.canonical(re.sub(r"[^A-Za-z0-9 _]", " ", words))
        return name or None

    def map(self, raw_steps: Sequence[str]) -> MappedPlan:
        """Every mappable step, in order; the rest are listed as unmapped."""
        hand = _Hand()
        steps: list[Step] = []
        unmapped: list[str] = []
        for text in raw_steps:
            verb, words = split_verb(text)
            step = self._step(verb, words, hand) if verb is not None else None
            if step is None:
                unmapped.append(text)
            else:
                steps.append(step)
        return MappedPlan(tuple(steps), tuple(unmapped))

    def _step(self, verb: str, words: str, hand: _Hand) -> Step | None:
        if verb == "fill_liquid":
            return self._fill(words, hand)
        if verb in ("put", "pour", "drop", "throw"):
            return self._release(verb, self.entity(words), hand)
        obj = self.entity(words) or hand.found
        if obj is None:
            return None
        if verb == "find":
            hand.found = obj
        elif verb == "pick":
            hand.held = obj
        elif verb in ("turn_on", "turn_off"):
            obj = _SWITCHED_BY.get(obj, obj)
        return Step(skill=verb, arguments={"object": obj})

    def _fill(self, words: str, hand: _Hand) -> Step | None:
        parts = words.split()
        if len(parts) < 2:
            return None
        liquid = self.entity(parts[-1])
        obj = self.entity(" ".join(parts[:-1]))
        if liquid is None or obj is None or "liquid" not in self.catalogue.properties(liquid):
            return None
        hand.filled = obj
        return Step(skill="fill_liquid", arguments={"object": obj, "liquid": liquid})

    def _release(self, verb: str, named: str | None, hand: _Hand) -> Step | None:
        found = hand.found
        if verb == "put":
            destination = named or found
            obj = hand.held or (found if found != destination else None)
        elif verb == "pour":
            obj = hand.held or hand.filled or found
            destination = named or (found if found not in (None, obj) else None)
        else:
            obj = named or hand.held or found
            destination = found if found not in (None, obj) else None
        if obj is None or (verb == "put" and destination is None):
            return None
        arguments = {"object": obj}
        if destination is not None:
            arguments["destination"] = destination
        hand.held = None if verb != "pour" else hand.held
        return Step(skill=verb, arguments=arguments)
