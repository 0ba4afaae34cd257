"""The perception benchmark's scoring and its closer looks (no rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from embodiments.scene import Atom
from skills.perception.base import PredicateEstimate
from skills.perception.dataset import FrameSet
from skills.perception.knob_look import KnobLook
from skills.perception.labels import HELD_CLASS
from skills.perception.testing import FakeDetector


def estimates(values: dict[str, tuple[bool, float]]) -> dict[str, PredicateEstimate]:
    """Estimates keyed by atom text, from {atom text: (value, confidence)}."""
    return {
        key: PredicateEstimate(atom=Atom.parse(key), value=v, confidence=c, detector="t")
        for key, (v, c) in values.items()
    }


def test_the_kettle_place_counts_only_when_every_burner_atom_matches(benchmark_script) -> None:
    bench = benchmark_script("perception_bench")
    on_tl, on_tr = "on(kettle, top_left_burner)", "on(kettle, top_right_burner)"
    truth = [frozenset({on_tl}), frozenset(), frozenset({on_tr})]
    predicted = [
        estimates({on_tl: (True, 1.0)}),  # right
        estimates({on_tl: (True, 1.0)}),  # says on a burner, the kettle is elsewhere
        estimates({on_tr: (True, 1.0), "holding(kettle)": (True, 1.0)}),  # holding is no place
    ]
    assert bench.kettle_right(predicted, truth) == 2


def test_looks_replace_unsure_knobs_unless_the_hand_holds_the_kettle(benchmark_script) -> None:
    bench = benchmark_script("perception_bench")
    knob = "turned_on(top_left_burner)"
    frames = FrameSet(
        overview=np.zeros((3, 8, 8, 3), np.uint8),
        wrist=np.zeros((3, 8, 8, 3), np.uint8),
        fixtures=np.zeros((3, 8), np.uint8),
        kettle=np.array([5, 5, HELD_CLASS]),
        look=np.zeros((3, 8, 8, 3), np.uint8),
    )
    found = [
        estimates({knob: (True, 0.6)}),  # unsure: looked at
        estimates({knob: (True, 0.99)}),  # sure: kept
        estimates({knob: (True, 0.6)}),  # kettle in hand: no look
    ]
    reader = FakeDetector([{knob: (False, 0.99)}], name="knob_look")
    look = KnobLook(reader, mover=lambda robot, cancel: pytest.fail("benchmarks do not move"))  # type: ignore[arg-type]  # a fake reader
    out, looks, _ = bench.with_looks(found, frames, look)
    assert looks == 1
    assert [o[knob].value for o in out] == [False, True, True]
    assert out[0][knob].detector == "knob_look"
