"""Grounding checks between the goal's words and what the robot sees, model or not.

Cheap, deterministic checks around the model:

- before it: a goal that names a kind of object the skill catalog knows ("the kettle")
  while no object of that kind is visible is refused; a small model tends to ask which
  burner instead;
- after it: a question about where an unseen thing is ("Where is the fridge?") is a
  refusal in disguise: objects never seen do not exist for the planner; a refusal
  because the model does not understand the goal is a question in disguise; a plan
  must say something about every fixture the goal names in full ("the hinge cabinet");
  "which burner?" needs no answer when the goal ties one burner to an object it
  names ("the burner the kettle stands on"); and a plan keeps the order the goal's
  words fix ("X after Y", "X last").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from planner.base import PlanRequest
from skills.scene import PerceivedScene

_DETERMINER = r"(?:the|a|an|my|your|our|that|this)"
_WHERE = re.compile(
    r"^\s*where (?:is|are|can i find|do i find) (?:the |a |an |my |your |some )?([a-z]+)"
)


def _words(text: str) -> str:
    """The text's lower-case words joined by single spaces (punctuation dropped)."""
    return " ".join(re.findall(r"[a-z]+", text.lower()))


def head(object_name: str) -> str:
    """The kind of an object named like `top_left_burner`: its last word."""
    return object_name.rsplit("_", 1)[-1]


def mentions(goal: str, noun: str) -> bool:
    """Whether `goal` uses `noun` as a noun: after a determiner, up to two words between."""
    pattern = rf"\b{_DETERMINER}\s+(?:[a-z]+\s+){{0,2}}{re.escape(noun)}s?\b"
    return re.search(pattern, goal.lower()) is not None


def unseen_kinds(goal: str, request: PlanRequest) -> tuple[str, ...]:
    """Kinds of object the catalog acts on that the goal names but the robot cannot see."""
    known = {head(v) for s in request.specs for vs in s.argument_choices().values() for v in vs}
    seen = {head(o) for o in request.scene.objects}
    return tuple(sorted(k for k in known - seen if mentions(goal, k)))


def visible_named(word: str, objects: Iterable[str]) -> list[str]:
    """The visible objects whose name has `word` (singular or plural) as one of its words."""
    stem = word.lower().removesuffix("s")
    return [o for o in objects if stem in o.split("_")]


_MISUNDERSTOOD = re.compile(
    r"\b(?:do not|don't|did not|didn't|cannot|can't) (?:know|understand|tell) what\b"
    r"|\bnot sure what\b|\b(?:is|was|too) (?:unclear|vague|ambiguous)\b"
)


def misunderstood(refusal: str) -> bool:
    """Whether a refusal's reason is that the goal was not understood (then ask instead)."""
    return _MISUNDERSTOOD.search(refusal.lower()) is not None


def named_in_full(goal: str, objects: Iterable[str]) -> list[str]:
    """The objects whose whole name the goal spells out ("top left burner", "light")."""
    words = _words(goal)
    return [o for o in objects if re.search(rf"\b{o.replace('_', ' ')}s?\b", words)]


def related_to_named(
    goal: str, kind: str, candidates: Sequence[str], scene: PerceivedScene
) -> list[str]:
    """The candidates a true relation ties to an object the goal names right after `kind`.

    "The burner the kettle is standing on", "the burner under the kettle": the goal
    names the kettle just after "burner", and of the burners only the one in
    `on(kettle, bottom_left_burner)` is tied to it. "Move the kettle" names no burner,
    so nothing is tied: the question "which burner?" stands.
    """
    words = _words(goal)
    kind = kind.lower().removesuffix("s")
    named = {
        o
        for o in set(named_in_full(goal, scene.objects)) - set(candidates)
        if re.search(rf"\b{kind}s?\s+(?:[a-z]+\s+){{0,2}}{o.replace('_', ' ')}\b", words)
    }
    tied = {
        arg
        for atom in scene.atoms
        if len(atom.args) > 1 and named & set(atom.args)
        for arg in atom.args
    }
    return [c for c in candidates if c in tied]


_AFTER = re.compile(r"\bafter (?!that\b|this\b|which\b|it\b)")


def order_constraints(goal: str, objects: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs (earlier, later) the goal's words fix among the fixtures it names in full.

    Plain mention order is the model's to keep ("X, then Y"); these are the cues that
    reverse it: "X after (you open) Y" puts Y first, "X last" puts X after every other,
    "first X" or "X first" before every other. "After that" keeps the mention order.
    """
    words = _words(goal)
    spans = sorted(
        (m.start(), o) for o in objects for m in re.finditer(rf"\b{o.replace('_', ' ')}s?\b", words)
    )
    named = [o for _, o in spans]
    pairs: list[tuple[str, str]] = []
    for cue in _AFTER.finditer(words):
        before = [o for at, o in spans if at < cue.start()]
        after = [o for at, o in spans if at > cue.start()]
        if before and after:
            pairs += [(a, before[-1]) for a in after if a != before[-1]]
    for at, o in spans:
        rest = words[at + len(o) :]
        if rest.startswith(" first") or re.search(r"\bfirst (?:the )?$", words[:at]):
            pairs += [(o, x) for x in named if x != o]
        elif rest.startswith(" last"):
            pairs += [(x, o) for x in named if x != o]
    return list(dict.fromkeys(pairs))


_STATE_CLAUSE = r"\s+(?:that|which) (?:is|are) (?:already |now |still )?(on|off|open|closed)\b"
_STATE_WORDS = {"on": ("turned_on", True), "off": ("turned_on", False)}
_STATE_WORDS |= {"open": ("open", True), "closed": ("open", False)}


def references(goal: str, scene: PerceivedScene) -> dict[str, str]:
    """Kinds the goal singles out by the scene ("the burner that is on") -> the one object.

    Two ways a goal points at one of several objects of a kind: a state clause ("the
    burner that is already on") that exactly one of them satisfies now, and a relation
    to an object the goal names ("the burner the kettle stands on"). A small model
    resolves neither reliably, so the prompt names the object (`annotated`).
    """
    words = _words(goal)
    found: dict[str, str] = {}
    for kind in sorted({head(o) for o in scene.objects}):
        candidates = visible_named(kind, scene.objects)
        if len(candidates) < 2 or not mentions(words, kind):
            continue
        chosen = related_to_named(goal, kind, candidates, scene)
        if clause := re.search(rf"\b{kind}s?{_STATE_CLAUSE}", words):
            predicate, value = _STATE_WORDS[clause.group(1)]
            chosen = [c for c in candidates if scene.holds(f"{predicate}({c})") == value]
        if len(chosen) == 1:
            found[kind] = chosen[0]
    return found


def annotated(goal: str, meant: dict[str, str]) -> str:
    """The goal with each singled-out kind followed by its object.

    "the burner that is on" -> "the burner (top_right_burner) that is on".
    """
    for kind, obj in meant.items():
        goal = re.sub(rf"\b({kind})\b", rf"\1 ({obj})", goal, count=1, flags=re.IGNORECASE)
    return goal


def asks_where_unseen(question: str, objects: Sequence[str]) -> str | None:
    """The unseen thing a "Where is the X?" question asks about, or None."""
    match = _WHERE.search(question.lower())
    if match is None or visible_named(match.group(1), objects):
        return None
    return match.group(1)
