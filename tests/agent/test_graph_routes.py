"""The graph's wiring: every route names a node, and nodes route on the updated state."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from langgraph.graph import END
from langgraph.types import Command

from agent.graph import EDGES, NODES, ROUTES, after_act, destinations, timed
from agent.state import AgentState, Replan


def test_every_route_ends_at_a_node_and_every_node_is_reached() -> None:
    targets = {t for router in ROUTES.values() for t in destinations(router)}
    targets |= set(EDGES.values())
    assert targets <= {*NODES, END}
    assert set(NODES) - {"perceive"} <= targets  # perceive is START's successor
    assert set(ROUTES) | set(EDGES) == set(NODES)


def _runtime() -> Any:
    """The slice of LangGraph's `Runtime` that `timed` reads."""
    return SimpleNamespace(
        context=SimpleNamespace(
            cancel=SimpleNamespace(cancelled=False),
            log_seconds=0.0,
            graph_steps=0,
        )
    )


def test_a_routed_node_goes_where_its_router_sends_the_updated_state() -> None:
    replan = Replan(trigger="skill_failed", reason="the door stuck")

    def failing(state: AgentState, *, runtime: object) -> AgentState:
        del state, runtime
        return {"replan": replan}

    def fine(state: AgentState, *, runtime: object) -> AgentState:
        del state, runtime
        return {}

    state: AgentState = {"goal": "open the microwave"}
    after_fail = timed(failing, "skill", after_act)(state, runtime=_runtime())
    after_fine = timed(fine, "skill", after_act)(state, runtime=_runtime())
    assert isinstance(after_fail, Command)
    assert after_fail.goto == "replan"
    assert after_fail.update["replan"] == replan
    assert set(after_fail.update["timings"]) == {"skill", "logging"}
    assert isinstance(after_fine, Command)
    assert after_fine.goto == "verify"


def test_an_unrouted_node_returns_its_update_with_timings() -> None:
    def done(state: AgentState, *, runtime: object) -> AgentState:
        del state, runtime
        return {"cursor": 3}

    update = timed(done, "orchestration")({}, runtime=_runtime())
    assert isinstance(update, dict)
    assert update["cursor"] == 3
    assert set(update["timings"]) == {"orchestration", "logging"}
