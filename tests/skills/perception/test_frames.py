"""Frame checks: a bad frame is reported with its kind, never classified."""

from __future__ import annotations

import numpy as np
import pytest

from skills.perception.base import perceive
from skills.perception.frames import BadFramesError, check_frame, check_frames
from skills.perception.testing import FakeDetector, fake_frame, fake_observation


def test_valid_frame_has_no_problem() -> None:
    assert check_frame("overview", fake_frame()) is None


def test_black_frame_is_reported() -> None:
    problem = check_frame("overview", np.zeros((128, 128, 3), np.uint8))
    assert problem is not None
    assert problem.kind == "black"


def test_wrong_size_frame_is_reported() -> None:
    problem = check_frame("wrist", fake_frame()[:64])
    assert problem is not None
    assert problem.kind == "wrong_shape"
    assert "(64, 128, 3)" in problem.detail


def test_wrong_dtype_is_reported() -> None:
    problem = check_frame("wrist", fake_frame().astype(np.float32))
    assert problem is not None
    assert problem.kind == "wrong_type"


def test_truncated_frame_is_reported() -> None:
    frame = fake_frame()
    frame[100:] = 0
    problem = check_frame("overview", frame)
    assert problem is not None
    assert problem.kind == "truncated"
    assert "28 rows" in problem.detail


def test_frozen_only_after_motion() -> None:
    """A repeated frame is fine in a still scene, frozen once the robot has moved."""
    frame = fake_frame()
    assert check_frame("overview", frame, previous=frame.copy(), moved=False) is None
    problem = check_frame("overview", frame, previous=frame.copy(), moved=True)
    assert problem is not None
    assert problem.kind == "frozen"


def test_missing_camera_is_reported() -> None:
    problems = check_frames({"overview": fake_frame()})
    assert [(p.camera, p.kind) for p in problems] == [("wrist", "missing")]


def test_perceive_refuses_bad_frames() -> None:
    detector = FakeDetector()
    with pytest.raises(BadFramesError, match="overview: black"):
        perceive(fake_observation(overview=np.zeros((128, 128, 3), np.uint8)), detector)
    assert detector.calls == 0


def test_perceive_builds_scene_with_hashes() -> None:
    detector = FakeDetector([{"open(microwave)": (True, 0.97)}])
    scene = perceive(fake_observation(), detector)
    assert scene.holds("open(microwave)")
    assert not scene.holds("open(slide_cabinet)")
    assert scene.confidence["open(microwave)"] == pytest.approx(0.97)
    assert len(scene.frame_hashes) == 2
