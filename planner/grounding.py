"""Grounding checks between the goal's words and what the robot sees, model or not.

Cheap, deterministic checks around the model:

- before it: a goal that names a kind of object the skill catalog knows ("the kettle")
  while no object of that kind is visible is refused; a small model tends to ask which
  burner instead;
- after it: a question about where an unseen thing is ("Where is the fridge?") is a
  refusal in disguise: objects never seen do not exist for the planner; a refusal
  because the model does not understand the goal is a question in disguise; and a plan
  must say something about every fixture the goal names in full ("the hinge cabinet").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from planner.base import PlanRequest

_DETERMINER = r"(?:the|a|an|my|your|our|that|this)"
_WHERE = re.compile(
    r"^\s*where (?:is|are|can i find|do i find) (?:the |a |an |my |your |some )?([a-z]+)"
)


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
    words = " ".join(re.findall(r"[a-z]+", goal.lower()))
    return [o for o in objects if re.search(rf"\b{o.replace('_', ' ')}s?\b", words)]


def asks_where_unseen(question: str, objects: Sequence[str]) -> str | None:
    """The unseen thing a "Where is the X?" question asks about, or None."""
    match = _WHERE.search(question.lower())
    if match is None or visible_named(match.group(1), objects):
        return None
    return match.group(1)
