"""The predicate language: parsing, grounding, negation, effects."""

from __future__ import annotations

import pytest

from embodiments.scene import Atom
from skills.predicates import GroundLiteral, apply_effects, lit


def test_atom_round_trips_through_text() -> None:
    atom = Atom.parse("on(kettle, top_left_burner)")
    assert atom == Atom("on", ("kettle", "top_left_burner"))
    assert Atom.parse(str(atom)) == atom


@pytest.mark.parametrize("bad", ["", "open microwave", "Open(x)", "on(kettle,", "a(b)(c)"])
def test_malformed_atom_names_the_text(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot parse atom"):
        Atom.parse(bad)


def test_template_grounds_and_negates() -> None:
    literal = lit("not open({target})")
    ground = literal.ground({"target": "microwave"})
    assert ground == GroundLiteral(Atom("open", ("microwave",)), positive=False)
    assert ground.holds_in(frozenset())
    assert not ground.holds_in(frozenset({Atom("open", ("microwave",))}))


def test_missing_argument_is_named() -> None:
    with pytest.raises(KeyError, match="target"):
        lit("open({target})").ground({})


def test_effects_add_and_remove() -> None:
    start = frozenset({Atom.parse("on(kettle, bottom_left_burner)")})
    after = apply_effects(
        start,
        [
            GroundLiteral(Atom.parse("holding(kettle)")),
            GroundLiteral(Atom.parse("on(kettle, bottom_left_burner)"), positive=False),
        ],
    )
    assert after == frozenset({Atom.parse("holding(kettle)")})
