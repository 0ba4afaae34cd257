"""approve: an `ask_human` verdict waits for a person's yes or no.

The run context's operator is asked inside the node, so the graph's stream goes on
(no interrupt ending it and a new one resuming: about 5 ms per approval). Nothing is
saved until the node ends, so a run killed while waiting resumes here and asks again
rather than acting on a stale answer. The answer is logged with who gave it. A "no"
ends the run refused, unless the critic asked because of a person nearby: then the
robot waits for them to step away.
"""

from __future__ import annotations

from agent.nodes.common import Ctx, current_step, record
from agent.state import AgentState, Outcome
from safety.steplog.records import ApprovalRecord

PEOPLE_RULES = "people."
"""Rules that fire because someone is near: declining them means "not while they are here"."""


def approve(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Ask; log the answer; continue to act, or stop refused."""
    step = current_step(state)
    verdict = state.get("verdict")
    reasons = list(verdict.reasons) if verdict is not None else []
    approval = runtime.context.operator.approve(str(step), tuple(reasons))
    step_no = state.get("step_no", 0)
    record(
        runtime,
        ApprovalRecord(
            step=step_no,
            approved=approval.approved,
            approver=approval.approver,
            channel=approval.channel,
            note=approval.note,
        ),
    )
    if approval.approved:
        return {"approval": approval}
    rules = verdict.rule_ids if verdict is not None else ()
    if any(r.startswith(PEOPLE_RULES) for r in rules) and runtime.context.person() is not None:
        return {
            "approval": approval,
            "waiting": f"{approval.approver} declined {step} ({reasons[0]})",
        }
    why = "; ".join(reasons) or "it needs approval"
    reason = f"{approval.approver} declined {step} ({why})"
    return {"approval": approval, "outcome": Outcome(status="refused", reason=reason)}
