"""The append-only step-log writer.

Each `append` writes one canonical JSON line, flushes it to the OS and rewrites the tree
head in place (`HeadFile`), so a killed process loses at most the record it was writing
and leaves the head at most one record behind, which reopening repairs. With the default
`durability="record"` every record, frame and head is also fsynced before it returns.
With `durability="motion"` (what the agent uses, one fsync per step) the log is fsynced
at the barrier that matters, before the robot moves (`skill_start` or `look`), which
makes everything before it durable too: the goal, the plan, a person's approval of the
step, the previous step's outcome. Frames are fsynced on a background thread as they
are stored (`FrameStore`), waited for on close, and the log and the head are fsynced on
close. A power cut can then lose the records after the last barrier, and frames not yet
synced (`steward audit verify` names any that are missing). Reopening a run checks the
tail against the tree head and continues the sequence; bytes a killed writer left after
the last newline are moved to a side file and noted in a `recovery` record.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, Self

import structlog

from embodiments.base import Frame
from safety.steplog.canonical import CanonicalJsonError, canonical_bytes, sha256_hex
from safety.steplog.errors import (
    FrameError,
    RecordError,
    RunLockedError,
    StepLogCorruptError,
)
from safety.steplog.frames import FrameStore
from safety.steplog.merkle import MerkleAccumulator
from safety.steplog.parse import LogEntry, ParsedLog, parse_log, read_head
from safety.steplog.records import (
    GENESIS_HASH,
    SCHEMA_VERSION,
    FrameRef,
    RecordBody,
    RecoveryRecord,
    SkillEndRecord,
    TreeHead,
    make_record,
)
from safety.steplog.storage import (
    HeadFile,
    RunPaths,
    check_run_id,
    fsync_dir,
    new_run_id,
    write_atomic,
)

Clock = Callable[[], datetime]
Durability = Literal["record", "motion"]
BARRIER_KINDS = frozenset({"skill_start", "look", "recovery"})
"""Records fsynced in "motion" durability: before motion (a skill or a closer look), and
a repair. The goal and an approval are not: nothing happens on them until the next
motion or the run's end, and both make them durable (an fsync costs 0.3-0.8 ms on the
benchmark VM, and an approval was followed by its skill's fsync right after)."""

_log = structlog.get_logger("steward.steplog")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _corrupt(paths: RunPaths, what: str) -> StepLogCorruptError:
    msg = (
        f"cannot continue run {paths.run_id!r}: {what}. Run `steward audit verify "
        f"{paths.run_id}` to see what changed, and record into a new run."
    )
    return StepLogCorruptError(msg)


def _ended_skills(parsed: ParsedLog) -> dict[int, SkillEndRecord]:
    """Step number -> the skill end that finished it; a cancelled or stopped skill did not."""
    ended: dict[int, SkillEndRecord] = {}
    for entry in parsed.entries:
        body = entry.record.body
        if isinstance(body, SkillEndRecord) and body.status in ("succeeded", "failed"):
            ended[body.step] = body
    return ended


def _check_tail(paths: RunPaths, parsed: ParsedLog) -> bool:
    """Validate the last record against the tree head; True if the head is one behind."""
    lines = parsed.lines
    if not lines:
        return False
    last = lines[-1]
    if last.entry is None:
        if parsed.looks_foreign:
            raise _corrupt(paths, f"{paths.log} is not a Steward step log")
        raise _corrupt(paths, f"its last line ({last.number}) is {last.problem}: {last.detail}")
    if last.entry.record.run_id != paths.run_id or last.entry.seq != len(lines) - 1:
        raise _corrupt(paths, f"line {last.number} is not record {len(lines) - 1} of this run")
    head = read_head(paths.head)
    if isinstance(head, str):
        raise _corrupt(paths, head)
    size = 0 if head is None else head.size
    # A writer killed between the record and the head leaves the head one record behind.
    behind = size == len(lines) - 1
    if not behind and size != len(lines):
        raise _corrupt(paths, f"the tree head names {size} records but the log has {len(lines)}")
    if head is not None:
        covered = lines[size - 1].leaf.hex() if size else GENESIS_HASH
        if head.last_hash != covered or head.run_id != paths.run_id:
            raise _corrupt(paths, f"the tree head does not match record {size - 1}")
    return behind


