"""The shared scene vocabulary: ground atoms such as `open(microwave)` and scene truth.

Atoms are the language in which skills state preconditions and effects, the critic
simulates plans and the verifier checks steps. Scene truth is what a simulator knows
for certain; it exists for evaluation and for labelling training data only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_ATOM_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*\(\s*([a-z0-9_,\s]*)\)\s*$")


@dataclass(frozen=True, slots=True, order=True)
class Atom:
    """A ground predicate: a name and its entities, e.g. `on(kettle, top_left_burner)`."""

    predicate: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.predicate}({', '.join(self.args)})"

    @classmethod
    def parse(cls, text: str) -> Atom:
        """Parse `name(arg, ...)`; raise ValueError naming the text when it is malformed."""
        match = _ATOM_RE.match(text)
        if match is None:
            msg = (
                f"cannot parse atom {text!r}: expected lower-case `name(arg, ...)`, "
                "e.g. 'open(microwave)' or 'on(kettle, top_left_burner)'"
            )
            raise ValueError(msg)
        args = tuple(a.strip() for a in match.group(2).split(",") if a.strip())
        return cls(match.group(1), args)


@dataclass(frozen=True, slots=True)
class Pose:
    """A position in metres (world frame) and an orientation quaternion (w, x, y, z)."""

    position_m: tuple[float, float, float]
    quaternion_wxyz: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class SceneTruth:
    """What the simulator knows for certain. For evaluation and data labelling only.

    `atoms` holds every predicate that is true; anything absent is false (closed world).
    `joint_states` gives the raw fixture coordinates (radians or metres) by joint name.
    `completed_tasks` uses the embodiment's own benchmark task names, if it has any.
    """

    atoms: frozenset[Atom]
    joint_states: Mapping[str, float] = field(default_factory=dict)
    object_poses: Mapping[str, Pose] = field(default_factory=dict)
    people: tuple[Pose, ...] = ()
    completed_tasks: tuple[str, ...] = ()
    time_s: float = 0.0

    def holds(self, atom: Atom | str) -> bool:
        """Whether an atom (or its text form) is true in this scene."""
        parsed = Atom.parse(atom) if isinstance(atom, str) else atom
        return parsed in self.atoms
