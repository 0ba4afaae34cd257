"""The agent's graph: topology only. Nodes live in `agent.nodes`, one module each.

    START -> perceive -> plan -> critique -> act -> verify -> perceive ...
                |          |         |          |        |
                |        clarify   approve      |        |
                +----------+---------+----------+--------+-> replan -> perceive
                           every node with an outcome -> finish -> END

`perceive` observes first (frames, proprioception, a simulator snapshot), then estimates
the scene from the frames; right after a verified step it uses the frames verify took,
since nothing has moved since.

Each node is wrapped to add its wall time to `timings` under its phase, with step-log
writes counted separately as "logging", so a run reports where its time went. The
wrapper also asks the node's router (the `after_*` functions, pure functions of state)
where to go next and returns a `Command` saying so: LangGraph's conditional edges would
rebuild the whole state for the router after every node (about 0.2 ms per node in the
agent's runs on this 2-core machine).
"""

from __future__ import annotations

import functools
import time
import typing
from collections.abc import Callable
from typing import Literal, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from agent.context import RunContext
from agent.errors import RunStopped
from agent.nodes.act import act
from agent.nodes.approve import approve
from agent.nodes.clarify import clarify
from agent.nodes.common import Ctx
from agent.nodes.critique import critique
from agent.nodes.finish import finish
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

WAITING = "waiting_for_person"
"""The phase of asking a person and waiting for them: not the robot's work, not overhead."""

# node name -> (function, phase of the time breakdown)
NODES: dict[str, tuple[Node, str]] = {
    "perceive": (perceive, "perception"),
    "plan": (plan, "planning"),
    "clarify": (clarify, WAITING),
    "critique": (critique, "critic"),
    "approve": (approve, WAITING),
    "act": (act, "skill"),
    "verify": (verify, "verification"),
    "wait": (wait, WAITING),
    "replan": (replan, "orchestration"),
    "finish": (finish, "orchestration"),
}


Router = Callable[[AgentState], str]
"""Where to go after a node, from the state with the node's update applied."""


def timed(node: Node, phase: str, route: Router | None = None) -> Callable[..., object]:
    """The node, adding its time to `timings[phase]` and its log writes to "logging".

    With `route`, it returns `Command(update=..., goto=route(state after the update))`.
    Routers read only keys that an update replaces (never the `history`, `feedback`
    or `timings` reducers), so the state after the update is the state and the update
    merged.
    """

    def run(state: AgentState, *, runtime: Ctx) -> AgentState | Command[str]:
        ctx = runtime.context
        if ctx.cancel.cancelled:
            raise RunStopped(ctx.cancel.reason or "stopped", step_no=state.get("step_no", 0))
        ctx.graph_steps += 1
        logged = ctx.log_seconds
        started = time.perf_counter()
        update = node(state, runtime=runtime)
        writing = ctx.log_seconds - logged
        spent = time.perf_counter() - started - writing
        update = {**update, "timings": {phase: spent, "logging": writing}}
        if route is None:
            return update
        return Command(update=update, goto=route({**state, **update}))

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


def after_verify(state: AgentState) -> Literal["finish", "wait", "replan", "perceive"]:
    """Observe for the next step, wait for a person, replan, or finish (cameras failed)."""
    if state.get("outcome") is not None:
        return "finish"
    if state.get("waiting"):
        return "wait"
    return "replan" if state.get("replan") is not None else "perceive"


def after_wait(state: AgentState) -> Literal["finish", "perceive"]:
    """Look again once the person has gone; finish when the wait ran out."""
    return "finish" if state.get("outcome") is not None else "perceive"


def after_replan(state: AgentState) -> Literal["finish", "perceive"]:
    """Look again and plan, or finish when the bounds are spent."""
    return "finish" if state.get("outcome") is not None else "perceive"


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> Graph:
    """The compiled agent graph, checkpointing to `checkpointer` when given.

    The graph is compiled once per process (about 40 ms, a run's worth of steps'
    orchestration) and copied with each run's checkpointer.
    """
    graph = _compiled()
    return graph if checkpointer is None else graph.copy({"checkpointer": checkpointer})


ROUTES: dict[str, Router] = {
    "perceive": after_perceive,
    "plan": after_plan,
    "clarify": after_clarify,
    "critique": after_critique,
    "approve": after_approve,
    "act": after_act,
    "verify": after_verify,
    "wait": after_wait,
    "replan": after_replan,
}
"""Node -> its router; the other nodes have one fixed successor (`EDGES`)."""

EDGES: dict[str, str] = {"finish": END}


def destinations(router: Router) -> tuple[str, ...]:
    """The nodes a router can send to, from its `Literal` return type."""
    return typing.get_args(typing.get_type_hints(router)["return"])


@functools.cache
def _compiled() -> Graph:
    graph = StateGraph(AgentState, context_schema=RunContext)
    for name, (node, phase) in NODES.items():
        route = ROUTES.get(name)
        ends = destinations(route) if route is not None else None
        graph.add_node(name, timed(node, phase, route), destinations=ends)
    graph.add_edge(START, "perceive")
    for source, target in EDGES.items():
        graph.add_edge(source, target)
    return graph.compile()
