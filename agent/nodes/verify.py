"""verify: check from the frames taken after a step that its expected effects hold.

The effects come from the skill's spec (grounded with the step's arguments), not from
the planner's text. Low confidence looks again, with the next detector as a
cross-check, then closer when the run has a look for the atom (`agent.nodes.look`);
bad frames are re-observed. The evidence (frame hashes before and after, per-effect
confidence, detectors) goes to the step log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from agent.nodes.common import GRIPPER, Ctx, current_step, log, record, store_frames
from agent.nodes.look import look_closer
from agent.state import AgentState, FeedbackNote, Outcome, Replan
from embodiments.base import Observation
from safety.steplog.records import PredicateCheck, VerificationRecord
from skills.perception.verify import Verification, VerifyPolicy, reconsider, verify_effects
from skills.predicates import GroundLiteral


def verify(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Check the effects from frames; advance the cursor, or ask for a new plan."""
    ctx = runtime.context
    config = state["config"]
    step = current_step(state)
    step_no = state.get("step_no", 0)
    acted = state.get("acted")
    if acted is None:
        msg = f"verify ran for step {step_no} without an act before it; check the graph's routes"
        raise RuntimeError(msg)
    if not config.closed_loop:
        skipped = acted.model_copy(update={"message": "open loop: not verified"})
        return {"history": [skipped], "acted": None, "cursor": state.get("cursor", 0) + 1}
    spec = ctx.specs[step.skill]
    _, effects = spec.ground(spec.validate_arguments(step.arguments))
    before = ctx.latest
    looks: list[Observation] = []

    def look() -> Observation:
        looks.append(ctx.robot.observe())
        return looks[-1]

    policy = VerifyPolicy(min_confidence=config.min_confidence, max_looks=config.max_looks)
    result = verify_effects(look, effects, ctx.detectors, policy=policy, before=before)
    methods = [d.name for d in ctx.detectors]
    if looks:
        closer = look_closer(
            runtime,
            {str(c.literal.atom): c.confidence for c in result.checks},
            step=step_no,
            hand_empty=bool(GRIPPER.empty(looks[-1].proprio)),
            index=len(result.looks),
        )
        if closer is not None and ctx.latest is not None:
            looks.append(ctx.latest)
            result = reconsider(result, closer, policy)
            methods += [ctx.look.name] if ctx.look is not None else []
        ctx.latest = ctx.fresh = looks[-1]  # the next perceive sees the world through it
        result = gripper_check(result, looks[-1], effects)
    record(
        runtime,
        VerificationRecord(
            step=step_no,
            success=result.success,
            confidence=result.confidence,
            predicates=tuple(
                PredicateCheck(literal=str(c.literal), holds=c.holds, confidence=c.confidence)
                for c in result.checks
            ),
            frames_before=store_frames(runtime, before.frames) if before is not None else (),
            frames_after=store_frames(runtime, looks[-1].frames) if looks else (),
            method="+".join(methods),
        ),
    )
    log.info("agent.verify", step=step_no, outcome=result.outcome, message=result.message)
    note = result.message
    if result.success and acted.skill_status != "succeeded":
        note = f"the skill reported {acted.message!r}, but the cameras show {note}"
    done = acted.model_copy(update={"verified": result.success, "message": note})
    if result.success:
        expected = dict(state.get("expected", {}))
        expected.update({str(e.atom): e.positive for e in effects})
        return {
            "history": [done],
            "acted": None,
            "cursor": state.get("cursor", 0) + 1,
            "expected": expected,
            "step_failures": 0,
        }
    if result.outcome == "bad_frames":
        reason = f"could not verify {step}: {result.message}"
        return {
            "history": [done],
            "acted": None,
            "outcome": Outcome(status="failed", reason=reason),
        }
    distance = ctx.person()
    slowed = acted.held_by_shield or acted.skill_status != "succeeded"
    if slowed and distance is not None:
        # The shield stops or slows the arm near people: a skill that failed with someone
        # close is retried once they have stepped away, not replanned around them.
        why = f"{step} did not finish with a person {distance:.1f} m from the robot"
        return {"history": [done], "acted": None, "waiting": why}
    message = f"after {step} the cameras show {result.message}"
    trigger = "verification_failed"
    if acted.skill_status != "succeeded":
        message = f"{step} failed ({acted.message or acted.skill_status}); {result.message}"
        trigger = "skill_failed"
    return {
        "history": [done],
        "acted": None,
        "replan": Replan(trigger=trigger, reason=message, step_no=step_no),
        "feedback": [FeedbackNote(source="verifier", message=message, step=step)],
    }


def gripper_check(
    result: Verification, after: Observation, effects: Sequence[GroundLiteral]
) -> Verification:
    """Fail a `holding(...)` effect the cameras confirmed but the empty gripper denies."""
    empty = GRIPPER.empty(after.proprio)
    wanted = [str(e) for e in effects if e.positive and e.atom.predicate == "holding"]
    if not (empty and wanted and result.success):
        return result
    message = f"not as expected: {', '.join(wanted)} ({empty})"
    return replace(result, outcome="failed", message=message)
