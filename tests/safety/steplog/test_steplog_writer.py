"""The writer appends durably, chains and roots every record, and resumes after a crash."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from safety.steplog import frames
from safety.steplog.errors import FrameError, RecordError, RunLockedError, StepLogCorruptError
from safety.steplog.frames import decode_png, encode_png
from safety.steplog.merkle import root_hash
from safety.steplog.parse import parse_log, read_head
from safety.steplog.records import (
    GENESIS_HASH,
    FrameRef,
    GoalRecord,
    LookRecord,
    LookResultRecord,
    OutcomeRecord,
    RecoveryRecord,
    VerificationRecord,
)
from safety.steplog.storage import HeadFile, RunPaths
from safety.steplog.verify import verify_paths
from safety.steplog.writer import StepLog


def test_append_chains_each_record_to_the_previous(tmp_path: Path) -> None:
    with StepLog.open(tmp_path, "r1") as log:
        first = log.append(GoalRecord(text="make tea"))
        second = log.append(OutcomeRecord(status="done"))
        assert (first.seq, second.seq) == (0, 1)
        assert first.record.prev_hash == GENESIS_HASH
        assert second.record.prev_hash == first.hash
        leaves = [bytes.fromhex(first.hash), bytes.fromhex(second.hash)]
        assert log.root_hash == root_hash(leaves).hex()
    head = json.loads((tmp_path / "r1" / "head.json").read_text())
    assert (head["size"], head["root_hash"], head["last_hash"]) == (2, log.root_hash, second.hash)


def test_reopening_continues_the_sequence(tmp_path: Path) -> None:
    with StepLog.open(tmp_path, "r1") as log:
        log.append(GoalRecord(text="a"))
    with StepLog.open(tmp_path, "r1") as log:
        assert log.recovery is None
        assert log.append(OutcomeRecord(status="done")).seq == 1
    assert verify_paths(RunPaths(tmp_path, "r1")).passed(strict=True)


def test_a_partial_line_from_a_killed_writer_is_recovered(tmp_path: Path) -> None:
    with StepLog.open(tmp_path, "r1") as log:
        for i in range(5):
            log.append(GoalRecord(text=f"goal {i}"))
    paths = RunPaths(tmp_path, "r1")
    with paths.log.open("ab") as fh:
        fh.write(b'{"body":{"kind":"goal","te')
    assert verify_paths(paths).passed()  # a warning, not tampering
    with StepLog.open(tmp_path, "r1") as log:
        assert isinstance(log.recovery, RecoveryRecord)
        assert log.recovery.fragment_bytes == 26
        side = paths.directory / str(log.recovery.fragment_file)
        assert side.read_bytes() == b'{"body":{"kind":"goal","te'
        log.append(OutcomeRecord(status="stopped", reason="killed"))
    entries = parse_log(paths.log).entries
    assert [e.seq for e in entries] == list(range(7))
    assert entries[5].record.body.kind == "recovery"
    assert verify_paths(paths).passed(strict=True)


def test_a_head_one_record_behind_is_repaired(tmp_path: Path) -> None:
    """Killed between the record and the head: reopening rewrites the head and says so."""
    with StepLog.open(tmp_path, "r1") as log:
        log.append(GoalRecord(text="a"))
        old_head = log.paths.head.read_bytes()
        log.append(GoalRecord(text="b"))
    paths = RunPaths(tmp_path, "r1")
    paths.head.write_bytes(old_head)
    report = verify_paths(paths)
    assert report.passed()
    assert [f.kind.value for f in report.warnings] == [
        "unanchored",
        "incomplete",
    ]
    with StepLog.open(tmp_path, "r1") as log:
        assert log.recovery is not None
        assert log.recovery.head_repaired
    assert verify_paths(paths).passed()


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    with StepLog.open(tmp_path, "r1"), pytest.raises(RunLockedError, match="another process"):
        StepLog.open(tmp_path, "r1")


def test_a_tampered_tail_is_not_continued(demo: RunPaths, log_file) -> None:
    lines = log_file.read()
    log_file.write([*lines[:-1], lines[-1].replace(b"done", b"fine")])
    with pytest.raises(StepLogCorruptError, match="steward audit verify demo"):
        StepLog.open(demo.root, demo.run_id)


def test_a_foreign_file_is_not_continued(tmp_path: Path) -> None:
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "steplog.jsonl").write_bytes(b"hello,world\n1,2\n")
    with pytest.raises(StepLogCorruptError, match="is not a Steward step log"):
        StepLog.open(tmp_path, "r1")


def test_appending_after_close_is_refused(tmp_path: Path) -> None:
    log = StepLog.open(tmp_path, "r1")
    log.close()
    with pytest.raises(RecordError, match="is closed"):
        log.append(GoalRecord(text="late"))


def test_frames_are_stored_once_by_content_and_decode_to_the_same_pixels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)
    with StepLog.open(tmp_path, "r1") as log:
        refs = log.put_frames({"wrist": frame, "overview": frame})
        assert [r.camera for r in refs] == ["overview", "wrist"]
        assert refs[0].sha256 == refs[1].sha256
        assert log.frames.names() == [refs[0].sha256]
        stored = log.frames.read_bytes(refs[0].sha256)
        assert stored == encode_png(frame)
        assert np.array_equal(decode_png(stored), frame)


def test_a_frame_logged_again_is_stored_once(tmp_path: Path) -> None:
    # Encoding it again is avoided one level down (`embodiments.png`, tested there).
    frame = np.random.default_rng(0).integers(0, 255, (24, 32, 3), dtype=np.uint8)
    with StepLog.open(tmp_path, "r1") as log:
        first = log.put_frames({"cam": frame})
        again = log.put_frames({"cam": frame.copy()})
        changed = frame.copy()
        changed[0, 0, 0] ^= 1
        other = log.put_frames({"cam": changed})
        names = log.frames.names()
    assert first == again
    assert other != first
    assert names == sorted({first[0].sha256, other[0].sha256})


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32), np.zeros((0, 4, 3), np.uint8)],
)
def test_a_frame_of_the_wrong_shape_or_type_is_refused(tmp_path: Path, bad: np.ndarray) -> None:
    with StepLog.open(tmp_path, "r1") as log, pytest.raises(FrameError, match="H x W x 3"):
        log.put_frames({"cam": bad})


def test_a_record_cannot_reference_a_frame_that_is_not_stored(tmp_path: Path) -> None:
    ref = FrameRef(camera="cam", sha256="a" * 64)
    body = VerificationRecord(step=0, success=True, confidence=1.0, frames_before=(ref,))
    with StepLog.open(tmp_path, "r1") as log, pytest.raises(FrameError, match="put_frames first"):
        log.append(body)


def test_an_invalid_run_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"invalid run id '\.\./escape'"):
        StepLog.open(tmp_path, "../escape")


def test_motion_durability_fsyncs_before_a_closer_look_moves_the_arm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A look moves the robot, so its decision is durable before the motion, like a skill's."""
    synced: list[int] = []
    with StepLog.open(tmp_path, "r1", durability="motion") as log:
        monkeypatch.setattr("safety.steplog.writer.os.fsync", synced.append)
        log.append(OutcomeRecord(status="done"))
        assert synced == []
        log.append(LookRecord(step=2, look="knob_look", atoms=("turned_on(light)",)))
        assert synced == [log._fh.fileno()]
        count = len(synced)
        log.append(LookResultRecord(step=2, look="knob_look", reached=True))
        assert len(synced) == count
        monkeypatch.undo()


