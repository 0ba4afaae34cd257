"""Durable run state: LangGraph checkpoints in SQLite, restricted to the agent's own types.

A checkpoint is saved after every super-step (`durability="async"`; `agent.graph` says
which nodes share one): in a background thread, one at a time and in order, while the
next super-step runs. A process killed at any point resumes after the last saved one; a
kill can beat the newest save, and then the super-step after the saved one runs again
from its first node. Observing, perceiving, critiquing and verifying only read the
world; a skill that had finished is not run again (the act node finds its end in the
step log, which is fsynced before motion). Deserialisation only rebuilds the state's own
classes (an allowlist), never arbitrary callables.

`ChannelSqliteSaver` stores each channel's value once per version, as LangGraph's
in-memory and Postgres savers do, where the stock `SqliteSaver` serialises the whole
state into every checkpoint: the run's config, its plan and the growing step history
were packed again after each node although a node changes two or three keys, so a run's
database grew with the square of its steps. It also saves a checkpoint in one
transaction, and does not save a finished node's update as a pending write as well: the
checkpoint right after the node holds it. Measured on the agent's graph with no-op nodes
(40 steps, this 2-core VM): the database is 1.2 MB instead of 2.3, and with the saves in
the background, as the agent runs them, the loop takes a fifth to a quarter less time
per node than with the stock saver (0.42 ms against 0.55, 0.17 with no checkpointer, on
the VM of 2026-12-07; 0.75, 0.93 and 0.33 on a slower one; `python
benchmarks/overhead_floor.py`). The remainder is the saving thread's Python taking the
GIL, and LangGraph's own bookkeeping for a checkpointed graph.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Durability

from agent.state import STATE_TYPES
from safety.verdict import Decision, Severity

ALLOWED_TYPES: tuple[type, ...] = (*STATE_TYPES, Decision, Severity)

_BLOBS_TABLE = """
CREATE TABLE IF NOT EXISTS channel_blobs (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    version TEXT NOT NULL,
    type TEXT NOT NULL,
    blob BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
)
"""
_PUT_BLOB = (
    "INSERT OR REPLACE INTO channel_blobs (thread_id, checkpoint_ns, channel, version, type, "
    "blob) VALUES (?, ?, ?, ?, ?, ?)"
)
_PUT_CHECKPOINT = (
    "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
    "parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_EMPTY = "empty"  # a channel with a version but no value (LangGraph's in-memory saver's tag)


def serializer() -> JsonPlusSerializer:
    """A serializer that rebuilds only the agent state's classes."""
    allowed = [(t.__module__, t.__name__) for t in ALLOWED_TYPES]
    return JsonPlusSerializer(allowed_msgpack_modules=allowed)


