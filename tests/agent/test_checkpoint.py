"""The checkpointer stores each channel's value once per version and reads runs back whole."""

from __future__ import annotations

import operator
import sqlite3
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from agent.checkpoint import ChannelSqliteSaver, KeptOpen, Saving, open_checkpointer, serializer

NODES = 12


class _State(TypedDict, total=False):
    n: int
    config: str  # set once, like the agent's RunConfig
    history: Annotated[list[int], operator.add]


def _graph(saver: SqliteSaver) -> Any:
    def work(state: _State) -> Command[str]:
        n = state.get("n", 0) + 1
        return Command(update={"n": n, "history": [n]}, goto=END if n >= NODES else "work")

    graph = StateGraph(_State)
    graph.add_node("work", work, destinations=("work", END))
    graph.add_edge(START, "work")
    return graph.compile(checkpointer=saver)


def _thread(name: str) -> Any:
    return {"configurable": {"thread_id": name}}


def _run(saver: SqliteSaver, name: str) -> None:
    for _ in _graph(saver).stream({"config": "x" * 1000}, _thread(name), durability="sync"):
        pass


def _stock(path: Path) -> SqliteSaver:
    saver = SqliteSaver(sqlite3.connect(str(path), check_same_thread=False), serde=serializer())
    saver.setup()
    return saver


@pytest.fixture
def saver(tmp_path: Path) -> Any:
    opened = open_checkpointer(tmp_path / "state.db")
    yield opened
    opened.conn.close()


def test_the_state_reads_back_whole_at_the_end_and_at_every_checkpoint(
    saver: ChannelSqliteSaver,
) -> None:
    _run(saver, "t1")
    state = _graph(saver).get_state(_thread("t1")).values
    assert state == {"n": NODES, "config": "x" * 1000, "history": list(range(1, NODES + 1))}
    history = list(_graph(saver).get_state_history(_thread("t1")))
    assert [s.values.get("n") for s in history[:3]] == [NODES, NODES - 1, NODES - 2]
    assert all(s.values.get("config") == "x" * 1000 for s in history[:-1])  # not the input's


def test_a_value_is_stored_once_per_version_not_in_every_checkpoint(
    saver: ChannelSqliteSaver,
) -> None:
    _run(saver, "t1")
    rows = dict(
        saver.conn.execute(
            "SELECT channel, COUNT(*) FROM channel_blobs WHERE thread_id = 't1' GROUP BY channel"
        ).fetchall()
    )
    assert rows["config"] == 1  # written once, by the input
    assert rows["n"] == NODES
    (inline,) = saver.conn.execute("SELECT MAX(LENGTH(checkpoint)) FROM checkpoints").fetchone()
    assert inline < 1000  # the checkpoint rows hold versions, not the 1 KB config


def test_checkpoints_the_stock_saver_wrote_still_read(tmp_path: Path) -> None:
    stock = _stock(tmp_path / "state.db")
    _run(stock, "old")
    stock.conn.close()
    reader = open_checkpointer(tmp_path / "state.db")
    try:
        state = _graph(reader).get_state(_thread("old")).values
    finally:
        reader.conn.close()
    assert state["n"] == NODES
    assert state["history"] == list(range(1, NODES + 1))


def test_deleting_a_thread_deletes_its_values(saver: ChannelSqliteSaver) -> None:
    _run(saver, "t1")
    _run(saver, "t2")
    saver.delete_thread("t1")
    threads = {t for (t,) in saver.conn.execute("SELECT DISTINCT thread_id FROM channel_blobs")}
    assert threads == {"t2"}
    assert _graph(saver).get_state(_thread("t1")).values == {}
    assert _graph(saver).get_state(_thread("t2")).values["n"] == NODES


def test_a_nodes_update_is_saved_once_and_an_interrupt_as_a_pending_write(
    saver: ChannelSqliteSaver,
) -> None:
    """The checkpoint after a node holds its update; only interrupts (and resume answers,
    errors) are pending writes, which a resumed stream needs to answer the node."""

    def ask(state: _State) -> _State:
        answer = interrupt("how many?")
        return {"n": int(answer), "history": [int(answer)]}

    graph = StateGraph(_State)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    graph.add_edge("ask", END)
    compiled = graph.compile(checkpointer=saver)
    for _ in compiled.stream({"n": 0}, _thread("t1"), durability="async"):
        pass
    pending = saver.conn.execute("SELECT channel FROM writes").fetchall()
    assert pending == [("__interrupt__",)]
    for _ in compiled.stream(Command(resume="7"), _thread("t1"), durability="async"):
        pass
    assert compiled.get_state(_thread("t1")).values == {"n": 7, "history": [7]}
    channels = {c for (c,) in saver.conn.execute("SELECT channel FROM writes")}
    assert channels == {"__interrupt__", "__resume__"}  # not the node's update


def test_kept_open_databases_serve_run_after_run_until_closed(tmp_path: Path) -> None:
    kept = KeptOpen()
    saving = kept.saving()
    first = saving.open(tmp_path / "state.db")
    _run(first, "t1")
    saving.release(first)
    second = saving.open(tmp_path / "." / "state.db")
    assert second is first  # the same connection, still open after the first run
    _run(second, "t2")
    assert _graph(second).get_state(_thread("t1")).values["n"] == NODES
    kept.close()
    with pytest.raises(sqlite3.ProgrammingError):
        first.conn.execute("SELECT 1")
    assert kept.open(tmp_path / "state.db") is not first  # reopened after close
    kept.close()


def test_the_default_saving_closes_the_database_after_each_run(tmp_path: Path) -> None:
    saving = Saving()
    saver = saving.open(tmp_path / "state.db")
    saving.release(saver)
    with pytest.raises(sqlite3.ProgrammingError):
        saver.conn.execute("SELECT 1")
