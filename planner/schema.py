"""The answer's JSON schema, built from the skill specs and the visible objects.

Enums make invalid answers impossible to write: skill names, and per argument only the
visible objects its `Literal[...]` type allows. In `goals` mode the model picks goal
literals from the ground atoms the skills can change. Three answer shapes exist:
`{"goal": [...]}` or `{"steps": [...]}` (a plan), `{"refuse": "why"}`, `{"ask": "question"}`.
"""

from __future__ import annotations

import enum
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from embodiments.scene import Atom
from planner.errors import ModelOutputError
from skills.base import SkillSpec
from skills.scene import PerceivedScene

JsonSchema = dict[str, object]
"""A JSON schema document; built here, converted to a wire dict only at a transport."""

WRAP_KEY = "reply"


class Mode(enum.StrEnum):
    """What the model writes: the steps themselves, or only the goal predicates."""

    STEPS = "steps"
    GOALS = "goals"


MAX_PLAN_ITEMS = 8
"""Most goal literals or steps one answer may hold. The goal suite's longest plan has 3
steps; every door, burner and the light is 8. Eight steps also fit the planner's 160
output tokens, so a model that repeats itself ends with valid JSON, not a cut-off string."""


def visible_choices(spec: SkillSpec, scene: PerceivedScene) -> dict[str, tuple[str, ...]] | None:
    """Each argument's allowed values among the visible objects; None if one has none.

    A `Literal[...]` argument keeps the visible objects it lists; a plain string argument
    may name any visible object.
    """
    visible = set(scene.objects)
    literal_choices = spec.argument_choices()
    result: dict[str, tuple[str, ...]] = {}
    for name in spec.arguments.model_fields:
        allowed = literal_choices.get(name, tuple(sorted(visible)))
        seen = tuple(v for v in allowed if v in visible)
        if not seen:
            return None
        result[name] = seen
    return result


def groundings(spec: SkillSpec, scene: PerceivedScene) -> tuple[dict[str, str], ...]:
    """Every argument assignment of one skill over the visible objects."""
    choices = visible_choices(spec, scene)
    if choices is None:
        return ()
    names = list(choices)
    return tuple(
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(choices[n] for n in names))
    )


def atom_vocabulary(specs: Sequence[SkillSpec], scene: PerceivedScene) -> tuple[Atom, ...]:
    """The atoms the skills can change over visible objects, plus those believed true now."""
    visible = set(scene.objects)
    atoms: set[Atom] = set(scene.atoms)
    for spec in specs:
        for values in groundings(spec, scene):
            _, effects = spec.ground(spec.arguments.model_validate(values))
            atoms.update(e.atom for e in effects)
    return tuple(sorted(a for a in atoms if set(a.args) <= visible))


def goal_literals(specs: Sequence[SkillSpec], scene: PerceivedScene) -> tuple[str, ...]:
    """Goal literals the model may write: each changeable atom, positive or negated."""
    texts = [str(a) for a in atom_vocabulary(specs, scene)]
    return (*texts, *(f"not {t}" for t in texts))


def _string_enum(values: Sequence[str]) -> JsonSchema:
    return {"type": "string", "enum": list(values)}


def _closed_object(properties: Mapping[str, JsonSchema]) -> JsonSchema:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(properties),
        "additionalProperties": False,
    }


def _step_schemas(specs: Sequence[SkillSpec], scene: PerceivedScene) -> list[JsonSchema]:
    shapes: list[JsonSchema] = []
    for spec in sorted(specs, key=lambda s: s.name):
        choices = visible_choices(spec, scene)
        if choices is None:
            continue
        props: dict[str, JsonSchema] = {"skill": _string_enum([spec.name])}
        props.update({name: _string_enum(values) for name, values in choices.items()})
        shapes.append(_closed_object(props))
    return shapes


def build_schema(
    mode: Mode,
    specs: Sequence[SkillSpec],
    scene: PerceivedScene,
    *,
    wrap: bool = False,
    plan_only: bool = False,
    literals: Sequence[str] = (),
) -> JsonSchema:
    """The answer schema for one request.

    `wrap` nests the alternatives under one `"reply"` key, for servers whose strict
    structured outputs refuse an `anyOf` at the root (OpenAI). `plan_only` leaves out
    the refusal and the question (a repair round after a refusal the scene contradicts);
    `literals`, in `goals` mode, narrows the goal literals to these.
    """
    # A bound on the list stops a small model that repeats itself at the grammar level
    # (OpenAI's strict mode, the wrapped form, does not take maxItems everywhere).
    bound: JsonSchema = {} if wrap else {"maxItems": MAX_PLAN_ITEMS}
    if mode is Mode.GOALS:
        item = _string_enum(literals or goal_literals(specs, scene))
        plan = _closed_object({"goal": {"type": "array", "items": item, **bound}})
    else:
        steps = _step_schemas(specs, scene)
        plan = _closed_object({"steps": {"type": "array", "items": {"anyOf": steps}, **bound}})
    text: JsonSchema = {"type": "string"}
    choices = [plan]
    if not plan_only:
        choices += [_closed_object({"refuse": text}), _closed_object({"ask": text})]
    if wrap:
        return _closed_object({WRAP_KEY: {"anyOf": choices}})
    return {"anyOf": choices}


class ReplyKind(enum.StrEnum):
    """Which of the three answer shapes the model chose."""

    PLAN = "plan"
    REFUSE = "refuse"
    ASK = "ask"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """The model's answer, parsed: goal literals or raw steps, or a refusal or question."""

    kind: ReplyKind
    goal: tuple[str, ...] = ()
    steps: tuple[Mapping[str, str], ...] = ()
    text: str = ""


def _as_steps(value: object) -> tuple[Mapping[str, str], ...]:
    if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
        raise ModelOutputError(("'steps' must be a list of objects",))
    return tuple({str(k): str(v) for k, v in step.items()} for step in value)


def _as_goal(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise ModelOutputError(("'goal' must be a list of literal strings",))
    return tuple(value)


def parse_reply(text: str, mode: Mode) -> Reply:
    """Parse the model's JSON; raise ModelOutputError saying what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelOutputError((f"the answer is not valid JSON ({exc.msg})",)) from None
    if isinstance(data, dict) and set(data) == {WRAP_KEY}:
        data = data[WRAP_KEY]
    plan_key = "goal" if mode is Mode.GOALS else "steps"
    if not isinstance(data, dict) or len(data) != 1:
        msg = f"the answer must be one object with one key: {plan_key!r}, 'refuse' or 'ask'"
        raise ModelOutputError((msg,))
    ((key, value),) = data.items()
    if key == plan_key:
        if mode is Mode.GOALS:
            return Reply(kind=ReplyKind.PLAN, goal=_as_goal(value))
        return Reply(kind=ReplyKind.PLAN, steps=_as_steps(value))
    if key in ("refuse", "ask") and isinstance(value, str):
        return Reply(kind=ReplyKind(key), text=value.strip())
    msg = f"unexpected key {key!r}; expected {plan_key!r}, 'refuse' or 'ask'"
    raise ModelOutputError((msg,))


def schema_text(schema: JsonSchema) -> str:
    """A canonical text form, used as a cache key for compiled grammars."""
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))
