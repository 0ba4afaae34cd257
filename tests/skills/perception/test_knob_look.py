"""The knob look: the arm's move to the posture, the shipped reader, and when it is wanted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from embodiments.scene import Atom
from skills.perception.dataset import FrameSet
from skills.perception.knob_look import KNOB_ATOMS, KnobLook, KnobReader, look_frame
from skills.perception.learned import to_tensor
from skills.perception.testing import fake_frame

if TYPE_CHECKING:
    from embodiments.franka_kitchen.env import FrankaKitchen

UNSEEN_SEEDS = (20_011, 20_012, 20_013, 20_014)
TOP_LEFT = Atom("turned_on", ("top_left_burner",))


@pytest.fixture(scope="module")
def reader() -> KnobReader:
    return KnobReader.load()


def test_only_knobs_below_the_confidence_are_wanted(reader: KnobReader) -> None:
    look = KnobLook(reader, mover=lambda robot, cancel: pytest.fail("no move in this test"))
    confidence = {str(TOP_LEFT): 0.97, "turned_on(top_right_burner)": 0.99, "open(microwave)": 0.6}
    assert look.wanted(confidence) == (TOP_LEFT,)
    assert look.wanted({}) == ()


def test_missing_weights_name_the_command_that_builds_them(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python -m skills.perception.knob_train --out"):
        KnobReader.load(tmp_path / "none.pt")


def test_the_reader_takes_any_wrist_size_and_answers_only_what_is_asked(
    reader: KnobReader,
) -> None:
    small = fake_frame(3)[:96, :96]
    assert look_frame(small).shape == (128, 128, 3)
    found = reader.detect({"wrist": small}, [TOP_LEFT])
    assert list(found) == [str(TOP_LEFT)]
    assert found[str(TOP_LEFT)].camera == "wrist"
    assert set(reader.detect({"wrist": fake_frame(4)})) == {str(a) for a in KNOB_ATOMS}


@pytest.mark.sim
@pytest.mark.slow
def test_asking_for_look_frames_leaves_the_rendered_states_as_they_were() -> None:
    from embodiments.franka_kitchen.layout import KNOB_LOOK_Q  # noqa: PLC0415
    from skills.perception.dataset import render_frames  # noqa: PLC0415

    plain = render_frames(range(7, 8), states_per_seed=2, held_every=0, held_variants=0)
    looked = render_frames(
        range(7, 8),
        states_per_seed=2,
        held_every=0,
        held_variants=0,
        look_posture=np.asarray(KNOB_LOOK_Q),
    )
    assert plain.look is None
    assert looked.look is not None
    assert looked.look.shape == (2, 128, 128, 3)
    assert np.array_equal(plain.overview, looked.overview)
    assert np.array_equal(plain.wrist, looked.wrist)
    assert np.array_equal(plain.fixtures, looked.fixtures)


@pytest.mark.sim
@pytest.mark.slow
@pytest.mark.parametrize("seed", UNSEEN_SEEDS)
def test_after_a_real_move_the_reader_reads_every_knob(
    kitchen: FrankaKitchen, reader: KnobReader, seed: int
) -> None:
    """Knobs set at random, the hinge door open and the kettle on the top-left burner:
    the overview's hardest case. The arm moves there under control and touches nothing."""
    import mujoco  # noqa: PLC0415

    from embodiments.franka_kitchen import perturb  # noqa: PLC0415
    from embodiments.franka_kitchen.layout import (  # noqa: PLC0415
        BURNER_XY,
        FIXTURE_BY_ENTITY,
        KNOB_LOOK_Q,
    )
    from skills.kitchen.look import look_at_knobs  # noqa: PLC0415

    kitchen.reset(seed=seed)
    rng = np.random.default_rng(seed)
    for knob in KNOB_ATOMS:
        fixture = FIXTURE_BY_ENTITY[knob.args[0]]
        low, high = fixture.active_range if rng.random() < 0.5 else fixture.inactive_range
        perturb.set_fixture(kitchen.model, kitchen.data, fixture, float(rng.uniform(low, high)))
    hinge = FIXTURE_BY_ENTITY["hinge_cabinet"]
    perturb.set_fixture(kitchen.model, kitchen.data, hinge, hinge.active_range[1])
    perturb.set_kettle(kitchen.data, kitchen.model, BURNER_XY["top_left_burner"], 0.0)
    mujoco.mj_forward(kitchen.model, kitchen.data)
    truth = kitchen.scene_truth().atoms
    result = look_at_knobs(kitchen)
    assert result.succeeded, result.message
    assert kitchen.scene_truth().atoms == truth
    joints = kitchen.proprio().joint_position_rad
    assert np.abs(joints - np.asarray(KNOB_LOOK_Q)).max() < 0.03
    found = reader.detect(kitchen.observe().frames)
    assert {k: e.value for k, e in found.items()} == {str(a): a in truth for a in KNOB_ATOMS}
    assert min(e.confidence for e in found.values()) > 0.9


def _tiny_set(look: bool) -> FrameSet:
    rng = np.random.default_rng(0)
    return FrameSet(
        overview=np.zeros((4, 8, 8, 3), np.uint8),
        wrist=np.zeros((4, 8, 8, 3), np.uint8),
        fixtures=rng.integers(0, 2, (4, 8), dtype=np.uint8),
        kettle=np.full(4, 5),
        look=rng.integers(0, 255, (4, 128, 128, 3), dtype=np.uint8) if look else None,
    )


def test_training_needs_look_frames_and_yields_four_knob_logits() -> None:
    from skills.perception.knob_train import train  # noqa: PLC0415

    with pytest.raises(ValueError, match="no knob-look frames"):
        train(_tiny_set(look=False), epochs=1)
    net = train(_tiny_set(look=True), epochs=1)
    assert net(to_tensor(_tiny_set(look=True).look)).shape == (4, len(KNOB_ATOMS))


def test_the_training_command_refuses_held_out_seeds_and_trains_from_a_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from skills.perception.dataset import save  # noqa: PLC0415
    from skills.perception.knob_train import main  # noqa: PLC0415

    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "x.pt"), "--seeds", "10001"])
    assert "must stay below the held-out seeds" in capsys.readouterr().err
    cache = tmp_path / "set.npz"
    save(_tiny_set(look=True), str(cache))
    main(["--out", str(tmp_path / "k.pt"), "--cache", str(cache), "--epochs", "1"])
    assert KnobReader.load(tmp_path / "k.pt").atoms() == KNOB_ATOMS
