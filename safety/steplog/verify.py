"""Verify a run: find every edited, deleted, inserted or reordered record and bad frame.

Checks, in order: each line on its own (JSON, canonical form, schema, run id); the hash
chain (`prev_hash`), which says which record was edited, deleted, inserted or moved; the
tree head, which catches records removed from the end; the Merkle root (against the head
and, if given, a root the reviewer kept elsewhere); every referenced frame's SHA-256.
Bad content never raises: it becomes a `Finding`.
"""

from __future__ import annotations

from pathlib import Path

from safety.steplog.findings import Finding, FindingKind, Severity, VerifyReport
from safety.steplog.frames import FrameState, FrameStore
from safety.steplog.merkle import MerkleAccumulator, root_hash
from safety.steplog.parse import LineProblem, LogLine, ParsedLog, parse_log, read_head
from safety.steplog.records import GENESIS_HASH, OutcomeRecord, TreeHead
from safety.steplog.storage import HEAD_FILE, RunPaths, find_run

K, ERROR, WARNING = FindingKind, Severity.ERROR, Severity.WARNING

_LINE_KINDS: dict[LineProblem, tuple[FindingKind, str]] = {
    LineProblem.CORRUPTED: (K.CORRUPTED, "is not valid JSON"),
    LineProblem.FOREIGN: (K.CORRUPTED, "is not a Steward record"),
    LineProblem.WRONG_VERSION: (K.SCHEMA, "has a schema version this verifier does not know"),
    LineProblem.NOT_CANONICAL: (K.EDITED, "was rewritten"),
    LineProblem.SCHEMA: (K.SCHEMA, "does not match the record schema (edited?)"),
}


class _Findings:
    """Collects findings, at most one per line for the line's own integrity."""

    def __init__(self, lines: list[LogLine]) -> None:
        self.lines = lines
        self.items: list[Finding] = []
        self.flagged: set[int] = set()

    def at(self, i: int, kind: FindingKind, message: str, severity: Severity = ERROR) -> None:
        """A finding about line index `i` (0-based)."""
        if i in self.flagged:
            return
        self.flagged.add(i)
        line = self.lines[i]
        self.items.append(
            Finding(kind=kind, severity=severity, message=message, seq=line.seq, line=line.number)
        )

    def add(
        self,
        kind: FindingKind,
        message: str,
        severity: Severity = ERROR,
        *,
        seq: int | None = None,
        line: int | None = None,
        frame: str | None = None,
    ) -> None:
        """A finding about the run, a frame, or a range of records."""
        self.items.append(
            Finding(kind=kind, severity=severity, message=message, seq=seq, line=line, frame=frame)
        )

    @property
    def has_errors(self) -> bool:
        """Whether any error was found so far."""
        return any(f.severity is ERROR for f in self.items)


def _label(line: LogLine) -> str:
    return (
        f"record seq {line.seq} (line {line.number})"
        if line.seq is not None
        else f"line {line.number}"
    )


def _check_lines(paths: RunPaths, parsed: ParsedLog, found: _Findings) -> None:
    for i, line in enumerate(parsed.lines):
        if line.problem is not None:
            kind, what = _LINE_KINDS[line.problem]
            found.at(i, kind, f"{_label(line)} {what}: {line.detail}")
        elif line.entry is not None and line.entry.record.run_id != paths.run_id:
            other = line.entry.record.run_id
            found.at(
                i, K.FOREIGN, f"{_label(line)} belongs to run {other!r}: copied in from another log"
            )
    if parsed.fragment:
        n = len(parsed.lines) + 1
        msg = (
            f"line {n} is incomplete ({len(parsed.fragment)} bytes, no newline): the writer "
            "stopped mid-record; reopening the run sets these bytes aside"
        )
        found.add(K.TRUNCATED, msg, WARNING, line=n)


def _pure_reorder(lines: list[LogLine]) -> bool:
    """Every record is present once and the chain holds when sorted by seq."""
    if any(line.problem or line.seq is None for line in lines):
        return False
    by_seq = sorted(lines, key=lambda line: line.seq or 0)
    if [line.seq for line in by_seq] != list(range(len(lines))):
        return False
    expected = [GENESIS_HASH] + [line.leaf.hex() for line in by_seq[:-1]]
    return [line.prev_hash for line in by_seq] == expected


def _report_reorder(lines: list[LogLine], found: _Findings) -> None:
    highest = -1
    for i, line in enumerate(lines):
        seq = line.seq or 0
        if seq < highest:
            found.at(
                i, K.REORDERED, f"{_label(line)} was moved: it stands after record seq {highest}"
            )
        highest = max(highest, seq)