class ChannelSqliteSaver(SqliteSaver):
    """`SqliteSaver` that writes a channel's value only when its version changes.

    A checkpoint row keeps the versions of every channel and no values; the values sit
    in `channel_blobs`, one row per (channel, version). Reading a checkpoint joins them
    back. Rows written by the stock saver (values inline) still read as before.
    """

    def setup(self) -> None:
        """The stock tables, and the one for channel values."""
        if self.is_setup:
            return
        super().setup()
        self.conn.execute(_BLOBS_TABLE)
        self.conn.commit()

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Save the checkpoint's versions and the values of the channels that changed.

        One transaction: a kill leaves either the whole checkpoint or none of it.
        """
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        namespace = configurable["checkpoint_ns"]
        values = checkpoint["channel_values"]
        dumps = self.serde.dumps_typed
        rows = [
            (thread_id, namespace, channel, str(version))
            + (dumps(values[channel]) if channel in values else (_EMPTY, b""))
            for channel, version in new_versions.items()
        ]
        kind, blob = dumps({**checkpoint, "channel_values": {}})
        meta = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False)
        with self.cursor() as cur:
            cur.executemany(_PUT_BLOB, rows)
            cur.execute(
                _PUT_CHECKPOINT,
                (
                    thread_id,
                    namespace,
                    checkpoint["id"],
                    configurable.get("checkpoint_id"),
                    kind,
                    blob,
                    meta.encode("utf-8", "ignore"),
                ),
            )
        return {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": namespace,
                "checkpoint_id": checkpoint["id"],
            }
        }

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Save a task's interrupt, resume answer or error; skip a finished node's update.

        Every super-step of the agent runs one node, and the checkpoint saved right after
        it holds its update: storing the update as a pending write too would serialise
        and commit it twice. A kill between the node's end and that checkpoint runs the
        node again on resume (with the person's answer, if it had one), as a kill during
        the node does.
        """
        special = [(channel, value) for channel, value in writes if channel in WRITES_IDX_MAP]
        if special:
            super().put_writes(config, special, task_id, task_path)

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint `config` names (or the thread's latest), values joined back."""
        found = super().get_tuple(config)
        if found is None:
            return None
        with self.cursor(transaction=False) as cur:
            return self._with_values(found, cur)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first, values joined back (see `SqliteSaver.list`)."""
        # The stock generator holds the saver's lock between items: read on a cursor of
        # our own rather than taking the lock again.
        with closing(self.conn.cursor()) as cur:
            for found in super().list(config, filter=filter, before=before, limit=limit):
                yield self._with_values(found, cur)

    def delete_thread(self, thread_id: str) -> None:
        """Delete the thread's checkpoints, writes and channel values."""
        super().delete_thread(thread_id)
        with self.cursor() as cur:
            cur.execute("DELETE FROM channel_blobs WHERE thread_id = ?", (str(thread_id),))

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """The generic walk over `get_tuple` (the stock fast path reads values inline)."""
        return BaseCheckpointSaver.get_delta_channel_history(self, config=config, channels=channels)

    def _with_values(self, found: CheckpointTuple, cur: sqlite3.Cursor) -> CheckpointTuple:
        versions = found.checkpoint["channel_versions"]
        if not versions:
            return found
        wanted = ",".join("(?, ?)" for _ in versions)
        params: list[str] = [p for item in versions.items() for p in (item[0], str(item[1]))]
        cur.execute(
            f"WITH wanted(channel, version) AS (VALUES {wanted}) "  # noqa: S608 - only placeholders
            "SELECT b.channel, b.type, b.blob FROM channel_blobs b JOIN wanted w "
            "ON b.channel = w.channel AND b.version = w.version "
            "WHERE b.thread_id = ? AND b.checkpoint_ns = ?",
            (*params, found.config["configurable"]["thread_id"], _namespace(found.config)),
        )
        values = dict(found.checkpoint["channel_values"])  # inline: the stock saver's rows
        for channel, kind, blob in cur.fetchall():
            if kind != _EMPTY:
                values[channel] = self.serde.loads_typed((kind, blob))
        found.checkpoint["channel_values"] = values
        return found


def _namespace(config: RunnableConfig) -> str:
    return str(config["configurable"].get("checkpoint_ns", ""))


def open_checkpointer(path: Path) -> ChannelSqliteSaver:
    """The SQLite checkpointer at `path` (created with its directory when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    # WAL with synchronous=NORMAL: a commit reaches the OS before the next node runs, so
    # a killed process resumes from it; only a power cut can lose the last few commits.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = ChannelSqliteSaver(conn, serde=serializer())
    saver.setup()
    return saver


def close_checkpointer(saver: BaseCheckpointSaver[str]) -> None:
    """Close the saver's database connection (an in-memory saver has none)."""
    if isinstance(saver, SqliteSaver):
        saver.conn.close()


@dataclass(frozen=True)
class Saving:
    """How a run saves its state: a checkpointer opened at the state database, and when.

    The agent saves to SQLite after every super-step, in the background (durability "async"),
    and `release`s the checkpointer when the run ends; benchmarks swap in others to
    measure what that costs, and a process running goal after goal keeps the database
    open between them (`KeptOpen`).
    """

    open: Callable[[Path], BaseCheckpointSaver[str]] = open_checkpointer
    durability: Durability = "async"
    release: Callable[[BaseCheckpointSaver[str]], None] = close_checkpointer


class KeptOpen:
    """State databases kept open from one run to the next, for a process that runs many.

    Opening the database and closing it (SQLite then folds its write-ahead log back into
    the file) was most of the 1.1 ms per step of graph time outside LangGraph's own work
    on the benchmark VM (`benchmarks/results/overhead_gaps.md`). Runs in one process
    follow one another, so they can share a connection; `close` closes every database
    at the end. Use `saving()` as the runs' `Overrides.saving`.
    """

    def __init__(
        self, open_db: Callable[[Path], BaseCheckpointSaver[str]] = open_checkpointer
    ) -> None:
        self._open_db = open_db
        self._open: dict[Path, BaseCheckpointSaver[str]] = {}

    def open(self, path: Path) -> BaseCheckpointSaver[str]:
        """The checkpointer at `path`, opened on first use."""
        key = path.resolve()
        if key not in self._open:
            self._open[key] = self._open_db(path)
        return self._open[key]

    def saving(self, durability: Durability = "async") -> Saving:
        """Saving through these databases, which stay open after each run."""
        return Saving(open=self.open, durability=durability, release=_keep_open)

    def close(self) -> None:
        """Close every database opened so far."""
        for saver in self._open.values():
            close_checkpointer(saver)
        self._open.clear()


def _keep_open(saver: BaseCheckpointSaver[str]) -> None:
    del saver  # `KeptOpen.close` closes it
