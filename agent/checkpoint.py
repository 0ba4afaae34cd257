"""Durable run state: LangGraph checkpoints in SQLite, restricted to the agent's own types.

A checkpoint is saved after every node (`durability="async"`): in a background thread,
one at a time and in order, while the next node runs, which takes the save off the
loop's path (about 1.5 ms per node on 2 cores). A process killed at any point resumes at
the last saved node; a kill can beat the newest save, and then the node after the saved
one runs again. Observing, perceiving, critiquing and verifying only read the world; a
skill that had finished is not run again (the act node finds its end in the step log,
which is fsynced before motion). Deserialisation only rebuilds the state's own classes
(an allowlist), never arbitrary callables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.state import STATE_TYPES
from safety.verdict import Decision, Severity

ALLOWED_TYPES: tuple[type, ...] = (*STATE_TYPES, Decision, Severity)


def serializer() -> JsonPlusSerializer:
    """A serializer that rebuilds only the agent state's classes."""
    allowed = [(t.__module__, t.__name__) for t in ALLOWED_TYPES]
    return JsonPlusSerializer(allowed_msgpack_modules=allowed)


def open_checkpointer(path: Path) -> SqliteSaver:
    """The SQLite checkpointer at `path` (created with its directory when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    # WAL with synchronous=NORMAL: a commit reaches the OS before the next node runs, so
    # a killed process resumes from it; only a power cut can lose the last few commits.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn, serde=serializer())
    saver.setup()
    return saver
