"""The literal plan of a long-horizon instruction, in SafeAgentBench actions.

The long-horizon file has no step lists: each record is a task and a "Requirement:"
that keeps it safe ("turn off the stove burner within three steps"). To test the critic
on it without a planner, this module writes the plan a literal-minded agent would run
for the task part alone, ignoring the requirement, and the evaluation asks whether the
critic stops that plan. It is a keyword parser over the catalogue's object names, not a
language model: clauses split on punctuation, "then" and "and"; a clause without a verb
repeats the previous one; "it" is the last object named; a pour with no named container
uses a cup. Anything it cannot read is left out, and the report counts those records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from safety.critic.catalogue import Catalogue

_SPLIT = re.compile(r"[.,;]|\bthen\b|\bthan\b|\band\b|\bsimultaneously\b|\bproceed to\b")
_PURPOSE = re.compile(r"\b(to|so that|in order to)\b(?!\s+(the|a|an)\b).*$")
_STOP_WORDS = frozenset({"a", "an", "the", "it", "on", "in", "to", "of", "up", "off", "and"})
_VERBS: tuple[tuple[str, str], ...] = (
    (r"\b(turn|toggle|switch)[- ]on\b|\bturn\s+(\w+\s+){1,3}on\b", "turn_on"),
    (r"\b(turn|toggle|switch)[- ]off\b|\bturn\s+(\w+\s+){1,3}off\b", "turn_off"),
    (r"\bfill\b", "fill"),
    (r"\bpour\b", "pour"),
    (r"\b(put|place|insert)\b", "put"),
    (r"\bpick\b", "pick"),
    (r"\bslice\b|\bcut\b", "slice"),
    (r"\bcook\b|\bheat\b|\bmicrowave\b(?= an?\b)", "cook"),
    (r"\bdrop\b", "drop"),
    (r"\bthrow\b", "throw"),
    (r"\bbreak\b", "break"),
    (r"\bclean\b|\bwash\b", "clean"),
    (r"\bdirty\b|\bsoil\b", "dirty"),
    (r"\bopen\b", "open"),
    (r"\bclose\b|\bshut\b", "close"),
    (r"\bfind\b|\blocate\b", "find"),
)


@dataclass
class _Writer:
    catalogue: Catalogue
    steps: list[str] = field(default_factory=list)
    held: str | None = None
    last: str | None = None
    filled: dict[str, str] = field(default_factory=dict)

    def find(self, entity: str) -> None:
        self.steps.append(f"find {entity}")
        self.last = entity

    def pick(self, entity: str) -> None:
        if self.held != entity:
            self.find(entity)
            self.steps.append(f"pick {entity}")
            self.held = entity

    def put(self, entity: str, destination: str) -> None:
        self.pick(entity)
        self.find(destination)
        self.steps.append(f"put {destination}")
        self.held = None

    def props(self, entity: str) -> frozenset[str]:
        return self.catalogue.properties(entity)


def split_requirement(instruction: str) -> tuple[str, str]:
    """The task part and the requirement part of a long-horizon instruction."""
    parts = re.split(r"requirement\s*:", instruction, maxsplit=1, flags=re.IGNORECASE)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _mentions(text: str, catalogue: Catalogue) -> list[str]:
    """Catalogue entities named in the text, in order (the longest name at each place)."""
    words = re.findall(r"[a-z]+", text.lower())
    found: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2, 1):
            if size == 1 and words[i] in _STOP_WORDS:
                continue
            kind = catalogue.lookup("".join(words[i : i + size]))
            if kind is not None:
                found.append(kind.name)
                i += size
                break
        else:
            i += 1
    return found


def literal_plan(task: str, catalogue: Catalogue) -> tuple[str, ...]:
    """The benchmark-action plan a literal agent would run for the task text."""
    writer = _Writer(catalogue)
    verb: str | None = None
    for part in _SPLIT.split(task.lower()):
        clause = _PURPOSE.sub("", part).strip()
        if not clause:
            continue
        verb = next((v for pattern, v in _VERBS if re.search(pattern, clause)), verb)
        names = _mentions(clause, catalogue)
        if re.search(r"\bit\b", clause) and writer.last and writer.last not in names:
            names = [writer.last, *names]
        if verb is not None and names:
            _write(writer, verb, names)
    return tuple(writer.steps)


def _write(writer: _Writer, verb: str, names: list[str]) -> None:
    liquids = [n for n in names if "liquid" in writer.props(n)]
    things = [n for n in names if n not in liquids]
    if verb == "fill" and things:
        liquid = liquids[0] if liquids else "water"
        writer.find(things[0])
        writer.steps.append(f"fillLiquid {things[0]} {liquid}")
        writer.filled[things[0]] = liquid
        writer.last = things[0]
    elif verb == "pour":
        _pour(writer, things, liquids)
    elif verb == "put" and len(things) >= 2:
        writer.put(things[0], things[-1])
    elif verb in ("put", "pick") and things:
        writer.pick(things[0])
    elif verb == "cook" and things:
        _cook(writer, things)
    elif verb in ("drop", "throw") and things:
        writer.pick(things[0])
        if len(things) > 1:
            writer.find(things[-1])
        writer.steps.append(verb)
        writer.held = None
    elif verb == "find" and things:
        writer.find(things[0])
    elif things and verb in _ACTS_ON_ONE:
        target = things[0]
        if verb == "open" and "water_source" in writer.props(target):
            verb = "turn_on"
        writer.find(target)
        writer.steps.append(f"{verb} {target}")


_ACTS_ON_ONE = frozenset(
    {"turn_on", "turn_off", "open", "close", "slice", "break", "clean", "dirty"}
)


def _pour(writer: _Writer, things: list[str], liquids: list[str]) -> None:
    containers = [t for t in things if "container" in writer.props(t)]
    container = next((c for c in containers if c in writer.filled), None)
    container = container or (containers[0] if containers else None)
    container = container or next(iter(writer.filled), None) or "cup"
    targets = [t for t in things if t != container]
    target = targets[-1] if targets else writer.last if writer.last != container else None
    if container not in writer.filled:
        writer.find(container)
        writer.steps.append(f"fillLiquid {container} {liquids[0] if liquids else 'water'}")
        writer.filled[container] = liquids[0] if liquids else "water"
    writer.pick(container)
    if target is not None:
        writer.find(target)
    writer.steps.append("pour")
    del writer.filled[container]


def _cook(writer: _Writer, things: list[str]) -> None:
    food, appliance = things[0], things[-1] if len(things) > 1 else None
    if appliance is None:
        writer.find(food)
        writer.steps.append(f"cook {food}")
        return
    opens = "openable" in writer.props(appliance)
    writer.pick(food)
    writer.find(appliance)
    if opens:
        writer.steps.append(f"open {appliance}")
    writer.steps.append(f"put {appliance}")
    writer.held = None
    if opens:
        writer.steps.append(f"close {appliance}")
    writer.steps.append(f"turn_on {appliance}")
