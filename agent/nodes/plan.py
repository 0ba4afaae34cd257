"""plan: ask the planner for steps from the perceived scene, this run's history and feedback."""

from __future__ import annotations

from agent.nodes.common import Ctx, executed_steps, log, perceived, record
from agent.state import AgentState, Outcome
from planner.base import Feedback, FeedbackSource, PlanRequest, PlanStatus
from safety.steplog.records import PlanRecord


def plan(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Plan, or end the run with the planner's refusal or failure, or ask the person."""
    ctx = runtime.context
    request = PlanRequest(
        goal=state["goal"],
        scene=perceived(state),
        specs=tuple(ctx.specs.values()),
        completed=executed_steps(state),
        feedback=tuple(
            Feedback(source=FeedbackSource(f.source), message=f.message, step=f.step)
            for f in state.get("feedback", [])
        ),
    )
    result = ctx.planner.plan(request)
    attempt = state.get("plans", 0)
    log.info(
        "agent.plan",
        status=str(result.status),
        attempt=attempt,
        steps=len(result.plan.steps) if result.plan else 0,
        elapsed_s=round(result.usage.elapsed_s, 3),
    )
    if result.plan is not None:
        record(runtime, PlanRecord(attempt=attempt, plan=result.plan))
        return {"plan": result.plan, "plans": attempt + 1, "cursor": 0, "expected": {}}
    if result.status is PlanStatus.ASK:
        return {"question": result.reason}
    status = "refused" if result.status is PlanStatus.REFUSED else "failed"
    return {"outcome": Outcome(status=status, reason=result.reason)}
