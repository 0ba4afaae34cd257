"""The VLM verifier (with a fake asker only) and the detector registry."""

from __future__ import annotations

import pytest

from embodiments.scene import Atom
from skills.perception.errors import DetectorNotFoundError
from skills.perception.registry import detector_names, make_detector
from skills.perception.testing import FakeAsker, fake_frame
from skills.perception.vlm import VlmVerifier, question


def test_vlm_asks_one_question_per_atom_with_the_image() -> None:
    asker = FakeAsker({"microwave": "Yes.", "kettle": "maybe"})
    verifier = VlmVerifier(asker)
    atoms = [
        Atom("open", ("microwave",)),
        Atom("holding", ("kettle",)),
        Atom("turned_on", ("light",)),
    ]
    found = verifier.detect({"overview": fake_frame()}, atoms)
    assert found["open(microwave)"].value
    assert found["open(microwave)"].confidence == 0.9
    assert found["holding(kettle)"].confidence == 0.5  # neither yes nor no: undecided
    assert not found["turned_on(light)"].value
    assert len(asker.questions) == 3
    assert all(n > 1000 for n in asker.image_bytes)


def test_question_names_the_entity() -> None:
    assert question(Atom("on", ("kettle", "top_left_burner"))).startswith(
        "Is the kettle standing on the top left burner?"
    )


def test_registry_lists_and_suggests() -> None:
    assert {"learned", "classical", "fake"} <= set(detector_names())
    with pytest.raises(DetectorNotFoundError, match="Did you mean 'learned'"):
        make_detector("learnd")


def test_shipped_detectors_load_without_network() -> None:
    for name in ("learned", "classical"):
        detector = make_detector(name)
        assert detector.name == name
        assert len(detector.atoms()) >= 12
