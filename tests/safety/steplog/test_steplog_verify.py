"""Each kind of tampering is detected, and the finding names the record or frame."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rfc8785

from safety.steplog.errors import RunNotFoundError
from safety.steplog.findings import FindingKind as K
from safety.steplog.findings import Severity, VerifyReport
from safety.steplog.merkle import leaf_hash, root_hash
from safety.steplog.storage import RunPaths
from safety.steplog.testing import write_demo_run
from safety.steplog.verify import verify_paths, verify_run


def only_error(report: VerifyReport) -> tuple[K, int | None, int | None, str | None]:
    """The single error finding, as (kind, seq, line, frame)."""
    assert len(report.errors) == 1, report.errors
    f = report.errors[0]
    return f.kind, f.seq, f.line, f.frame


def index_of(lines: list[bytes], needle: bytes) -> int:
    return next(i for i, line in enumerate(lines) if needle in line)


def test_the_untouched_demo_run_passes_strictly(demo: RunPaths) -> None:
    report = verify_paths(demo)
    assert report.passed(strict=True), report.findings
    assert (report.records, report.frames) == (28, 8)


def test_an_edited_record_is_named(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    i = index_of(lines, b'"deny"')
    lines[i] = lines[i].replace(b'"deny"', b'"allow"')
    log_file.write(lines)
    assert only_error(verify_paths(demo)) == (K.EDITED, i, i + 1, None)


def test_an_edited_last_record_is_caught_by_the_tree_head(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    lines[-1] = lines[-1].replace(b"kettle heating", b"kettle cold")
    log_file.write(lines)
    assert only_error(verify_paths(demo)) == (K.EDITED, 27, 28, None)


def test_a_reformatted_record_is_named(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    lines[3] = json.dumps(json.loads(lines[3])).encode()
    log_file.write(lines)
    kind, seq, _, _ = only_error(verify_paths(demo))
    assert (kind, seq) == (K.EDITED, 3)


@pytest.mark.parametrize("seq", [0, 7, 12])
def test_a_deleted_record_is_named(demo: RunPaths, log_file, seq: int) -> None:
    lines = log_file.read()
    log_file.write(lines[:seq] + lines[seq + 1 :])
    assert only_error(verify_paths(demo)) == (K.DELETED, seq, seq + 1, None)


def test_records_deleted_from_the_end_are_caught_by_the_tree_head(demo: RunPaths, log_file) -> None:
    log_file.write(log_file.read()[:-3])
    report = verify_paths(demo)
    assert only_error(report)[:2] == (K.DELETED, 25)
    assert "seq 25 to 27" in report.errors[0].message


def test_a_duplicated_record_is_named_as_inserted(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    log_file.write([*lines[:5], lines[4], *lines[5:]])
    assert only_error(verify_paths(demo)) == (K.INSERTED, 4, 5, None)


def test_a_forged_record_with_a_valid_prev_hash_is_named_as_inserted(
    demo: RunPaths, log_file
) -> None:
    lines = log_file.read()
    forged = json.loads(lines[index_of(lines, b'"approval"')])
    forged["prev_hash"], forged["seq"] = leaf_hash(lines[5]).hex(), 6
    forged["body"]["approver"] = "mallory"
    log_file.write([*lines[:6], rfc8785.dumps(forged), *lines[6:]])
    assert only_error(verify_paths(demo)) == (K.INSERTED, 6, 7, None)


def test_swapped_records_are_named_as_reordered(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    lines[3], lines[4] = lines[4], lines[3]
    log_file.write(lines)
    assert only_error(verify_paths(demo)) == (K.REORDERED, 3, 5, None)


def test_a_moved_record_is_named_as_reordered(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    log_file.write(lines[:2] + lines[3:] + [lines[2]])
    assert only_error(verify_paths(demo)) == (K.REORDERED, 2, 28, None)


def test_a_corrupted_line_is_named(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    lines[8] = b"\x00\xffnot json"
    log_file.write(lines)
    assert only_error(verify_paths(demo)) == (K.CORRUPTED, None, 9, None)


def test_a_record_from_another_run_is_named(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    other = json.loads(lines[4])
    other["run_id"] = "another-run"
    lines[4] = rfc8785.dumps(other)
    log_file.write(lines)
    assert verify_paths(demo).errors[0].kind is K.FOREIGN


def test_a_missing_frame_is_named(demo: RunPaths) -> None:
    victim = sorted(demo.frames.iterdir())[0]
    victim.unlink()
    kind, seq, _, frame = only_error(verify_paths(demo))
    assert (kind, frame) == (K.MISSING_FRAME, victim.stem)
    assert seq is not None


def test_an_altered_frame_is_named(demo: RunPaths) -> None:
    victim = sorted(demo.frames.iterdir())[1]
    data = bytearray(victim.read_bytes())
    data[-20] ^= 0x01
    victim.write_bytes(bytes(data))
    assert only_error(verify_paths(demo))[::3] == (K.ALTERED_FRAME, victim.stem)


def test_a_consistent_rewrite_is_caught_by_a_root_kept_elsewhere(
    demo: RunPaths, tmp_path: Path
) -> None:
    """Someone who rewrites log and head together still cannot match the published root."""
    kept = verify_paths(demo).root_hash
    forged_root = tmp_path / "forged"
    write_demo_run(forged_root, "demo", finish=False)  # a whole new, self-consistent run
    shutil.rmtree(demo.directory)
    shutil.copytree(forged_root / "demo", demo.directory)
    assert verify_paths(demo).passed()
    report = verify_paths(demo, expected_root=kept)
    assert only_error(report)[0] is K.ROOT_MISMATCH


def test_a_root_taken_earlier_still_matches_a_longer_log(demo: RunPaths, log_file) -> None:
    early = root_hash([leaf_hash(line) for line in log_file.read()[:10]]).hex()
    report = verify_paths(demo, expected_root=early)
    assert report.passed()
    assert not report.passed(strict=True)
    assert "first 10 records" in report.warnings[0].message


@pytest.mark.parametrize(
    ("content", "kind", "words"),
    [
        (b"", K.EMPTY, "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", K.FOREIGN, "not a Steward step log"),
        (b'{"name": "something else"}\n[1, 2]\n', K.FOREIGN, "not a Steward step log"),
        (b"id,goal\n1,tea\n", K.FOREIGN, "not a Steward step log"),
        (b"PK\x03\x04 a zip", K.FOREIGN, "not a Steward step log"),
    ],
)
def test_bad_files_give_one_clear_finding(
    demo: RunPaths, content: bytes, kind: K, words: str
) -> None:
    demo.log.write_bytes(content)
    report = verify_paths(demo)
    assert only_error(report)[0] is kind
    assert words in report.errors[0].message


@pytest.mark.parametrize(
    ("action", "words"),
    [("delete", "head.json is missing"), ("garble", "head.json is not valid JSON")],
)
def test_a_missing_or_garbled_head_is_reported(demo: RunPaths, action: str, words: str) -> None:
    if action == "delete":
        demo.head.unlink()
    else:
        demo.head.write_bytes(b"{not json")
    report = verify_paths(demo)
    assert only_error(report)[0] is K.HEAD
    assert words in report.errors[0].message


def test_a_cut_last_record_of_a_finished_run_is_an_error(demo: RunPaths, log_file) -> None:
    """The head names the cut record, so this is not a killed writer (see the writer tests)."""
    lines = log_file.read()
    demo.log.write_bytes(b"".join(x + b"\n" for x in lines[:-1]) + lines[-1][:30])
    report = verify_paths(demo)
    assert only_error(report)[:2] == (K.DELETED, 27)
    assert {f.kind for f in report.warnings} >= {K.TRUNCATED, K.INCOMPLETE}
    assert all(f.severity is Severity.WARNING for f in report.of_kind(K.TRUNCATED))


def test_an_unknown_run_names_the_runs_that_exist(demo: RunPaths) -> None:
    with pytest.raises(RunNotFoundError, match=r"no run 'dem' under .*Did you mean demo"):
        verify_run(demo.root, "dem")


def test_an_empty_or_missing_log_dir_is_explained(tmp_path: Path) -> None:
    with pytest.raises(RunNotFoundError, match="there are no runs there"):
        verify_run(tmp_path, "demo")
    with pytest.raises(RunNotFoundError, match="does not exist; pass --log-dir"):
        verify_run(tmp_path / "nowhere", "demo")
    (tmp_path / "not-a-run").mkdir()
    with pytest.raises(RunNotFoundError, match="not a Steward run directory"):
        verify_run(tmp_path, "not-a-run")