def _bypassed(pred: list[int | None]) -> list[int]:
    """Lines the chain skips over that no record follows from: inserted lines."""
    pointed = {p for p in pred if p is not None}
    skipped: set[int] = set()
    for i, p in enumerate(pred):
        if p is not None and p < i - 1:
            skipped.update(j for j in range(p + 1, i) if j not in pointed)
    return sorted(skipped)


def _dangling(lines: list[LogLine], i: int, found: _Findings) -> None:
    """Line i's prev_hash matches no record: something before it was edited or deleted."""
    line = lines[i]
    if i > 0 and i - 1 in found.flagged:
        return  # the break is explained by the previous line's own finding
    prev_seq = lines[i - 1].seq if i > 0 else -1
    seq = line.seq or 0
    if prev_seq is None:
        return
    if seq > prev_seq + 1:
        gap = f"seq {prev_seq + 1}" if seq == prev_seq + 2 else f"seq {prev_seq + 1} to {seq - 1}"
        found.add(
            K.DELETED,
            f"record {gap} deleted: missing before {_label(line)}",
            seq=prev_seq + 1,
            line=line.number,
        )
    elif seq <= prev_seq:
        found.at(
            i,
            K.INSERTED,
            f"{_label(line)} was inserted: its seq repeats or goes back, "
            "and its prev_hash matches no record",
        )
    elif i == 0:
        found.at(i, K.EDITED, f"{_label(line)} was edited: the first record must follow no other")
    else:
        found.at(
            i - 1,
            K.EDITED,
            f"{_label(lines[i - 1])} was edited: its hash no longer "
            f"matches the prev_hash of {_label(line)}",
        )


def _check_chain(parsed: ParsedLog, found: _Findings) -> None:
    lines = parsed.lines
    if _pure_reorder(lines):
        _report_reorder(lines, found)
        return
    index = {line.leaf.hex(): i for i, line in enumerate(lines)}
    pred = [index.get(line.prev_hash or "") for line in lines]
    for j in _bypassed(pred):
        found.at(j, K.INSERTED, f"{_label(lines[j])} was inserted: no record follows from it")
    for i, line in enumerate(lines):
        if line.seq is None or i in found.flagged:
            continue
        expected = lines[i - 1].leaf.hex() if i else GENESIS_HASH
        p = pred[i]
        if line.prev_hash == expected:
            prev_seq = lines[i - 1].seq if i else -1
            if prev_seq is not None and line.seq != prev_seq + 1:
                found.at(i, K.EDITED, f"{_label(line)} was edited: seq should be {prev_seq + 1}")
        elif p is not None and p > i:
            found.at(
                i,
                K.REORDERED,
                f"{_label(line)} was moved: it stands before the record "
                f"it follows, {_label(lines[p])}",
            )
        elif p is None:
            _dangling(lines, i, found)


def _check_head(paths: RunPaths, lines: list[LogLine], found: _Findings) -> TreeHead | None:
    head = read_head(paths.head)
    if isinstance(head, str):
        found.add(K.HEAD, f"{head}: records removed from the end cannot be ruled out")
        return None
    if head is None:
        if len(lines) <= 1:
            msg = f"{HEAD_FILE} is missing: the writer stopped before writing it"
            found.add(K.UNANCHORED, msg, WARNING)
        else:
            msg = f"{HEAD_FILE} is missing (deleted?): cannot rule out records cut from the end"
            found.add(K.HEAD, msg)
        return None
    if head.run_id != paths.run_id:
        found.add(K.HEAD, f"{HEAD_FILE} belongs to run {head.run_id!r}, not {paths.run_id!r}")
        return None
    _compare_head(head, lines, found)
    return head


def _compare_head(head: TreeHead, lines: list[LogLine], found: _Findings) -> None:
    """Compare the head with the record of highest seq (the last one, unless lines moved)."""
    known = [i for i, line in enumerate(lines) if line.seq is not None]
    top = max(known, key=lambda i: lines[i].seq or 0, default=None)
    top_seq = -1 if top is None else lines[top].seq or 0
    if head.size > top_seq + 1:
        gap = f"seq {top_seq + 1}" + (f" to {head.size - 1}" if head.size > top_seq + 2 else "")
        msg = f"record {gap} deleted from the end: the tree head names {head.size} records"
        found.add(K.DELETED, msg, seq=top_seq + 1)
    elif top is None:
        return
    elif head.size == top_seq + 1 and head.last_hash != lines[top].leaf.hex():
        msg = f"{_label(lines[top])} was edited: its hash differs from the tree head's"
        found.at(top, K.EDITED, msg)
    elif head.size == top_seq and not found.has_errors:
        msg = (
            f"{_label(lines[top])} is not covered by the tree head: the writer stopped between "
            "the record and the head (reopening the run repairs this)"
        )
        found.at(top, K.UNANCHORED, msg, WARNING)
    elif head.size < top_seq:
        msg = (
            f"records seq {head.size} to {top_seq} were appended after the tree head was "
            f"written (it names {head.size})"
        )
        found.add(K.INSERTED, msg, seq=head.size)


