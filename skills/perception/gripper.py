"""What the gripper's own opening says about holding something (proprioception, no frames).

A parallel gripper closed all the way holds nothing; one open all the way holds nothing
either. In between it may be closed on a handle, which only the cameras can confirm.
So the opening can veto `holding(...)`, never assert it. The frame detectors can mistake
a kettle that sits right behind the fingers for a kettle in them; this check catches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from embodiments.base import Proprioception


@dataclass(frozen=True, slots=True, kw_only=True)
class GripperBand:
    """Openings (metres between the fingers) that mean "empty" for a parallel gripper.

    Defaults are the Franka hand's: 0.08 m fully open; closed on the kettle's handle it
    rests near 0.065 m; closed on nothing, near 0.
    """

    closed_empty_m: float = 0.01
    open_m: float = 0.076

    def __post_init__(self) -> None:
        if not 0.0 <= self.closed_empty_m < self.open_m:
            msg = f"GripperBand needs 0 <= closed_empty_m < open_m, got {self}"
            raise ValueError(msg)

    def empty(self, proprio: Proprioception) -> str | None:
        """Why the gripper surely holds nothing (a sentence), or None if it may hold."""
        opening = proprio.gripper_opening_m
        if opening <= self.closed_empty_m:
            return f"the gripper closed on nothing (opening {opening * 1000:.0f} mm)"
        if opening >= self.open_m:
            return f"the gripper is open (opening {opening * 1000:.0f} mm)"
        return None
