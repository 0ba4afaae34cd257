"""Ground actions: a skill with argument values, its grounded preconditions and effects.

Both the symbolic search and the validator simulate plans with these, and both turn
them into `Step`s the same way, so every step carries its intent and expected effects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from embodiments.scene import Atom
from planner.schema import groundings
from planner.types import Step
from skills.base import SkillSpec
from skills.predicates import GroundLiteral, apply_effects
from skills.scene import PerceivedScene


@dataclass(frozen=True, slots=True, kw_only=True)
class GroundAction:
    """One skill with typed arguments and its grounded preconditions and effects."""

    spec: SkillSpec
    arguments: BaseModel
    preconditions: tuple[GroundLiteral, ...]
    effects: tuple[GroundLiteral, ...]

    @classmethod
    def of(cls, spec: SkillSpec, values: Mapping[str, str] | BaseModel) -> GroundAction:
        """Validate the arguments and ground the spec; raises SkillArgumentError."""
        arguments = spec.validate_arguments(values)
        pre, eff = spec.ground(arguments)
        return cls(spec=spec, arguments=arguments, preconditions=pre, effects=eff)

    def values(self) -> dict[str, str]:
        """The argument values as strings, in the argument model's field order."""
        return {k: str(v) for k, v in self.arguments.model_dump().items()}

    def unmet(self, atoms: frozenset[Atom]) -> tuple[GroundLiteral, ...]:
        """The preconditions that do not hold in `atoms`."""
        return tuple(p for p in self.preconditions if not p.holds_in(atoms))

    def apply(self, atoms: frozenset[Atom]) -> frozenset[Atom]:
        """The atoms after this action's effects."""
        return apply_effects(atoms, self.effects)

    def label(self) -> str:
        """`name(value, ...)`, as people and prompts read it."""
        return f"{self.spec.name}({', '.join(self.values().values())})"

    def intent(self) -> str:
        """The step's intent in plain words, e.g. 'place the kettle (destination: light)'."""
        values = [v.replace("_", " ") for v in self.values().values()]
        names = list(self.values())
        head = f"{self.spec.name.replace('_', ' ')} the {values[0]}" if values else self.spec.name
        rest = [f"{n}: the {v}" for n, v in zip(names[1:], values[1:], strict=True)]
        return head + (f" ({'; '.join(rest)})" if rest else "")

    def to_step(self) -> Step:
        """A plan step with intent and expected effects filled in from the spec."""
        return Step(
            skill=self.spec.name,
            arguments=self.values(),
            intent=self.intent(),
            expected_effects=tuple(str(e) for e in self.effects),
        )


def ground_actions(specs: Sequence[SkillSpec], scene: PerceivedScene) -> tuple[GroundAction, ...]:
    """Every action over the visible objects, in a fixed order (skill name, then values)."""
    actions = [
        GroundAction.of(spec, values)
        for spec in sorted(specs, key=lambda s: s.name)
        for values in groundings(spec, scene)
    ]
    return tuple(actions)


def parse_literal(text: str) -> GroundLiteral:
    """`'open(microwave)'` or `'not open(microwave)'`; raises ValueError when malformed."""
    stripped = text.strip()
    if stripped.startswith("not "):
        return GroundLiteral(Atom.parse(stripped[4:]), positive=False)
    return GroundLiteral(Atom.parse(stripped), positive=True)
