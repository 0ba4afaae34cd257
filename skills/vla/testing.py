"""Test doubles for the VLA package: a scripted `ChunkPolicy` that needs no network or torch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from skills.vla.base import ActionChunk, PolicyInput


@dataclass
class ScriptedPolicy:
    """Answers every request with the same chunk; progress rises by `progress_step` per call.

    `on_infer` runs before each answer (e.g. to cancel a token mid-run); `requests` keeps
    what the policy was asked, so tests can assert on frames, states and instructions.
    """

    actions: np.ndarray
    progress_step: float | None = 0.25
    on_infer: Callable[[int], None] | None = None
    requests: list[PolicyInput] = field(default_factory=list)
    source: str = "scripted://test"

    def infer(self, request: PolicyInput) -> ActionChunk:
        """The fixed chunk, with progress `calls * progress_step` (capped at 1)."""
        self.requests.append(request)
        if self.on_infer is not None:
            self.on_infer(len(self.requests))
        progress = None
        if self.progress_step is not None:
            progress = min(1.0, len(self.requests) * self.progress_step)
        return ActionChunk(np.asarray(self.actions, dtype=np.float32), progress)
