"""What a verification found: typed findings that name the record or frame and the fault."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FindingKind(enum.StrEnum):
    """What is wrong."""

    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    CORRUPTED = "corrupted"
    FOREIGN = "foreign"
    SCHEMA = "schema"
    EMPTY = "empty"
    HEAD = "head"
    ROOT_MISMATCH = "root_mismatch"
    UNANCHORED = "unanchored"
    MISSING_FRAME = "missing_frame"
    ALTERED_FRAME = "altered_frame"
    UNREFERENCED_FRAME = "unreferenced_frame"
    INCOMPLETE = "incomplete"


class Severity(enum.StrEnum):
    """`error`: the log cannot be trusted as it is. `warning`: worth knowing, not tampering."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem, with the record (`seq`, file `line`) or `frame` it concerns."""

    kind: FindingKind
    severity: Severity
    message: str
    seq: int | None = None
    line: int | None = None
    frame: str | None = None

    @property
    def where(self) -> str:
        """A short location: record, line or frame."""
        parts = []
        if self.seq is not None:
            parts.append(f"seq {self.seq}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.frame is not None:
            parts.append(f"frame {self.frame[:12]}")
        return ", ".join(parts) or "run"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyReport:
    """The result of verifying one run."""

    run_id: str
    records: int
    root_hash: str
    frames: int
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that mean the log was changed or damaged."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings worth a reviewer's attention that are not tampering."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def passed(self, *, strict: bool = False) -> bool:
        """No errors (and, if `strict`, no warnings either)."""
        return not (self.findings if strict else self.errors)

    def of_kind(self, kind: FindingKind) -> tuple[Finding, ...]:
        """Findings of one kind."""
        return tuple(f for f in self.findings if f.kind is kind)
