"""critique: the critic's verdict on the next step, before anything moves."""

from __future__ import annotations

import dataclasses

from agent.nodes.common import Ctx, current_step, executed_steps, log, perceived, record
from agent.state import AgentState, FeedbackNote, Replan
from planner.types import Plan
from safety.steplog.records import VerdictRecord
from safety.verdict import Decision


def critique(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Review the step at the cursor with the rest of the plan; deny/revise asks to replan."""
    ctx = runtime.context
    step = current_step(state)
    plan = state["plan"]
    assert plan is not None
    rest = Plan(goal=plan.goal, steps=plan.steps[state.get("cursor", 0) :])
    # The person's distance from where the step acts (a burner, a door), read live.
    scene = dataclasses.replace(
        perceived(state), person_distance_m=ctx.person.near(step.arguments.values())
    )
    verdict = ctx.critic.review(step, scene, executed_steps(state), plan=rest)
    step_no = state.get("step_no", 0) + 1
    record(runtime, VerdictRecord(step=step_no, planned=step, verdict=verdict))
    log.info(
        "agent.verdict",
        step=step_no,
        action=str(step),
        decision=str(verdict.decision),
        rule_ids=list(verdict.rule_ids),
    )
    update: AgentState = {"verdict": verdict, "step_no": step_no, "approval": None}
    if verdict.decision in (Decision.DENY, Decision.REVISE):
        reasons = "; ".join(verdict.reasons) or "no reason given"
        hint = f" Hint: {verdict.revision_hint}" if verdict.revision_hint else ""
        how = "denied" if verdict.decision is Decision.DENY else "sent back for revision"
        message = f"{step} was {how}: {reasons}.{hint}"
        trigger = "deny" if verdict.decision is Decision.DENY else "revise"
        update["replan"] = Replan(trigger=trigger, reason=message, step_no=step_no)
        update["feedback"] = [FeedbackNote(source="critic", message=message, step=step)]
    return update
