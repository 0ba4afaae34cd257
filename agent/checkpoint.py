"""Durable run state: LangGraph checkpoints in SQLite, restricted to the agent's own types.

A checkpoint is saved after every node (`durability="async"`): in a background thread,
one at a time and in order, while the next node runs. A process killed at any point
resumes at the last saved node; a kill can beat the newest save, and then the node after
the saved one runs again. Observing, perceiving, critiquing and verifying only read the
world; a skill that had finished is not run again (the act node finds its end in the
step log, which is fsynced before motion). Deserialisation only rebuilds the state's own
classes (an allowlist), never arbitrary callables.

`ChannelSqliteSaver` stores each channel's value once per version, as LangGraph's
in-memory and Postgres savers do, where the stock `SqliteSaver` serialises the whole
state into every checkpoint: the run's config, its plan and the growing step history
were packed again after each node although a node changes two or three keys, so a run's
database grew with the square of its steps. Measured on the agent's graph with no-op
nodes (40 steps, this 2-core VM): saves on the loop's path (durability "sync") take 1.06
ms per node instead of 1.43, and the database is 1.2 MB instead of 2.3. With the saves in
the background, as the agent runs them, the loop's time is about the same with either
saver (0.9-1.0 ms per node against 0.35 with no checkpointer; `python
benchmarks/overhead_floor.py`): that remainder is the background thread's Python taking
the GIL, and LangGraph's own bookkeeping for a checkpointed graph.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

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
        """Save the checkpoint's versions, and the values of the channels that changed."""
        thread_id = str(config["configurable"]["thread_id"])
        namespace = config["configurable"]["checkpoint_ns"]
        values = checkpoint["channel_values"]
        rows = []
        for channel, version in new_versions.items():
            kind, blob = (
                self.serde.dumps_typed(values[channel]) if channel in values else (_EMPTY, b"")
            )
            rows.append((thread_id, namespace, channel, str(version), kind, blob))
        # Committed before the checkpoint row that cites these versions: a kill between
        # the two leaves values that no checkpoint reads, never a checkpoint without them.
        with self.cursor() as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO channel_blobs (thread_id, checkpoint_ns, channel, "
                "version, type, blob) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        return super().put(config, {**checkpoint, "channel_values": {}}, metadata, new_versions)

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
