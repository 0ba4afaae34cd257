"""Reading a step log from disk, line by line, without trusting any of it.

Every complete line becomes a `LogLine`: its bytes, its RFC 6962 leaf hash, the record
if it validates, and otherwise what is wrong with it. Bytes after the last newline are
the fragment a killed writer left behind. Nothing here raises for bad content; the
verifier, the reader and the writer each decide what a problem means for them.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from safety.steplog.canonical import CanonicalJsonError, is_canonical, parse_strict
from safety.steplog.merkle import leaf_hash
from safety.steplog.records import SCHEMA_VERSION, StoredRecord, TreeHead

RECORD_PREFIX = b'{"body":'
"""How every canonical record line begins."""


class LineProblem(enum.StrEnum):
    """Why a line is not a valid record."""

    CORRUPTED = "corrupted"
    FOREIGN = "foreign"
    WRONG_VERSION = "wrong_version"
    NOT_CANONICAL = "not_canonical"
    SCHEMA = "schema"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A record together with the exact bytes it was stored as."""

    record: StoredRecord
    raw: bytes

    @property
    def seq(self) -> int:
        """The record's sequence number."""
        return self.record.seq

    @property
    def hash(self) -> str:
        """RFC 6962 leaf hash of the stored bytes, hex; the next record's `prev_hash`."""
        return leaf_hash(self.raw).hex()


@dataclass(frozen=True, slots=True)
class LogLine:
    """One complete line of a log file, valid or not."""

    number: int
    offset: int
    raw: bytes
    entry: LogEntry | None = None
    problem: LineProblem | None = None
    detail: str = ""
    seq: int | None = None
    prev_hash: str | None = None

    @property
    def leaf(self) -> bytes:
        """RFC 6962 leaf hash of the line's bytes."""
        return leaf_hash(self.raw)


@dataclass(frozen=True)
class ParsedLog:
    """Every line of a log file, and the incomplete tail after the last newline."""

    path: Path
    lines: list[LogLine] = field(default_factory=list)
    fragment: bytes = b""
    fragment_offset: int = 0

    @property
    def entries(self) -> list[LogEntry]:
        """The lines that are valid records, in file order."""
        return [line.entry for line in self.lines if line.entry is not None]

    @cached_property
    def leaves(self) -> list[bytes]:
        """Leaf hashes of every complete line, in file order."""
        return [line.leaf for line in self.lines]

    @property
    def looks_foreign(self) -> bool:
        """No line at all is a Steward record: the file is something else."""
        if not self.lines:
            # Canonical records start with their first key in sorted order, "body".
            head = self.fragment[: len(RECORD_PREFIX)]
            return bool(self.fragment) and not RECORD_PREFIX.startswith(head)
        return all(
            line.problem in (LineProblem.CORRUPTED, LineProblem.FOREIGN) for line in self.lines
        )


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(record)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"


def parse_line(number: int, offset: int, raw: bytes) -> LogLine:
    """Classify one line's bytes (without its newline)."""
    try:
        obj = parse_strict(raw)
    except CanonicalJsonError as exc:
        return LogLine(number, offset, raw, problem=LineProblem.CORRUPTED, detail=str(exc))
    if not isinstance(obj, dict) or "schema_version" not in obj:
        what = "a JSON object" if isinstance(obj, dict) else f"a JSON {type(obj).__name__}"
        detail = f"{what} without schema_version: not a Steward record"
        return LogLine(number, offset, raw, problem=LineProblem.FOREIGN, detail=detail)
    seq, prev = obj.get("seq"), obj.get("prev_hash")
    bad = functools.partial(
        LogLine,
        number,
        offset,
        raw,
        seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        prev_hash=prev if isinstance(prev, str) else None,
    )
    if obj["schema_version"] != SCHEMA_VERSION:
        detail = f"schema_version {obj['schema_version']!r}; this reader knows {SCHEMA_VERSION!r}"
        return bad(problem=LineProblem.WRONG_VERSION, detail=detail)
    if not is_canonical(raw, obj):
        detail = "its bytes are not canonical JSON (RFC 8785)"
        return bad(problem=LineProblem.NOT_CANONICAL, detail=detail)
    try:
        record = StoredRecord.model_validate(obj)
    except ValidationError as exc:
        return bad(problem=LineProblem.SCHEMA, detail=_first_error(exc))
    return bad(entry=LogEntry(record, raw))


def parse_log(path: Path) -> ParsedLog:
    """Read and classify every line of the log at `path` (which must exist)."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    lines: list[LogLine] = []
    offset = 0
    for number, raw in enumerate(data[:end].split(b"\n")[:-1], start=1):
        lines.append(parse_line(number, offset, raw))
        offset += len(raw) + 1
    return ParsedLog(path, lines, fragment=data[end:], fragment_offset=end)


def read_head(path: Path) -> TreeHead | str | None:
    """The tree head at `path`; None if absent; a sentence saying what is wrong if invalid."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if not data.strip():  # created, and the writer was killed before its first write
        return None
    try:
        return TreeHead.model_validate(parse_strict(data))
    except CanonicalJsonError as exc:
        return f"{path.name} is not valid JSON ({exc})"
    except ValidationError as exc:
        return f"{path.name} is not a tree head ({_first_error(exc)})"
