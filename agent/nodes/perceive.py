"""perceive: observe, then the scene from frames, and whether it drifted from the plan.

Bad frames are re-observed a few times; if they persist the run fails and says which
camera is at fault. Atoms the cameras are unsure of get a closer look when the run has
one for them (`agent.nodes.look`). After a step, atoms an earlier step of this plan made
true (or false) are checked again: a door someone closed, a kettle moved away, triggers
a replan.
A person who appears mid-plan (the presence sensor) triggers one too, so the critic
judges the rest of the plan with them there.
"""

from __future__ import annotations

from agent.nodes.common import GRIPPER, Ctx, log
from agent.nodes.look import look_closer, seen_closer
from agent.nodes.observe import observe
from agent.state import AgentState, Outcome, Replan, SceneView
from embodiments.scene import Atom
from planner.actions import parse_literal
from skills.perception.base import perceive as perceive_frames
from skills.perception.frames import BadFramesError


def perceive(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Observe and estimate the scene from the frames; flag drift from the plan."""
    ctx = runtime.context
    config = state["config"]
    observation, observed = observe(ctx)
    problems = ""
    for look in range(config.max_looks):
        if look:
            observation = ctx.latest = ctx.robot.observe()
        try:
            scene = perceive_frames(
                observation, *ctx.detectors, min_confidence=config.min_confidence
            )
        except BadFramesError as exc:
            problems = str(exc)
            log.warning("agent.bad_frames", look=look, problems=problems)
            continue
        # `perceive_frames` hashed the frames in camera-name order; reuse, don't re-encode.
        frames = dict(zip(sorted(observation.frames), scene.frame_hashes, strict=True))
        atoms, confidence = {str(a) for a in scene.atoms}, dict(scene.confidence)
        empty = GRIPPER.empty(observation.proprio)
        held = sorted(a for a in atoms if a.startswith("holding("))
        if empty and held:
            log.info("agent.gripper_veto", atoms=held, reason=empty)
            atoms -= set(held)
        closer = look_closer(runtime, confidence, step=None, hand_empty=bool(empty))
        if closer is not None:
            atoms, confidence = seen_closer(atoms, confidence, closer)
        view = SceneView(
            atoms=tuple(sorted(atoms)),
            confidence=confidence,
            person_distance_m=ctx.person(),
            frames=frames,
        )
        return {**observed, "scene": view, **_drift(state, view)}
    reason = (
        f"the cameras gave unusable frames on {config.max_looks} looks ({problems}); "
        "check the cameras, then resume the run"
    )
    return {**observed, "outcome": Outcome(status="failed", reason=reason)}


def _drift(state: AgentState, view: SceneView) -> AgentState:
    """A replan request when the scene lost what this plan's verified steps achieved."""
    plan = state.get("plan")
    if plan is None or not state["config"].closed_loop:
        return {}
    before = state.get("scene")
    appeared = view.person_distance_m is not None
    if before is not None and before.person_distance_m is None and appeared:
        reason = (
            f"a person appeared {view.person_distance_m:.1f} m from the robot; "
            "the rest of the plan needs checking again"
        )
        return {"replan": Replan(trigger="scene_changed", reason=reason)}
    atoms = set(view.atoms)
    expected = state.get("expected", {})
    lost = [
        text if holds else f"not {text}"
        for text, holds in expected.items()
        if (text in atoms) != holds
    ]
    if lost:
        reason = f"the scene changed since it was verified: {', '.join(lost)} no longer holds"
        return {"replan": Replan(trigger="scene_changed", reason=reason)}
    if state.get("cursor", 0) >= len(plan.steps):
        now = frozenset(Atom.parse(a) for a in atoms)
        missing = [g for g in plan.goal_predicates if not parse_literal(g).holds_in(now)]
        if missing:
            reason = f"every step ran but the goal does not hold yet: {', '.join(missing)}"
            return {"replan": Replan(trigger="verification_failed", reason=reason)}
    return {}
