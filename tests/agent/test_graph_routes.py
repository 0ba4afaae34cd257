"""The graph's wiring: every route names a node, and nodes route on the updated state."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from langgraph.graph import END
from langgraph.types import Command

from agent.graph import EDGES, NODES, ROUTES, destinations, super_step, super_step_ends, timed
from agent.state import AgentState, FeedbackNote, Replan, StepOutcome
from planner.types import Plan, Step


def test_every_route_ends_at_a_node_and_every_node_is_reached() -> None:
    targets = {t for router in ROUTES.values() for t in destinations(router)}
    targets |= set(EDGES.values())
    assert targets <= {*NODES, END}
    assert set(NODES) - {"perceive"} <= targets  # perceive is START's successor
    assert set(ROUTES) | set(EDGES) == set(NODES)


def _runtime() -> Any:
    """The slice of LangGraph's `Runtime` that the super-steps read."""
    return SimpleNamespace(
        context=SimpleNamespace(
            cancel=SimpleNamespace(cancelled=False), log_seconds=0.0, graph_steps=0, progress=None
        )
    )


PLAN = Plan(goal="g", steps=(Step(skill="open", arguments={"target": "microwave"}),) * 2)


def _node(name: str, update: AgentState, seen: list[tuple[str, AgentState]]) -> Any:
    def run(state: AgentState, *, runtime: object) -> AgentState:
        del runtime
        seen.append((name, state))
        return update

    run.__name__ = name
    return run


def _fake_nodes(
    monkeypatch: pytest.MonkeyPatch, updates: dict[str, AgentState]
) -> list[tuple[str, AgentState]]:
    """Replace the named nodes with ones returning `updates`; what each saw, in order."""
    seen: list[tuple[str, AgentState]] = []
    for name, update in updates.items():
        monkeypatch.setitem(NODES, name, (_node(name, update, seen), NODES[name][1]))
    return seen


def test_a_step_is_one_super_step_from_act_to_the_next_critique(monkeypatch) -> None:
    done = StepOutcome(step_no=1, step=PLAN.steps[0], decision="allow", verified=True)
    note = FeedbackNote(source="critic", message="fine")
    seen = _fake_nodes(
        monkeypatch,
        {
            "act": {"acted": done},
            "verify": {"acted": None, "cursor": 1, "history": [done]},
            "perceive": {"history": [done]},
            "critique": {"feedback": [note]},
        },
    )
    state: AgentState = {"goal": "g", "plan": PLAN, "cursor": 0, "history": [], "feedback": []}
    runtime = _runtime()
    result = super_step("act")(state, runtime=runtime)
    assert isinstance(result, Command)
    assert result.goto == "act"  # the next step moves the robot: a super-step of its own
    assert [name for name, _ in seen] == ["act", "verify", "perceive", "critique"]
    assert seen[2][1]["cursor"] == 1  # each node sees the updates before it
    assert seen[3][1]["history"] == [done, done]  # reducers applied, as LangGraph would
    assert result.update["history"] == [done, done]  # one update with every node's part
    assert result.update["feedback"] == [note]
    assert set(result.update["timings"]) == {
        "skill",
        "verification",
        "perception",
        "critic",
        "logging",
    }
    assert runtime.context.graph_steps == 4


def test_a_failed_skill_is_replanned_and_judged_before_the_next_motion(monkeypatch) -> None:
    replan = Replan(trigger="skill_failed", reason="the door stuck")
    seen = _fake_nodes(
        monkeypatch,
        {
            "act": {"replan": replan},
            "replan": {"replan": None, "plan": None},
            "perceive": {},
            "plan": {"plan": PLAN, "cursor": 0},
            "critique": {},
        },
    )
    state: AgentState = {"goal": "g", "plan": PLAN, "cursor": 0}
    result = super_step("act")(state, runtime=_runtime())
    assert isinstance(result, Command)
    assert result.goto == "act"
    assert [name for name, _ in seen] == ["act", "replan", "perceive", "plan", "critique"]


def test_a_loop_among_inline_nodes_is_named(monkeypatch) -> None:
    replan = Replan(trigger="scene_changed", reason="again")
    _fake_nodes(monkeypatch, {"perceive": {"replan": replan}, "replan": {}})
    with pytest.raises(RuntimeError, match="nodes ran inline after 'perceive'"):
        super_step("perceive")({"goal": "g"}, runtime=_runtime())


def test_a_super_step_ends_where_a_node_must_start_its_own() -> None:
    everything = tuple(sorted({"act", "approve", "clarify", "wait", END}))
    assert super_step_ends("act") == everything
    assert super_step_ends("perceive") == tuple(sorted({"act", "approve", "clarify", END}))
    assert super_step_ends("approve") == tuple(sorted({"act", "wait", END}))


def test_an_unrouted_node_returns_its_update_with_timings() -> None:
    def done(state: AgentState, *, runtime: object) -> AgentState:
        del state, runtime
        return {"cursor": 3}

    update = timed(done, "orchestration")({}, runtime=_runtime())
    assert update["cursor"] == 3
    assert set(update["timings"]) == {"orchestration", "logging"}