class StepLog:
    """Append-only, hash-chained, Merkle-rooted log of one run.

    Use `StepLog.open(root_dir, run_id)`; one process writes a run at a time (an
    exclusive lock on the log file enforces it). Frames go in with `put_frames` before
    the record that references them.
    """

    def __init__(
        self,
        paths: RunPaths,
        handle: IO[bytes],
        leaves: Sequence[bytes],
        clock: Clock,
        durability: Durability = "record",
    ) -> None:
        self.paths = paths
        self.durability = durability
        self.frames = FrameStore(paths.frames, durable=durability == "record")
        self.recovery: RecoveryRecord | None = None
        """What reopening found and repaired, if anything."""
        self.ended_before: dict[int, SkillEndRecord] = {}
        """Steps whose skill had finished (succeeded or failed) when the log was reopened."""
        self._fh = handle
        self._head = HeadFile(paths.head)
        self._clock = clock
        self._tree = MerkleAccumulator(leaves)
        self._last_hash = leaves[-1].hex() if leaves else GENESIS_HASH

    @classmethod
    def open(
        cls,
        root_dir: Path,
        run_id: str | None = None,
        *,
        clock: Clock = _utc_now,
        durability: Durability = "record",
    ) -> Self:
        """Create the run `run_id` (a new id if None) under `root_dir`, or continue it."""
        paths = RunPaths(root_dir, check_run_id(run_id or new_run_id()))
        paths.directory.mkdir(parents=True, exist_ok=True)
        handle = paths.log.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            msg = f"run {paths.run_id!r} is open for writing in another process"
            raise RunLockedError(msg) from None
        log: Self | None = None
        try:
            parsed = parse_log(paths.log)
            head_behind = _check_tail(paths, parsed)
            log = cls(paths, handle, parsed.leaves, clock, durability)
            log.ended_before = _ended_skills(parsed)
            if parsed.fragment or head_behind:
                log.recovery = log._recover(parsed, head_behind)
        except BaseException:
            if log is not None:
                log._head.close()
            handle.close()
            raise
        return log

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.paths.run_id

    @property
    def size(self) -> int:
        """Number of records in the log."""
        return self._tree.size

    @property
    def root_hash(self) -> str:
        """Merkle root over every record so far, hex."""
        return self._tree.root().hex()

    def put_frames(self, frames: Mapping[str, Frame]) -> tuple[FrameRef, ...]:
        """Store camera frames (each once) and return references for a record."""
        return self.frames.put_all(frames)

    def append(self, body: RecordBody) -> LogEntry:
        """Write one record durably and return it with its sequence number and hash."""
        if self._fh.closed:
            raise RecordError(f"run {self.run_id!r} is closed; reopen it with StepLog.open")
        for ref in body.frame_refs():
            if not self.frames.holds(ref.sha256):
                msg = f"frame {ref.sha256} ({ref.camera}) is not in the store; put_frames first"
                raise FrameError(msg)
        record = make_record(
            run_id=self.run_id,
            seq=self.size,
            time=self._clock(),
            prev_hash=self._last_hash,
            body=body,
        )
        try:
            raw = canonical_bytes(record.model_dump(mode="json"))
        except CanonicalJsonError as exc:
            raise RecordError(f"{body.kind} record has no canonical form: {exc}") from None
        self._fh.write(raw + b"\n")
        self._fh.flush()
        every = self.durability == "record"
        barrier = every or body.kind in BARRIER_KINDS
        if barrier:
            os.fsync(self._fh.fileno())
        entry = LogEntry(record, raw)
        self._tree.append(bytes.fromhex(entry.hash))
        self._last_hash = entry.hash
        # After every record: a kill leaves the head at most one record behind, which
        # reopening repairs.
        self._write_head(durable=every)
        return entry

    def close(self) -> None:
        """Make everything durable and release the run; later appends raise."""
        if self._fh.closed:
            return
        try:
            self.frames.sync()
        finally:  # a frame that failed to sync still leaves the log durable and released
            os.fsync(self._fh.fileno())
            self._write_head(durable=True)
            self._head.close()
            self._fh.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _write_head(self, *, durable: bool = True) -> None:
        head = TreeHead(
            schema_version=SCHEMA_VERSION,
            run_id=self.run_id,
            size=self.size,
            root_hash=self.root_hash,
            last_hash=self._last_hash,
            time=self._clock(),
        )
        self._head.write(canonical_bytes(head.model_dump(mode="json")), durable=durable)

    def _recover(self, parsed: ParsedLog, head_behind: bool) -> RecoveryRecord:
        """Set aside a killed writer's partial line, repair the head, and say so in the log."""
        fragment_file: str | None = None
        if parsed.fragment:
            side = self.paths.directory / f"steplog.fragment-{parsed.fragment_offset}.bin"
            write_atomic(side, parsed.fragment)
            os.truncate(self.paths.log, parsed.fragment_offset)
            os.fsync(self._fh.fileno())
            fsync_dir(self.paths.directory)
            fragment_file = side.name
        if head_behind:
            self._write_head()
        body = RecoveryRecord(
            fragment_bytes=len(parsed.fragment),
            fragment_sha256=sha256_hex(parsed.fragment) if parsed.fragment else None,
            fragment_file=fragment_file,
            head_repaired=head_behind,
            note="the previous writer stopped mid-record; earlier records are intact",
        )
        _log.warning(
            "steplog.recovered",
            run_id=self.run_id,
            fragment_bytes=body.fragment_bytes,
            fragment_file=fragment_file,
            head_repaired=head_behind,
        )
        self.append(body)
        return body
