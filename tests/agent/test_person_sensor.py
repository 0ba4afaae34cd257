"""The person sensor: distance from the hand, or from where a step acts on the map."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from agent.context import PersonSensor
from embodiments.base import SceneEvent
from embodiments.franka_kitchen.layout import BURNER_XY, PERSON_NEAR_STOVE_XY
from embodiments.registry import make_embodiment
from embodiments.testing import FakeEmbodiment

pytestmark = [pytest.mark.sim]


@pytest.fixture(scope="module")
def kitchen() -> Iterator[object]:
    emb = make_embodiment("franka_kitchen")
    emb.reset(0)
    yield emb
    emb.close()


def test_a_burner_on_the_map_is_measured_from_its_centre(kitchen) -> None:
    kitchen.inject(SceneEvent("place_person", value=0.0))
    sensor = PersonSensor(kitchen)
    hand = sensor()
    burner = kitchen.person_distance_from_m("bottom_right_burner")
    expected = np.hypot(
        PERSON_NEAR_STOVE_XY[0] - BURNER_XY["bottom_right_burner"][0],
        PERSON_NEAR_STOVE_XY[1] - BURNER_XY["bottom_right_burner"][1],
    )
    assert burner == pytest.approx(expected, abs=1e-6)
    assert hand is not None
    assert sensor.near(["bottom_right_burner"]) == pytest.approx(min(hand, expected))
    assert sensor.near(["kettle"]) == pytest.approx(hand)  # the kettle is not on the map
    assert kitchen.person_distance_from_m("microwave") is not None


def test_nobody_near_means_none_for_every_object(kitchen) -> None:
    kitchen.inject(SceneEvent("remove_person"))
    assert PersonSensor(kitchen).near(["bottom_right_burner", "microwave"]) is None


def test_an_embodiment_without_a_map_falls_back_to_the_hand() -> None:
    fake = FakeEmbodiment()
    fake.reset(0)
    fake.inject(SceneEvent("place_person", value=0.3))
    sensor = PersonSensor(fake)
    assert sensor.near(["bottom_right_burner"]) == sensor()