def _check_root(
    leaves: list[bytes], head: TreeHead | None, expected: str | None, found: _Findings
) -> None:
    if (
        head is not None
        and head.size <= len(leaves)
        and not found.has_errors
        and root_hash(leaves[: head.size]).hex() != head.root_hash
    ):
        msg = f"the Merkle root of the first {head.size} records differs from the tree head's"
        found.add(K.ROOT_MISMATCH, msg)
    if expected is None:
        return
    tree, sizes = MerkleAccumulator(), {}
    for leaf in leaves:
        tree.append(leaf)
        sizes[tree.root().hex()] = tree.size
    size = sizes.get(expected.lower())
    if size is None:
        found.add(
            K.ROOT_MISMATCH,
            f"no prefix of the log has the root you gave ({expected[:16]}...): "
            "the log changed after that root was taken",
        )
    elif size < len(leaves):
        found.add(
            K.ROOT_MISMATCH,
            f"the root you gave covers the first {size} records; "
            f"{len(leaves) - size} were added after it was taken",
            WARNING,
        )


def _check_frames(paths: RunPaths, parsed: ParsedLog, found: _Findings) -> int:
    store = FrameStore(paths.frames)
    first_use: dict[str, int] = {}
    for entry in parsed.entries:
        for ref in entry.record.body.frame_refs():
            first_use.setdefault(ref.sha256, entry.seq)
    for sha, seq in first_use.items():
        state = store.check(sha)
        if state is FrameState.MISSING:
            found.add(
                K.MISSING_FRAME,
                f"frame {sha} (first referenced by record seq {seq}) is missing",
                frame=sha,
                seq=seq,
            )
        elif state is FrameState.ALTERED:
            found.add(
                K.ALTERED_FRAME,
                f"frame {sha} (first referenced by record seq {seq}) was altered: "
                "its bytes no longer hash to its name",
                frame=sha,
                seq=seq,
            )
    for name in store.names():
        if name not in first_use:
            found.add(
                K.UNREFERENCED_FRAME,
                f"frame file {name}.png is referenced by no record",
                WARNING,
                frame=name,
            )
    return len(first_use)


def verify_paths(paths: RunPaths, *, expected_root: str | None = None) -> VerifyReport:
    """Verify the run at `paths`; never raises for bad content."""
    parsed = parse_log(paths.log)
    found = _Findings(parsed.lines)
    frames = 0
    if not parsed.lines and not parsed.fragment:
        found.add(K.EMPTY, f"{paths.log} is empty: the run recorded nothing")
    elif parsed.looks_foreign:
        first = parsed.lines[0].detail if parsed.lines else "no complete line"
        found.add(
            K.FOREIGN,
            f"{paths.log} is not a Steward step log (line 1: {first}); "
            "check the path: step logs are written by the agent",
            line=1,
        )
    else:
        _check_lines(paths, parsed, found)
        _check_chain(parsed, found)
        head = _check_head(paths, parsed.lines, found)
        _check_root(parsed.leaves, head, expected_root, found)
        frames = _check_frames(paths, parsed, found)
        if not any(isinstance(e.record.body, OutcomeRecord) for e in parsed.entries):
            found.add(
                K.INCOMPLETE,
                "the run has no outcome record: it stopped early or is still running",
                WARNING,
            )
    ordered = sorted(found.items, key=lambda f: (f.line or 1 << 30, f.seq or 0))
    return VerifyReport(
        run_id=paths.run_id,
        records=len(parsed.lines),
        root_hash=root_hash(parsed.leaves).hex(),
        frames=frames,
        findings=tuple(ordered),
    )


def verify_run(root: Path, run_id: str, *, expected_root: str | None = None) -> VerifyReport:
    """Verify the run `run_id` under the log root; RunNotFoundError if there is none."""
    return verify_paths(find_run(root, run_id), expected_root=expected_root)
