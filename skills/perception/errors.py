"""Perception errors, by who must act."""

from __future__ import annotations


class DetectorNotFoundError(KeyError):
    """No detector is registered under that name (the developer fixes the name)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "detector not found"
