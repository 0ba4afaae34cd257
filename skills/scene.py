"""The scene as the robot perceives it: estimated from camera frames, never scene truth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from embodiments.scene import Atom


@dataclass(frozen=True, slots=True)
class PerceivedScene:
    """Objects the robot can see and the atoms it believes true, with confidences.

    `atoms` is closed-world: anything absent is believed false. `confidence` maps an
    atom's text (e.g. "open(microwave)") to the detector's confidence in its value.
    `person_distance_m` is the distance from the robot to the nearest person, if one
    is seen.
    """

    objects: tuple[str, ...]
    atoms: frozenset[Atom]
    confidence: Mapping[str, float] = field(default_factory=dict)
    person_distance_m: float | None = None
    frame_hashes: tuple[str, ...] = ()

    def holds(self, atom: Atom | str) -> bool:
        """Whether the robot believes the atom is true."""
        parsed = Atom.parse(atom) if isinstance(atom, str) else atom
        return parsed in self.atoms
