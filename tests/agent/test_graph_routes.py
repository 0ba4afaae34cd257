"""The graph's wiring: every route names a node, and nodes route on the updated state."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from langgraph.graph import END
from langgraph.types import Command

from agent.graph import (
    EDGES,
    NODES,
    REDUCERS,
    ROUTES,
    Inline,
    after_act,
    applied,
    build_graph,
    destinations,
    timed,
)
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
            answer_seconds=0.0,
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


def test_a_node_runs_its_inline_follower_in_the_same_super_step() -> None:
    step = Replan(trigger="scene_changed", reason="the door closed again")

    def checked(state: AgentState, *, runtime: object) -> AgentState:
        del state, runtime
        return {"cursor": 1, "timings": {}, "feedback": []}

    def looked(state: AgentState, *, runtime: object) -> AgentState:
        del runtime
        assert state["cursor"] == 1  # the follower sees the first node's update
        return {"replan": step}

    follower = Inline("look", looked, "perception", lambda s: "replan" if s.get("replan") else "x")
    command = timed(checked, "verification", lambda _: "look", follower)({}, runtime=_runtime())
    assert isinstance(command, Command)
    assert command.goto == "replan"
    assert command.update["cursor"] == 1
    assert command.update["replan"] == step
    assert set(command.update["timings"]) == {"verification", "perception", "logging"}


def test_a_node_whose_router_goes_elsewhere_leaves_its_follower_alone() -> None:
    def looked(state: AgentState, *, runtime: object) -> AgentState:
        raise AssertionError("the follower must not run")

    follower = Inline("look", looked, "perception", lambda _: "x")
    command = timed(lambda s, runtime: {}, "verification", lambda _: "wait", follower)(
        {}, runtime=_runtime()
    )
    assert isinstance(command, Command)
    assert command.goto == "wait"
    assert set(command.update["timings"]) == {"verification", "logging"}


def test_updates_apply_as_langgraph_applies_them() -> None:
    state: AgentState = {"cursor": 0, "timings": {"skill": 1.0}, "feedback": []}
    update: AgentState = {"cursor": 1, "timings": {"skill": 0.5, "critic": 0.1}}
    after = applied(state, update)
    assert after["cursor"] == 1
    assert after["timings"] == {"skill": 1.5, "critic": 0.1}
    assert after["feedback"] == []
    assert set(REDUCERS) == {"history", "feedback", "timings"}


def test_verify_hands_over_to_what_perceive_picks_never_to_perceive() -> None:
    edges = {(e.source, e.target) for e in build_graph().get_graph().edges}
    after_verify = {target for source, target in edges if source == "verify"}
    assert "perceive" not in after_verify
    assert {"critique", "plan", "replan", "finish", "wait"} <= after_verify
