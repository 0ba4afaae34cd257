"""Inclusion proofs: show that one record is in a run without handing over the whole log."""

from __future__ import annotations

from pathlib import Path

from safety.steplog.errors import StepLogCorruptError
from safety.steplog.merkle import InclusionProof, inclusion_path, root_hash
from safety.steplog.parse import parse_log
from safety.steplog.storage import find_run


def prove_record(root: Path, run_id: str, seq: int) -> tuple[bytes, InclusionProof]:
    """The stored bytes of record `seq` and its proof against the root of the whole log."""
    paths = find_run(root, run_id)
    parsed = parse_log(paths.log)
    if not 0 <= seq < len(parsed.lines):
        msg = f"run {run_id!r} has records 0 to {len(parsed.lines) - 1}; there is no seq {seq}"
        raise StepLogCorruptError(msg)
    line = parsed.lines[seq]
    if line.seq != seq:
        msg = f"line {line.number} holds seq {line.seq}, not {seq}; run `steward audit verify`"
        raise StepLogCorruptError(msg)
    leaves = parsed.leaves
    proof = InclusionProof(
        seq=seq,
        tree_size=len(leaves),
        leaf_hash=leaves[seq].hex(),
        path=tuple(p.hex() for p in inclusion_path(seq, leaves)),
        root_hash=root_hash(leaves).hex(),
    )
    return line.raw, proof
