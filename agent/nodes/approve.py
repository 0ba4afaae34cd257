"""approve: an `ask_human` verdict pauses the run for a person's yes or no.

`interrupt()` comes first: a resumed run asks again rather than acting on a stale
answer. The answer is logged with who gave it. A "no" ends the run refused, unless the
critic asked because of a person nearby: then the robot waits for them to step away.
"""

from __future__ import annotations

from langgraph.types import interrupt

from agent.nodes.common import Ctx, current_step, record
from agent.state import AgentState, Approval, Outcome
from safety.steplog.records import ApprovalRecord

PEOPLE_RULES = "people."
"""Rules that fire because someone is near: declining them means "not while they are here"."""


def approve(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Ask; log the answer; continue to act, or stop refused."""
    step = current_step(state)
    verdict = state.get("verdict")
    reasons = list(verdict.reasons) if verdict is not None else []
    answer = interrupt(
        {
            "kind": "approval",
            "step_no": state.get("step_no", 0),
            "step": str(step),
            "reasons": reasons,
        }
    )
    approval = answer if isinstance(answer, Approval) else Approval.model_validate(answer)
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
