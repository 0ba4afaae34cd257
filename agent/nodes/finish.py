"""finish: write how the run ended; a run that reached here without a problem is done."""

from __future__ import annotations

from agent.nodes.common import Ctx, log, record
from agent.state import AgentState, Outcome
from safety.steplog.records import OutcomeRecord


def finish(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Record the outcome (done when no node set another one)."""
    outcome = state.get("outcome")
    history = state.get("history", [])
    if outcome is None:
        verified = sum(h.verified for h in history)
        plan = state.get("plan")
        if plan is not None and not plan.steps:
            reason = plan.explanation
        elif state["config"].closed_loop:
            reason = f"{verified} step(s) ran and were verified from the cameras"
        else:
            reason = f"{len(history)} step(s) ran open loop, none verified"
        outcome = Outcome(status="done", reason=reason or "nothing to do")
    record(
        runtime,
        OutcomeRecord(status=outcome.status, reason=outcome.reason, steps_run=len(history)),
    )
    log.info("agent.outcome", status=outcome.status, reason=outcome.reason)
    return {"outcome": outcome}
