"""Validation of plans and goal literals, and the feedback a repair round sends back.

A plan is valid when every step names a skill in the catalog, its arguments validate
against the skill's argument model, every argument names a visible object, and every
step's preconditions hold when the plan is simulated from the believed atoms.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from embodiments.scene import Atom
from planner.actions import GroundAction, ground_actions, parse_literal
from planner.base import PlanRequest, PlanResult, PlanStatus
from planner.errors import ModelOutputError
from planner.grounding import (
    head,
    mentions,
    named_in_full,
    order_constraints,
    related_to_named,
    unseen_kinds,
    visible_named,
)
from planner.schema import atom_vocabulary, visible_choices
from planner.symbolic import Unreachable, plan_to_goal
from planner.types import Step
from skills.base import SkillSpec
from skills.errors import SkillArgumentError
from skills.predicates import GroundLiteral


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedPlan:
    """Actions that validated: known skills, visible objects, preconditions met in order."""

    actions: tuple[GroundAction, ...]

    def steps(self) -> tuple[Step, ...]:
        """The plan's steps with intent and expected effects."""
        return tuple(a.to_step() for a in self.actions)


def _spec_named(name: str, specs: Mapping[str, SkillSpec]) -> SkillSpec:
    if name in specs:
        return specs[name]
    close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ModelOutputError((f"unknown skill {name!r}.{hint} Skills: {', '.join(sorted(specs))}",))


def ground_step(raw: Mapping[str, str], request: PlanRequest) -> GroundAction:
    """One step as the model or a script wrote it -> a ground action over visible objects."""
    specs = {s.name: s for s in request.specs}
    values = dict(raw)
    spec = _spec_named(values.pop("skill", ""), specs)
    try:
        action = GroundAction.of(spec, values)
    except SkillArgumentError as exc:
        raise ModelOutputError((str(exc),)) from None
    unseen = [v for v in action.values().values() if v not in request.scene.objects]
    if unseen:
        msg = f"{action.label()} names {', '.join(unseen)}, which the robot cannot see"
        raise ModelOutputError((msg,))
    return action


def check_executable(actions: Sequence[GroundAction], atoms: frozenset[Atom]) -> CheckedPlan:
    """Simulate from `atoms`; raise ModelOutputError naming each step whose preconditions fail.

    A step whose effects already hold is reported too (it would change nothing), so the
    model learns the state rather than having its plan silently shortened.
    """
    problems: list[str] = []
    state = atoms
    for number, action in enumerate(actions, start=1):
        unmet = action.unmet(state)
        if unmet and all(e.holds_in(state) for e in action.effects):
            effects = ", ".join(str(e) for e in action.effects[:2])
            problems.append(
                f"step {number} {action.label()}: {effects} already holds; leave it out"
            )
        elif unmet:
            needs = ", ".join(str(u) for u in unmet)
            problems.append(f"step {number} {action.label()} needs {needs}, which is false then")
        state = action.apply(state)
    if problems:
        raise ModelOutputError(tuple(problems))
    return CheckedPlan(actions=tuple(actions))


def check_steps(raw_steps: Sequence[Mapping[str, str]], request: PlanRequest) -> CheckedPlan:
    """Validate a whole list of raw steps; collect every step's problems before raising."""
    actions: list[GroundAction] = []
    problems: list[str] = []
    for number, raw in enumerate(raw_steps, start=1):
        try:
            actions.append(ground_step(raw, request))
        except ModelOutputError as exc:
            problems.extend(f"step {number}: {p}" for p in exc.problems)
    if problems:
        raise ModelOutputError(tuple(problems))
    return check_executable(actions, request.scene.atoms)


def check_plan_steps(steps: Sequence[Step], request: PlanRequest) -> CheckedPlan:
    """Validate typed steps (from a script or another planner) like model-written ones."""
    return check_steps([{"skill": s.skill, **s.arguments} for s in steps], request)


def check_goal(texts: Sequence[str], request: PlanRequest) -> tuple[GroundLiteral, ...]:
    """Goal literals over the atoms the visible skills can change; problems otherwise."""
    if not texts:
        raise ModelOutputError(("the goal is empty; refuse or ask if nothing can be done",))
    vocabulary = set(atom_vocabulary(request.specs, request.scene))
    literals: list[GroundLiteral] = []
    problems: list[str] = []
    for text in texts:
        try:
            literal = parse_literal(text)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if literal.atom not in vocabulary:
            problems.append(f"{text!r} is not something the robot's skills can change here")
            continue
        if literal not in literals:
            literals.append(literal)
    if problems:
        raise ModelOutputError(tuple(problems))
    return tuple(literals)


