"""act: run the step's skill backend on the robot, every command through the action shield.

No automatic retry. Whatever the skill believes about its own success, verify judges
the step from the frames; a skill that cannot start (bad arguments, a backend that
cannot drive this robot) goes straight back to the planner with the reason. When the
operator stops the run (Ctrl-C, e-stop) the skill is cancelled at its next control
tick, the log says so, and `RunStopped` ends this invocation without committing the
step, so `steward resume` runs it again from the robot's current state. A skill that
had finished before the process died (its end is in the step log, though the last
checkpoint predates it) is not run again: verify judges what it left behind.
"""

from __future__ import annotations

import time
from typing import Literal

from agent.errors import RunStopped
from agent.nodes.common import Ctx, current_step, log, record
from agent.state import AgentState, FeedbackNote, Replan, StepOutcome
from safety.steplog.records import ShieldRecord, SkillEndRecord, SkillStartRecord
from skills.base import SkillResult, SkillStatus
from skills.errors import SkillError

END_STATUS: dict[SkillStatus, Literal["succeeded", "failed", "cancelled"]] = {
    SkillStatus.SUCCEEDED: "succeeded",
    SkillStatus.FAILED: "failed",
    SkillStatus.TIMED_OUT: "failed",
    SkillStatus.CANCELLED: "cancelled",
}


def act(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Run the skill and hand over to verify; replan at once if it could not even start."""
    ctx = runtime.context
    step = current_step(state)
    step_no = state.get("step_no", 0)
    spec = ctx.specs[step.skill]
    backend = state["config"].backend_for(step.skill)
    started = time.perf_counter()
    ended = ctx.log.ended_before.get(step_no)
    if ended is not None and ended.skill == step.skill:
        log.warning("agent.act.ran_before", step=step_no, action=str(step), status=ended.status)
        return {"acted": _outcome(state, backend, "", _ran_before(ended))}
    try:
        typed = spec.validate_arguments(step.arguments)
        skill = ctx.make_skill(step.skill)
    except SkillError as exc:
        result = SkillResult(SkillStatus.FAILED, str(exc))
        source = ""
        started_motion = False
    else:
        started_motion = True
        source = str(getattr(skill, "source", ""))
        for listener in ctx.listeners:
            listener.on_step_start(step_no, step)
        label = f"{backend}:{source}" if source else backend
        record(
            runtime,
            SkillStartRecord(
                step=step_no, skill=step.skill, arguments=dict(step.arguments), backend=label
            ),
        )
        log.info("agent.act.start", step=step_no, action=str(step), backend=label)
        try:
            result = skill.run(ctx.robot, typed, cancel=ctx.cancel)
        except SkillError as exc:
            result = SkillResult(SkillStatus.FAILED, str(exc))
    if started_motion:
        _log_end(runtime, step_no, step.skill, result, time.perf_counter() - started)
    else:  # nothing started, so no skill_end: the replan record carries the reason
        log.warning("agent.act.not_started", step=step_no, action=str(step), reason=result.message)
    if ctx.cancel.cancelled:
        ctx.robot.stop()
        raise RunStopped(ctx.cancel.reason or "stopped by the operator", step_no=step_no)
    acted = _outcome(state, backend, source, result)
    if started_motion or not state["config"].closed_loop:
        # The skill's own success flag is its belief; verify judges from the frames.
        return {"acted": acted}
    message = f"{step} failed: {result.message or result.status}"
    return {
        "acted": acted,
        "history": [acted],
        "replan": Replan(trigger="skill_failed", reason=message, step_no=step_no),
        "feedback": [FeedbackNote(source="executor", message=message, step=step)],
    }


def _outcome(state: AgentState, backend: str, source: str, result: SkillResult) -> StepOutcome:
    """The step at the cursor as it ran (or did not), for history, replies and verify."""
    verdict = state.get("verdict")
    return StepOutcome(
        step_no=state.get("step_no", 0),
        step=current_step(state),
        decision=str(verdict.decision) if verdict is not None else "",
        backend=backend,
        source=source,
        skill_status=str(result.status),
        held_by_shield=result.stopped_ticks > 0,
        message=result.message,
    )


def _ran_before(ended: SkillEndRecord) -> SkillResult:
    """What a skill that ran to its end before a restart did, from its log record."""
    status = SkillStatus.SUCCEEDED if ended.status == "succeeded" else SkillStatus.FAILED
    message = f"ran before the restart ({ended.status}); not run again. {ended.message}"
    return SkillResult(status, message.strip(), ticks=ended.ticks, duration_s=ended.duration_s)


def _log_end(runtime: Ctx, step_no: int, skill: str, result: SkillResult, seconds: float) -> None:
    if result.clamped_ticks:
        record(
            runtime,
            ShieldRecord(step=step_no, action="clamp", count=result.clamped_ticks),
        )
    if result.stopped_ticks:
        record(
            runtime,
            ShieldRecord(step=step_no, action="stop", count=result.stopped_ticks),
        )
    status = END_STATUS[result.status]
    record(
        runtime,
        SkillEndRecord(
            step=step_no,
            skill=skill,
            status=status,
            duration_s=max(seconds, 0.0),
            ticks=result.ticks,
            message=result.message,
        ),
    )
    log.info(
        "agent.act.end", step=step_no, status=status, ticks=result.ticks, message=result.message
    )
