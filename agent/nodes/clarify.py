"""clarify: the planner asked a question; the run context's operator answers it.

As in `approve`, the person is asked inside the node: a run killed while waiting asks
again when resumed. The answer is added to the goal as a clarification and the goal is
planned again. An empty answer, or a run with no one to ask, ends the run refused with
the question.
"""

from __future__ import annotations

from agent.nodes.common import Ctx
from agent.state import AgentState, FeedbackNote, Outcome

MAX_CLARIFICATIONS = 2


def clarify(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Ask the planner's question; fold the answer into the goal."""
    question = state.get("question") or "What should I do?"
    asked = state.get("clarifications", 0)
    if asked >= MAX_CLARIFICATIONS:
        return {"outcome": Outcome(status="refused", reason=question)}
    text = runtime.context.operator.answer(question).strip()
    if not text:
        return {"question": None, "outcome": Outcome(status="refused", reason=question)}
    note = FeedbackNote(
        source="operator", message=f"asked {question!r}; the person answered {text!r}"
    )
    return {
        "goal": f"{state['goal']} ({text})",
        "question": None,
        "clarifications": asked + 1,
        "feedback": [note],
    }