def check_covers(goal: str, answer: Sequence[str], request: PlanRequest) -> None:
    """Raise ModelOutputError when the goal names a fixture in full and no literal is about it.

    Fixtures are the objects with a state of their own (open, turned on); a movable
    object (one that stands on something, such as the kettle) is often named only to
    point at something ("the burner the kettle stands on"), so it is not required.
    The model already chose to plan, so the repair round may only plan.
    """
    vocabulary = atom_vocabulary(request.specs, request.scene)
    movable = {a.args[0] for a in vocabulary if len(a.args) == 2}  # on(kettle, burner)
    fixtures = {a.args[0] for a in vocabulary if len(a.args) == 1} - movable
    named = named_in_full(goal, sorted(fixtures))
    said = set(re.findall(r"\w+", " ".join(answer)))
    left_out = [o for o in named if o not in said]
    if left_out:
        msg = (
            f"the goal names {', '.join(left_out)}, but the answer says nothing about it; "
            "write a literal for every object the goal names, in the order it wants them done"
        )
        raise ModelOutputError((msg,), plan_only=True)  # the model chose to plan


def check_order(goal: str, answer: Sequence[str], request: PlanRequest) -> None:
    """Raise ModelOutputError (plan only) when the answer breaks an order the goal fixes."""
    position: dict[str, int] = {}
    for index, text in enumerate(answer):
        for word in re.findall(r"\w+", text):
            position.setdefault(word, index)
    broken = [
        (early, late)
        for early, late in order_constraints(goal, request.scene.objects)
        if early in position and late in position and position[early] > position[late]
    ]
    if broken:
        wants = "; ".join(f"{early} before {late}" for early, late in broken)
        msg = f"the goal wants {wants}; write the literals in that order"
        raise ModelOutputError((msg,), plan_only=True)


def steps_for_goal(
    texts: Sequence[str], request: PlanRequest
) -> tuple[CheckedPlan, tuple[GroundLiteral, ...]]:
    """Steps from the scene to the goal literals by symbolic search; problems otherwise."""
    goal = check_goal(texts, request)
    actions = ground_actions(request.specs, request.scene)
    try:
        found = plan_to_goal(request.scene.atoms, goal, actions)
    except Unreachable as exc:
        raise ModelOutputError((str(exc),)) from None
    return CheckedPlan(actions=found), goal


def repair_message(problems: Sequence[str], *, plan_only: bool = False) -> str:
    """The user turn of a repair round: what was wrong, and what to do."""
    listed = "\n".join(f"- {p}" for p in problems)
    todo = (
        "Answer again with a plan."
        if plan_only
        else "Answer again with corrected JSON, or refuse or ask if the goal cannot be done."
    )
    return f"That answer cannot be used:\n{listed}\n{todo}"


def screen_goal(request: PlanRequest, max_chars: int) -> str | PlanResult:
    """The cleaned goal text, or a question or refusal for input no model should see."""
    printable = "".join(
        " " if unicodedata.category(c).startswith(("C", "Z")) else c for c in request.goal
    )
    goal = " ".join(printable.split())
    if not goal:
        return PlanResult.no_plan(PlanStatus.ASK, "The goal is empty. What should I do?")
    if len(goal) > max_chars:
        reason = (
            f"The goal is {len(goal)} characters long; the limit is {max_chars}. "
            "Please say what you want done in a sentence or two."
        )
        return PlanResult.no_plan(PlanStatus.REFUSED, reason)
    if not any(visible_choices(s, request.scene) is not None for s in request.specs):
        reason = "I cannot see anything my skills can act on, so I cannot plan for this goal."
        return PlanResult.no_plan(PlanStatus.REFUSED, reason)
    if unseen := unseen_kinds(goal, request):
        reason = f"I cannot see {_a_list(unseen)} here, so I cannot do that."
        return PlanResult.no_plan(PlanStatus.REFUSED, reason)
    return goal


def _a_list(nouns: Sequence[str]) -> str:
    return " or ".join(f"{'an' if n[0] in 'aeiou' else 'a'} {n}" for n in nouns)


