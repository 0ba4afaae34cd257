"""Helpers the nodes share: the scene and step the state points at, and log writes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TypeAlias

import structlog
from langgraph.runtime import Runtime

from agent.context import RunContext
from agent.state import AgentState, SceneView
from embodiments.base import Frame
from embodiments.png import is_image
from embodiments.scene import Atom
from planner.types import Step
from safety.steplog.records import FrameRef, RecordBody
from skills.perception.gripper import GripperBand
from skills.perception.labels import OBJECTS
from skills.scene import PerceivedScene

Ctx: TypeAlias = Runtime[RunContext]

log = structlog.get_logger("steward.agent")

GRIPPER = GripperBand()
"""When the gripper's opening says it holds nothing (vetoes `holding(...)` from frames)."""


def perceived(state: AgentState) -> PerceivedScene:
    """The state's scene as the planner and critic take it."""
    view = state.get("scene") or SceneView()
    return PerceivedScene(
        objects=OBJECTS,
        atoms=frozenset(Atom.parse(a) for a in view.atoms),
        confidence=dict(view.confidence),
        person_distance_m=view.person_distance_m,
        frame_hashes=tuple(view.frames.values()),
    )


def current_step(state: AgentState) -> Step:
    """The plan's step at the cursor; a state without one is a wiring bug."""
    plan = state.get("plan")
    cursor = state.get("cursor", 0)
    if plan is None or cursor >= len(plan.steps):
        msg = f"no step at cursor {cursor} (plan: {plan is not None}); check the graph's routes"
        raise RuntimeError(msg)
    return plan.steps[cursor]


def executed_steps(state: AgentState) -> tuple[Step, ...]:
    """Steps that ran and were verified, in order (the planner's and critic's history)."""
    return tuple(h.step for h in state.get("history", []) if h.verified)


def store_frames(runtime: Ctx, frames: Mapping[str, Frame]) -> tuple[FrameRef, ...]:
    """Put the frames that are images in the run's frame store (its time counts as logging).

    A frame of the wrong type (a camera driver gone wrong) cannot be stored as PNG; the
    frame checks report it by camera, and the record cites the frames that could be kept.
    """
    ctx = runtime.context
    started = time.perf_counter()
    refs = ctx.log.put_frames({camera: f for camera, f in frames.items() if is_image(f)})
    ctx.log_seconds += time.perf_counter() - started
    return refs


def record(runtime: Ctx, body: RecordBody) -> None:
    """Append one record to the run's step log (its time counts as logging)."""
    ctx = runtime.context
    started = time.perf_counter()
    ctx.log.append(body)
    ctx.log_seconds += time.perf_counter() - started