def test_motion_durability_syncs_frames_in_the_background_and_waits_on_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new frame is fsynced on the store's thread; closing waits for it and the folder."""
    synced: list[tuple[str, str]] = []
    gate = threading.Event()

    def slow_fsync(path: Path) -> None:
        gate.wait(5)
        synced.append((threading.current_thread().name, path.name))

    monkeypatch.setattr(frames, "fsync_path", slow_fsync)
    monkeypatch.setattr(frames, "fsync_dir", lambda d: synced.append(("dir", d.name)))
    log = StepLog.open(tmp_path, "r1", durability="motion")
    (ref,) = log.put_frames({"cam": np.full((4, 4, 3), 7, np.uint8)})
    assert synced == []  # put_frames returned before the fsync ran
    gate.set()
    log.close()
    assert synced[0] == (synced[0][0], f"{ref.sha256}.png")
    assert synced[0][0].startswith("steward-fsync")
    assert synced[-1] == ("dir", "frames")


def test_a_frame_that_cannot_be_made_durable_is_named_on_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(path: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(frames, "fsync_path", failing)
    log = StepLog.open(tmp_path, "r1", durability="motion")
    log.put_frames({"cam": np.full((4, 4, 3), 9, np.uint8)})
    with pytest.raises(FrameError, match=r"could not make the frames in .* durable"):
        log.close()
    assert log._fh.closed  # the log itself was still made durable and released


def test_a_head_that_got_shorter_is_padded_and_still_reads(tmp_path: Path) -> None:
    """The head is rewritten in place: a shorter one must not leave old bytes after it."""
    head = HeadFile(tmp_path / "head.json")
    head.write(b'{"a":"' + b"x" * 50 + b'"}', durable=False)
    head.write(b'{"a":1}', durable=True)
    head.close()
    assert json.loads((tmp_path / "head.json").read_bytes()) == {"a": 1}


def test_an_empty_head_file_reads_as_no_head(tmp_path: Path) -> None:
    """A writer killed between creating the head and its first write leaves it empty."""
    (tmp_path / "head.json").write_bytes(b"")
    assert read_head(tmp_path / "head.json") is None