_NOT_SEEN = re.compile(
    r"\b(?:cannot|can't|can not|do not|don't|does not|doesn't) (?:see|find) "
    r"(?:a |an |the |any )?(\w+)"
)
_WHICH = re.compile(r"^\s*which (\w+)")


def _literals_about(obj: str, specs: Sequence[SkillSpec]) -> tuple[str, ...]:
    """The literals these one-argument skills make true about `obj`, e.g. turned_on(light)."""
    found: list[str] = []
    for spec in specs:
        fields = list(spec.arguments.model_fields)
        if len(fields) != 1:
            continue
        _, effects = spec.ground(spec.validate_arguments({fields[0]: obj}))
        found += [str(e) for e in effects if str(e) not in found]
    # Positive literals first: the order of the suggestion should not pick the sign.
    return tuple(sorted(found, key=lambda text: text.startswith("not ")))


_CLAIM_WORDS = {"on": "turned_on", "off": "not turned_on", "open": "open", "closed": "not open"}


def _false_claim(text: str, request: PlanRequest) -> str | None:
    """A literal the text says already holds that is false in the scene, or None.

    "The kettle is already on the top right burner" claims on(kettle, top_right_burner).
    """
    names = "|".join(o.replace("_", " ") for o in request.scene.objects)
    pattern = rf"\b({names}) (?:is|are) already (on|off|open|closed)(?: the ({names}))?"
    for match in re.finditer(pattern, text):
        subject, word, place = (g.replace(" ", "_") if g else g for g in match.groups())
        if word == "on" and place:
            literal = f"on({subject}, {place})"
        else:
            literal = f"{_CLAIM_WORDS[word]}({subject})"
        if not parse_literal(literal).holds_in(request.scene.atoms):
            return literal
    return None


def _all_choices(spec: SkillSpec) -> set[str]:
    return {v for values in spec.argument_choices().values() for v in values}


def check_answer_text(kind: str, text: str, request: PlanRequest) -> None:
    """Reject a refusal or question that contradicts the scene; ModelOutputError says why.

    A refusal may not claim that a visible object is missing, nor that no skill can act
    on a visible object some skill takes; a "which X?" question needs more than one
    visible X to choose from, and none when the goal ties one X to an object it names
    ("the burner the kettle stands on"). Each of these errors is `plan_only`: the scene answers
    the model's doubt, so the repair round asks for a plan.
    """
    objects = request.scene.objects
    lowered = text.lower()
    if kind == "refuse" and "skill" in lowered:
        for obj in objects:
            takers = [s for s in request.specs if obj in _all_choices(s)]
            if takers and mentions(lowered, head(obj)):
                names = ", ".join(s.name for s in takers)
                # The refusal's own verb ("turn on the light") says which skill it meant:
                # the repair may then write only what that skill makes true of the object.
                meant = [s for s in takers if s.name.replace("_", " ") in lowered]
                literals = _literals_about(obj, meant or takers)
                msg = (
                    f"the refusal says no skill can do it, but {names} can act on {obj}; "
                    f"write the goal as literals such as {' or '.join(literals)}"
                )
                raise ModelOutputError((msg,), plan_only=True, literals=literals if meant else ())
    if kind == "refuse" and (claim := _false_claim(lowered, request)):
        msg = f"the refusal says {claim} already holds, but it is false now"
        raise ModelOutputError((msg,), plan_only=True)
    if kind == "refuse" and (match := _NOT_SEEN.search(lowered)):
        seen = visible_named(match.group(1), objects)
        if seen:
            found = ", ".join(seen)
            msg = f"the refusal says {match.group(1)!r} is not there, but the robot sees {found}"
            raise ModelOutputError((msg,), plan_only=True)
    if kind == "ask" and (match := _WHICH.search(lowered)):
        seen = visible_named(match.group(1), objects)
        tied = related_to_named(request.goal, match.group(1), seen, request.scene)
        if len(seen) == 1:
            msg = (
                f"do not ask which {match.group(1)}: the robot sees exactly one, {seen[0]}; "
                "plan with it"
            )
            raise ModelOutputError((msg,), plan_only=True)
        if len(tied) == 1:
            facts = ", ".join(
                str(a) for a in sorted(request.scene.atoms) if tied[0] in a.args and len(a.args) > 1
            )
            msg = (
                f"do not ask which {match.group(1)}: the goal says which, and {facts} is true "
                f"now; plan with {tied[0]}"
            )
            raise ModelOutputError((msg,), plan_only=True)
