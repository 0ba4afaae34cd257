"""The agent's graph: topology only. Nodes live in `agent.nodes`, one module each.

    START -> observe -> perceive -> plan -> critique -> act -> verify -> observe ...
                          |          |         |          |        |
                          |        clarify   approve      |        |
                          +----------+---------+----------+--------+-> replan -> observe
                                     every node with an outcome -> finish -> END

Each node is wrapped to add its wall time to `timings` under its phase, with step-log
writes counted separately as "logging", so a run reports where its time went.
"""

from __future__ import annotations

import functools
import time
from typing import Literal, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.context import RunContext
from agent.errors import RunStopped
from agent.nodes.act import act
from agent.nodes.approve import approve
from agent.nodes.clarify import clarify
from agent.nodes.common import Ctx
from agent.nodes.critique import critique
from agent.nodes.finish import finish
from agent.nodes.observe import observe
from agent.nodes.perceive import perceive
from agent.nodes.plan import plan
from agent.nodes.replan import replan
from agent.nodes.verify import verify
from agent.nodes.wait import wait
from agent.state import AgentState
from safety.verdict import Decision


class Node(Protocol):
    """A node: the state and the runtime (holding the run context) in, an update out."""

    __name__: str

    def __call__(self, state: AgentState, *, runtime: Ctx) -> AgentState:
        """Return a partial update of the state."""
        ...


Graph = CompiledStateGraph[AgentState, RunContext, AgentState, AgentState]

# node name -> (function, phase of the time breakdown)
NODES: dict[str, tuple[Node, str]] = {
    "observe": (observe, "perception"),
    "perceive": (perceive, "perception"),
    "plan": (plan, "planning"),
    "clarify": (clarify, "waiting_for_person"),
    "critique": (critique, "critic"),
    "approve": (approve, "waiting_for_person"),
    "act": (act, "skill"),
    "verify": (verify, "verification"),
    "wait": (wait, "waiting_for_person"),
    "replan": (replan, "orchestration"),
    "finish": (finish, "orchestration"),
}


def timed(node: Node, phase: str) -> Node:
    """The node, adding its time to `timings[phase]` and its log writes to "logging"."""

    def run(state: AgentState, *, runtime: Ctx) -> AgentState:
        ctx = runtime.context
        if ctx.cancel.cancelled:
            raise RunStopped(ctx.cancel.reason or "stopped", step_no=state.get("step_no", 0))
        logged = ctx.log_seconds
        started = time.perf_counter()
        update = node(state, runtime=runtime)
        writing = ctx.log_seconds - logged
        spent = time.perf_counter() - started - writing
        return {**update, "timings": {phase: spent, "logging": writing}}

    run.__name__ = node.__name__
    run.__doc__ = node.__doc__
    return run


def after_perceive(state: AgentState) -> Literal["finish", "replan", "plan", "critique"]:
    """Plan when there is no plan, critique the next step, or finish when all ran."""
    if state.get("outcome") is not None:
        return "finish"
    if state.get("replan") is not None:
        return "replan"
    current = state.get("plan")
    if current is None:
        return "plan"
    return "critique" if state.get("cursor", 0) < len(current.steps) else "finish"


def after_plan(state: AgentState) -> Literal["finish", "clarify", "critique"]:
    """Ask the person, critique the first step, or finish (refused, failed, nothing to do)."""
    if state.get("outcome") is not None:
        return "finish"
    if state.get("question"):
        return "clarify"
    current = state.get("plan")
    return "critique" if current is not None and current.steps else "finish"


def after_clarify(state: AgentState) -> Literal["finish", "plan"]:
    """Plan again with the answer, or finish refused."""
    return "finish" if state.get("outcome") is not None else "plan"


def after_critique(state: AgentState) -> Literal["replan", "approve", "act"]:
    """Replan on deny/revise, ask on ask_human, act on allow."""
    if state.get("replan") is not None:
        return "replan"
    verdict = state.get("verdict")
    if verdict is not None and verdict.decision is Decision.ASK_HUMAN:
        return "approve"
    return "act"


def after_approve(state: AgentState) -> Literal["finish", "wait", "act"]:
    """Act when approved; wait when declined because of a person nearby; else finish."""
    if state.get("outcome") is not None:
        return "finish"
    return "wait" if state.get("waiting") else "act"


def after_act(state: AgentState) -> Literal["replan", "verify"]:
    """Verify a skill that believes it succeeded; replan one that failed."""
    return "replan" if state.get("replan") is not None else "verify"


def after_verify(state: AgentState) -> Literal["finish", "wait", "replan", "observe"]:
    """Observe for the next step, wait for a person, replan, or finish (cameras failed)."""
    if state.get("outcome") is not None:
        return "finish"
    if state.get("waiting"):
        return "wait"
    return "replan" if state.get("replan") is not None else "observe"


def after_wait(state: AgentState) -> Literal["finish", "observe"]:
    """Look again once the person has gone; finish when the wait ran out."""
    return "finish" if state.get("outcome") is not None else "observe"


def after_replan(state: AgentState) -> Literal["finish", "observe"]:
    """Look again and plan, or finish when the bounds are spent."""
    return "finish" if state.get("outcome") is not None else "observe"


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> Graph:
    """The compiled agent graph, checkpointing to `checkpointer` when given.

    The graph is compiled once per process (about 40 ms, a run's worth of steps'
    orchestration) and copied with each run's checkpointer.
    """
    graph = _compiled()
    return graph if checkpointer is None else graph.copy({"checkpointer": checkpointer})


@functools.cache
def _compiled() -> Graph:
    graph = StateGraph(AgentState, context_schema=RunContext)
    for name, (node, phase) in NODES.items():
        graph.add_node(name, timed(node, phase))
    graph.add_edge(START, "observe")
    graph.add_edge("observe", "perceive")
    graph.add_conditional_edges("perceive", after_perceive)
    graph.add_conditional_edges("plan", after_plan)
    graph.add_conditional_edges("clarify", after_clarify)
    graph.add_conditional_edges("critique", after_critique)
    graph.add_conditional_edges("approve", after_approve)
    graph.add_conditional_edges("act", after_act)
    graph.add_conditional_edges("verify", after_verify)
    graph.add_conditional_edges("wait", after_wait)
    graph.add_conditional_edges("replan", after_replan)
    graph.add_edge("finish", END)
    return graph.compile()
