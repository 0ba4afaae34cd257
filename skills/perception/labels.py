"""The predicates perception estimates, in one fixed order shared by every detector.

Fixture predicates are binary. The kettle's place is one of six exclusive classes:
on one of the four burners, held in the gripper, or elsewhere.
"""

from __future__ import annotations

from embodiments.scene import Atom

DOORS = ("microwave", "slide_cabinet", "hinge_cabinet")
SWITCHES = (
    "bottom_left_burner",
    "bottom_right_burner",
    "top_left_burner",
    "top_right_burner",
    "light",
)
BURNERS = SWITCHES[:4]
FIXTURE_ATOMS: tuple[Atom, ...] = (
    *(Atom("open", (d,)) for d in DOORS),
    *(Atom("turned_on", (s,)) for s in SWITCHES),
)
KETTLE_CLASSES: tuple[str, ...] = (*BURNERS, "held", "elsewhere")
HELD_CLASS = KETTLE_CLASSES.index("held")
ELSEWHERE_CLASS = KETTLE_CLASSES.index("elsewhere")
HOLDING = Atom("holding", ("kettle",))
ON_ATOMS: tuple[Atom, ...] = tuple(Atom("on", ("kettle", b)) for b in BURNERS)
ALL_ATOMS: tuple[Atom, ...] = (*FIXTURE_ATOMS, *ON_ATOMS, HOLDING)
OBJECTS: tuple[str, ...] = (*DOORS, *SWITCHES, "kettle")


def kettle_class(atoms: frozenset[Atom]) -> int:
    """The kettle class index implied by a set of true atoms."""
    if HOLDING in atoms:
        return HELD_CLASS
    for index, atom in enumerate(ON_ATOMS):
        if atom in atoms:
            return index
    return ELSEWHERE_CLASS


def kettle_atoms(index: int) -> frozenset[Atom]:
    """The true kettle atoms for a kettle class index."""
    if index == HELD_CLASS:
        return frozenset({HOLDING})
    if index < len(ON_ATOMS):
        return frozenset({ON_ATOMS[index]})
    return frozenset()
