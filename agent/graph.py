"""The agent's graph: topology only. Nodes live in `agent.nodes`, one module each.

    START -> perceive -> plan -> critique -> act -> verify -> perceive ...
                |          |         |          |        |
                |        clarify   approve      |        |
                +----------+---------+----------+--------+-> replan -> perceive
                           every node with an outcome -> finish -> END

`perceive` observes first (frames, proprioception, a simulator snapshot), then estimates
the scene from the frames; right after a verified step it uses the frames verify took,
since nothing has moved since.

**Super-steps.** LangGraph checkpoints the state after every super-step, and one costs
0.6-0.7 ms of scheduling and saving on the 2-core VM of the benchmarks. Only the nodes
that change the world or need a person start a super-step of their own: `act` (the
robot moves), `approve` and `clarify` (a person answers), `wait` (the robot holds still
for someone). The others (`INLINE`: perceive, plan, critique, verify, replan, finish)
only look, think or keep books, and run inside the super-step of the node before them.
So a run starts with one super-step (perceive, plan, critique the first step), each
step of the plan is one more (act, then verify, perceive and critique the next step),
and the state is saved before the robot moves and before a person is asked. A run
killed mid-super-step resumes at its first node and runs the inline ones again (a plan
too: nothing has moved on it yet), as it would any node cut short; `act` finds a skill
that had ended in the step log and does not run it again.

Each node is timed under its phase in `timings`, with step-log writes counted
separately as "logging", so a run reports where its time went. The node's router (the
`after_*` functions, pure functions of state) says where to go next; the super-step
returns `Command(goto=...)` to the first node that is not inline (LangGraph's
conditional edges would rebuild the whole state for the router after every node).
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
from agent.state import AgentState, applied, combined
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

INLINE: frozenset[str] = frozenset({"perceive", "plan", "critique", "verify", "replan", "finish"})
"""Nodes that run inside the super-step of the node before them (see the module doc)."""

MAX_INLINE = 500
"""Nodes one super-step may run before it is taken for a loop in the routes: far above
what the run's bounds allow (at most 20 replans of a few nodes each without a step)."""


def timed(node: Node, phase: str) -> Node:
    """The node, adding its time to `timings[phase]` and its log writes to "logging".

    It also counts the node run (`graph_steps`) and stops a cancelled run before the
    node starts.
    """

    def run(state: AgentState, *, runtime: Ctx) -> AgentState:
        ctx = runtime.context
        if ctx.cancel.cancelled:
            raise RunStopped(ctx.cancel.reason or "stopped", step_no=state.get("step_no", 0))
        ctx.graph_steps += 1
        logged = ctx.log_seconds
        started = time.perf_counter()
        update = node(state, runtime=runtime)
        writing = ctx.log_seconds - logged
        spent = time.perf_counter() - started - writing
        return {**update, "timings": {phase: spent, "logging": writing}}

    run.__name__ = node.__name__
    run.__doc__ = node.__doc__
    return run


def successor(name: str, state: AgentState) -> str:
    """The node after `name` (or END), from the state with its update applied."""
    route = ROUTES.get(name)
    return route(state) if route is not None else EDGES[name]


def super_step(first: str) -> Callable[..., Command[str]]:
    """Run `first`, then the inline nodes its routes lead to, as one LangGraph super-step.

    Each node sees the state with the updates before it applied (reducers included);
    LangGraph gets their combined update and the first node that is not inline.
    """

    def run(state: AgentState, *, runtime: Ctx) -> Command[str]:
        update: AgentState = {}
        name = first
        for _ in range(MAX_INLINE):
            node, phase = NODES[name]
            part = timed(node, phase)(state, runtime=runtime)
            if runtime.context.progress is not None:
                runtime.context.progress(name, part)
            update, state = combined(update, part), applied(state, part)
            name = successor(name, state)
            if name not in INLINE:
                return Command(update=update, goto=name)
        msg = (
            f"{MAX_INLINE} nodes ran inline after {first!r} without a checkpoint; check the routes"
        )
        raise RuntimeError(msg)

    run.__name__ = first
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


def next_nodes(name: str) -> tuple[str, ...]:
    """Every node (or END) a node can hand over to directly."""
    route = ROUTES.get(name)
    return destinations(route) if route is not None else (EDGES[name],)


def super_step_ends(first: str) -> tuple[str, ...]:
    """Where a super-step starting at `first` can go: the first nodes not inline on the way."""
    ends: set[str] = set()
    seen = {first}
    todo = [first]
    while todo:
        for target in next_nodes(todo.pop()):
            if target not in INLINE:
                ends.add(target)
            elif target not in seen:
                seen.add(target)
                todo.append(target)
    return tuple(sorted(ends))


@functools.cache
def _compiled() -> Graph:
    graph = StateGraph(AgentState, context_schema=RunContext)
    for name in NODES:
        graph.add_node(name, super_step(name), destinations=super_step_ends(name))
    graph.add_edge(START, "perceive")
    return graph.compile()
