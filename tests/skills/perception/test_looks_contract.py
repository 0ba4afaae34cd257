"""Every closer look (`CloserLook`) honours the same contract on when it wants to look."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from skills.perception.knob_look import KNOB_ATOMS, KnobLook, KnobReader
from skills.perception.labels import ALL_ATOMS
from skills.perception.looks import CloserLook
from skills.perception.testing import FakeDetector, FakeLook, fake_frame


def _knob() -> CloserLook:
    return KnobLook(KnobReader.load(), mover=lambda robot, cancel: pytest.fail("no motion here"))


def _fake() -> CloserLook:
    return FakeLook(FakeDetector(), KNOB_ATOMS[:2])


LOOKS: dict[str, Callable[[], CloserLook]] = {"knob_look": _knob, "fake": _fake}


@pytest.fixture(params=sorted(LOOKS))
def look(request: pytest.FixtureRequest) -> CloserLook:
    return LOOKS[request.param]()


def test_nothing_is_wanted_when_every_atom_is_certain_or_unknown(look: CloserLook) -> None:
    assert look.wanted({}) == ()
    assert look.wanted({str(a): 1.0 for a in ALL_ATOMS}) == ()


def test_what_is_wanted_is_unsure_and_readable_by_its_reader(look: CloserLook) -> None:
    unsure = {str(a): 0.55 for a in ALL_ATOMS}
    wanted = look.wanted(unsure)
    assert wanted
    assert set(wanted) <= set(look.reader.atoms())
    found = look.reader.detect({"wrist": fake_frame(5), "overview": fake_frame(6)}, wanted)
    assert set(found) == {str(a) for a in wanted}


def test_it_has_a_name_for_the_step_log(look: CloserLook) -> None:
    assert look.name
    assert len(look.name) <= 64
