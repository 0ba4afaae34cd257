"""Prompts: a fixed prefix (rules, skill catalog, worked examples) and one user turn.

The prefix depends only on the mode and the skill catalog, never on the scene or the
goal, so a local model keeps its key-value cache of the prefix between requests and
only reads the short user turn. The scene comes first in the user turn, the goal last,
so consecutive goals in one scene share even more of the prompt.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from embodiments.scene import Atom
from planner.actions import ground_actions, parse_literal
from planner.base import PlanRequest
from planner.grounding import annotated, references
from planner.schema import Mode
from planner.symbolic import plan_to_goal
from skills.base import SkillSpec
from skills.scene import PerceivedScene

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat turn."""

    role: Role
    content: str


_RULES = {
    Mode.GOALS: (
        'Plan: {"goal":[literals]}: the literals that must be true when done, in the order '
        "the person wants them done. Write only literals about objects the goal means; "
        "doors are open or not, burners and the light are turned_on or not."
    ),
    Mode.STEPS: (
        'Plan: {"steps":[{"skill":name, argument:value, ...}]}: the skills to run, in order; '
        "each step needs its preconditions true at that point."
    ),
}
_SHARED_RULES = (
    "You plan for a kitchen robot. Answer with one JSON object only.",
    "{plan}",
    'Refuse: {{"refuse":"reason"}} when the goal names something the robot does not see '
    "or needs an action no skill can do (cooking, cleaning, fetching other things).",
    'Ask: {{"ask":"question"}} when the goal is unclear, when its words fit several '
    "visible objects and the scene does not settle which, or when it is not a request.",
    "Goals may come in any language; answer in English.",
    'A literal is a predicate such as open(microwave); "not open(microwave)" means closed '
    "or off. Objects never listed under Sees do not exist.",
    "Skills (name(arguments): what it does. needs: preconditions. makes: effects):",
)


@dataclass(frozen=True, slots=True)
class _Example:
    true_now: tuple[str, ...]
    goal: str
    answer: tuple[str, ...] | tuple[Literal["refuse", "ask"], str]


# Worked examples, worded unlike the benchmark's goals so they teach the format and the
# kinds of answer without leaking the suite.
_EXAMPLES = (
    _Example(
        ("turned_on(light)", "open(hinge_cabinet)"), "lamp off please", ("not turned_on(light)",)
    ),
    _Example(
        ("open(hinge_cabinet)", "turned_on(light)", "turned_on(top_left_burner)"),
        "shut every door that is open, then turn the lamp off",
        ("not open(hinge_cabinet)", "not turned_on(light)"),
    ),
    _Example(
        ("on(kettle, bottom_right_burner)",),
        "warm up water: move the kettle to the top left burner and light that burner",
        ("on(kettle, top_left_burner)", "turned_on(top_left_burner)"),
    ),
    _Example((), "sweep the floor", ("refuse", "None of my skills can sweep.")),
    _Example((), "thanks, you're great", ("ask", "What should I do in the kitchen?")),
    _Example(
        ("turned_on(bottom_left_burner)", "turned_on(top_left_burner)"),
        "switch the burner off",
        ("ask", "Which burner do you mean?"),
    ),
)


def _skill_line(spec: SkillSpec) -> str:
    choices = spec.argument_choices()
    args = ", ".join(
        f"{name}: {'|'.join(choices[name])}" if name in choices else name
        for name in spec.arguments.model_fields
    )
    needs = ", ".join(str(p) for p in spec.preconditions) or "nothing"
    makes = ", ".join(str(e) for e in spec.effects[:2])
    more = ", ..." if len(spec.effects) > 2 else ""
    return f"- {spec.name}({args}): {spec.description} needs: {needs}. makes: {makes}{more}."


def _full_scene(specs: Sequence[SkillSpec], true_now: Sequence[str]) -> PerceivedScene:
    objects = sorted({v for s in specs for vs in s.argument_choices().values() for v in vs})
    return PerceivedScene(objects=tuple(objects), atoms=frozenset(Atom.parse(a) for a in true_now))


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _example_answer(
    example: _Example, mode: Mode, scene: PerceivedScene, specs: Sequence[SkillSpec]
) -> str:
    kind = example.answer[0]
    if kind in ("refuse", "ask"):
        return _compact({kind: example.answer[1]})
    if mode is Mode.GOALS:
        return _compact({"goal": list(example.answer)})
    goal = [parse_literal(t) for t in example.answer]
    actions = plan_to_goal(scene.atoms, goal, ground_actions(specs, scene))
    return _compact({"steps": [{"skill": a.spec.name, **a.values()} for a in actions]})


def _examples(mode: Mode, specs: Sequence[SkillSpec]) -> list[Message]:
    turns: list[Message] = []
    known = {s.name for s in specs}
    if not {"open", "close", "turn_on", "turn_off", "pick", "place"} <= known:
        return turns  # the worked examples are kitchen examples
    for example in _EXAMPLES:
        scene = _full_scene(specs, example.true_now)
        turns.append(Message("user", scene_text(scene) + f"\nGoal: {example.goal}"))
        turns.append(Message("assistant", _example_answer(example, mode, scene, specs)))
    return turns


@functools.lru_cache(maxsize=8)
def prefix(mode: Mode, specs: tuple[SkillSpec, ...]) -> tuple[Message, ...]:
    """The fixed part of every prompt for this mode and catalog."""
    ordered = sorted(specs, key=lambda s: s.name)
    rules = "\n".join(_SHARED_RULES).format(plan=_RULES[mode])
    system = rules + "\n" + "\n".join(_skill_line(s) for s in ordered)
    return (Message("system", system), *_examples(mode, ordered))


def scene_text(scene: PerceivedScene) -> str:
    """What the robot sees and believes, in two short lines."""
    true_now = ", ".join(str(a) for a in sorted(scene.atoms)) or "nothing (all closed and off)"
    return f"Sees: {', '.join(sorted(scene.objects)) or 'nothing'}\nTrue now: {true_now}"


def user_turn(request: PlanRequest, goal: str) -> Message:
    """Scene, run history and feedback, then the goal."""
    lines = [scene_text(request.scene)]
    if request.completed:
        lines.append("Done already: " + ", ".join(str(s) for s in request.completed))
    lines.extend(f"Problem with the last plan: {f}" for f in request.feedback)
    lines.append(f"Goal: {annotated(goal, references(goal, request.scene))}")
    return Message("user", "\n".join(lines))


def messages(request: PlanRequest, mode: Mode, goal: str) -> list[Message]:
    """The whole prompt for a first round."""
    return [*prefix(mode, request.specs), user_turn(request, goal)]
