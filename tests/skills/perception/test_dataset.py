"""Training renders: hand-near-kettle states labelled by scene truth, never held-out seeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from embodiments.scene import Atom
from skills.perception.labels import HOLDING, ON_ATOMS

if TYPE_CHECKING:
    from embodiments.franka_kitchen.env import FrankaKitchen


def _posed(kitchen: FrankaKitchen, mode: str) -> frozenset[Atom]:
    """Truth atoms of the first state `mode` could pose, the hand then near the kettle."""
    import mujoco  # noqa: PLC0415

    from skills.perception.dataset import pose_hand_near_kettle  # noqa: PLC0415

    rng = np.random.default_rng(0)
    kitchen.reset(seed=3)
    home = kitchen.data.qpos[:9].copy()
    for _ in range(10):
        kitchen.data.qpos[:9] = home
        if pose_hand_near_kettle(kitchen, rng, mode):
            mujoco.mj_forward(kitchen.model, kitchen.data)
            hand = kitchen.site_position("end_effector")
            handle = kitchen.site_position("kettle_site")
            assert float(np.linalg.norm(hand - handle)) < 0.5
            return kitchen.scene_truth().atoms
    pytest.fail(f"no arm pose found for mode {mode!r} in 10 tries")


@pytest.mark.sim
@pytest.mark.slow
def test_carried_kettle_is_labelled_held(kitchen: FrankaKitchen) -> None:
    atoms = _posed(kitchen, "carried")
    assert HOLDING in atoms
    assert not atoms & set(ON_ATOMS)


@pytest.mark.sim
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["released", "grasped"])
def test_kettle_under_the_hand_is_labelled_on_its_burner(kitchen: FrankaKitchen, mode: str) -> None:
    atoms = _posed(kitchen, mode)
    assert HOLDING not in atoms
    assert len(atoms & set(ON_ATOMS)) == 1


def test_training_seeds_stay_below_held_out_seeds() -> None:
    """The training command's seeds never reach the benchmark's (10_000 up) or the tests'."""
    from skills.perception.train import FIRST_HELD_OUT_SEED, build_parser, main  # noqa: PLC0415

    assert FIRST_HELD_OUT_SEED == 10_000
    assert build_parser().parse_args(["--out", "x.pt"]).seeds <= FIRST_HELD_OUT_SEED
    with pytest.raises(SystemExit):
        main(["--out", "x.pt", "--seeds", "10001"])


@pytest.mark.sim
@pytest.mark.slow
def test_off_centre_kettles_are_labelled_by_distance_never_near_the_radius(
    kitchen: FrankaKitchen,
) -> None:
    import mujoco  # noqa: PLC0415

    from embodiments.franka_kitchen.layout import BURNER_XY, ON_BURNER_RADIUS_M  # noqa: PLC0415
    from skills.perception.dataset import place_kettle_off_centre  # noqa: PLC0415

    rng = np.random.default_rng(0)
    kitchen.reset(seed=5)
    labels = []
    for _ in range(24):
        place_kettle_off_centre(kitchen, rng)
        mujoco.mj_forward(kitchen.model, kitchen.data)
        x, y = kitchen.data.body("kettle").xpos[:2]
        nearest = min(float(np.hypot(x - bx, y - by)) for bx, by in BURNER_XY.values())
        assert 0.035 < nearest < 0.155
        assert abs(nearest - ON_BURNER_RADIUS_M) > 0.01  # no borderline labels
        on = bool(kitchen.scene_truth().atoms & set(ON_ATOMS))
        assert on == (nearest < ON_BURNER_RADIUS_M)
        labels.append(on)
    assert any(labels)
    assert not all(labels)  # both sides of the radius


def test_the_detector_trains_on_a_tiny_set_and_outputs_every_head() -> None:
    import torch  # noqa: PLC0415

    from skills.perception.dataset import FrameSet  # noqa: PLC0415
    from skills.perception.labels import FIXTURE_ATOMS, KETTLE_CLASSES  # noqa: PLC0415
    from skills.perception.learned import to_tensor  # noqa: PLC0415
    from skills.perception.train import train  # noqa: PLC0415

    rng = np.random.default_rng(0)
    frames = FrameSet(
        overview=rng.integers(0, 255, (6, 128, 128, 3), dtype=np.uint8),
        wrist=rng.integers(0, 255, (6, 64, 64, 3), dtype=np.uint8),
        fixtures=rng.integers(0, 2, (6, len(FIXTURE_ATOMS)), dtype=np.uint8),
        kettle=rng.integers(0, len(KETTLE_CLASSES), 6),
    )
    net = train(frames, epochs=1)
    assert not net.training
    with torch.inference_mode():
        fixtures, kettle = net(to_tensor(frames.overview), to_tensor(frames.wrist))
    assert fixtures.shape == (6, len(FIXTURE_ATOMS))
    assert kettle.shape == (6, len(KETTLE_CLASSES))
