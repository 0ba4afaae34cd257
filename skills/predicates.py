"""Preconditions and effects: literal templates over a skill's arguments.

A template such as `on(kettle, {destination})` grounds to the atom
`on(kettle, top_left_burner)` once the step's arguments are known. A literal is an atom
that must hold (`positive`) or must not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from embodiments.scene import Atom


@dataclass(frozen=True, slots=True)
class Literal:
    """A possibly negated atom template, e.g. `not holding({object})`."""

    template: str
    positive: bool = True

    def ground(self, arguments: Mapping[str, str]) -> GroundLiteral:
        """Substitute argument values; raise KeyError naming a missing argument."""
        try:
            text = self.template.format(**arguments)
        except KeyError as exc:
            msg = f"literal {self.template!r} needs argument {exc.args[0]!r}"
            raise KeyError(msg) from None
        return GroundLiteral(Atom.parse(text), self.positive)

    def __str__(self) -> str:
        return self.template if self.positive else f"not {self.template}"


@dataclass(frozen=True, slots=True)
class GroundLiteral:
    """An atom that must hold (positive) or must not hold."""

    atom: Atom
    positive: bool = True

    def holds_in(self, atoms: frozenset[Atom]) -> bool:
        """Whether this literal is satisfied by a closed-world set of true atoms."""
        return (self.atom in atoms) == self.positive

    def __str__(self) -> str:
        return str(self.atom) if self.positive else f"not {self.atom}"


def lit(text: str) -> Literal:
    """Parse `'open({target})'` or `'not holding({object})'` into a Literal."""
    stripped = text.strip()
    if stripped.startswith("not "):
        return Literal(stripped[4:].strip(), positive=False)
    return Literal(stripped, positive=True)


def apply_effects(atoms: frozenset[Atom], effects: Iterable[GroundLiteral]) -> frozenset[Atom]:
    """The atoms after a step: positive effects added, negative effects removed."""
    result = set(atoms)
    for effect in effects:
        if effect.positive:
            result.add(effect.atom)
        else:
            result.discard(effect.atom)
    return frozenset(result)
