"""The shipped learned detector on kitchen states from seeds never used in training."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from embodiments.base import SceneEvent
from embodiments.scene import Atom
from skills.perception.base import perceive
from skills.perception.labels import ALL_ATOMS
from skills.perception.learned import LearnedDetector
from skills.perception.verify import verify_effects
from skills.predicates import GroundLiteral

if TYPE_CHECKING:
    from embodiments.franka_kitchen.env import FrankaKitchen

pytestmark = [pytest.mark.sim, pytest.mark.slow]

UNSEEN_SEEDS = (20_001, 20_002, 20_003, 20_004, 20_005, 20_006)


@pytest.fixture(scope="module")
def detector() -> LearnedDetector:
    return LearnedDetector.load()


@pytest.mark.parametrize("seed", UNSEEN_SEEDS)
def test_learned_detector_matches_truth_on_unseen_seed(
    kitchen: FrankaKitchen, detector: LearnedDetector, seed: int
) -> None:
    observation = kitchen.reset(seed=seed)
    scene = perceive(observation, detector)
    truth = kitchen.scene_truth().atoms & set(ALL_ATOMS)
    assert scene.atoms == truth
    assert min(scene.confidence.values()) > 0.5


def test_verify_sees_an_injected_change(kitchen: FrankaKitchen, detector: LearnedDetector) -> None:
    """Someone opens the microwave and turns the light on: verification sees both."""
    before = kitchen.reset(seed=20_007)
    kitchen.inject(SceneEvent("open", "microwave"))
    kitchen.inject(SceneEvent("turn_on", "light"))
    effects = [
        GroundLiteral(Atom("open", ("microwave",))),
        GroundLiteral(Atom("turned_on", ("light",))),
    ]
    result = verify_effects(kitchen.observe, effects, [detector], before=before)
    assert result.outcome == "verified", result.message
    kitchen.inject(SceneEvent("close", "microwave"))
    result = verify_effects(kitchen.observe, effects[:1], [detector])
    assert result.outcome == "failed"
