"""replan: log why a new plan is needed, and give up when the bounds are spent.

Bounds: `max_replans` new plans per goal, and `max_step_failures` tries of the same
step. Giving up says why in plain words: refused when the critic kept blocking, failed
otherwise.
"""

from __future__ import annotations

from agent.nodes.common import Ctx, log, record
from agent.state import AgentState, Outcome, Replan
from safety.steplog.records import ReplanRecord


def replan(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Count the attempt, record it, and clear the plan so the next perceive plans anew."""
    config = state["config"]
    request = state.get("replan") or Replan(trigger="operator", reason="replan requested")
    attempt = state.get("replans", 0) + 1
    failures = state.get("step_failures", 0)
    if request.trigger in ("skill_failed", "verification_failed"):
        failures += 1
    record(
        runtime,
        ReplanRecord(
            step=request.step_no, trigger=request.trigger, reason=request.reason, attempt=attempt
        ),
    )
    log.info("agent.replan", attempt=attempt, trigger=request.trigger, reason=request.reason)
    update: AgentState = {
        "replans": attempt,
        "replan": None,
        "plan": None,
        "step_failures": failures,
    }
    gave_up = ""
    if not config.closed_loop:
        gave_up = "open loop: no replanning"
    elif attempt > config.max_replans:
        gave_up = f"gave up after {config.max_replans} new plans"
    elif failures > config.max_step_failures:
        gave_up = f"gave up after {failures} failed steps in a row"
    if gave_up:
        status = "refused" if request.trigger in ("deny", "revise") else "failed"
        update["outcome"] = Outcome(status=status, reason=f"{gave_up}; last: {request.reason}")
    return update
