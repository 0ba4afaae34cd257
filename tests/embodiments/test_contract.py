"""The embodiment contract, run over every registered embodiment."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from embodiments.base import Command, Embodiment, SceneEvent, SupportsEvents, SupportsPresence
from embodiments.errors import EmbodimentConfigError, EmbodimentStateError
from embodiments.registry import embodiment_names, make_embodiment

SIM = {"franka_kitchen"}
PARAMS = [
    pytest.param(n, marks=[pytest.mark.sim, pytest.mark.slow] if n in SIM else [])
    for n in embodiment_names()
]


@pytest.fixture(scope="module", params=PARAMS)
def embodiment(request: pytest.FixtureRequest) -> Iterator[Embodiment]:
    emb = make_embodiment(request.param)
    yield emb
    emb.close()


def test_same_seed_gives_same_start(embodiment: Embodiment) -> None:
    first = embodiment.reset(7)
    truth = embodiment.scene_truth()
    second = embodiment.reset(7)
    assert embodiment.scene_truth().atoms == truth.atoms
    np.testing.assert_allclose(
        first.proprio.joint_position_rad, second.proprio.joint_position_rad, atol=1e-9
    )
    for name in first.frames:
        assert np.array_equal(first.frames[name], second.frames[name])


def test_different_seeds_vary_the_start(embodiment: Embodiment) -> None:
    starts = set()
    for seed in range(6):
        embodiment.reset(seed)
        starts.add(frozenset(map(str, embodiment.scene_truth().atoms)))
    assert len(starts) > 1


def test_frames_are_named_rgb_uint8(embodiment: Embodiment) -> None:
    obs = embodiment.reset(0)
    assert set(obs.frames) == set(embodiment.limits.camera_names)
    for frame in obs.frames.values():
        assert frame.dtype == np.uint8
        assert frame.ndim == 3
        assert frame.shape[2] == 3
        assert frame.std() > 1.0  # a real picture, not a blank buffer


def test_apply_clamps_and_reports(embodiment: Embodiment) -> None:
    embodiment.reset(0)
    lim = embodiment.limits
    fast = Command(lim.joint_velocity_max_rad_s * 3.0, 1.0)
    applied = embodiment.apply(fast)
    assert applied.requested is fast
    assert applied.was_clamped
    assert np.all(np.abs(applied.sent.joint_velocity_rad_s) <= lim.joint_velocity_max_rad_s + 1e-9)


def test_apply_rejects_nan_and_wrong_shape_without_moving(embodiment: Embodiment) -> None:
    embodiment.reset(0)
    n = embodiment.limits.n_joints
    for bad in (np.full(n, np.nan), np.zeros(n + 2)):
        applied = embodiment.apply(Command(bad, 0.5))
        assert "joint_velocity_rad_s:invalid" in applied.clamped
        assert np.all(applied.sent.joint_velocity_rad_s == 0.0)


def test_in_range_command_is_sent_unchanged(embodiment: Embodiment) -> None:
    embodiment.reset(0)
    n = embodiment.limits.n_joints
    gripper = 1.0
    applied = embodiment.apply(Command(np.full(n, 0.01), gripper))
    assert not applied.was_clamped
    np.testing.assert_allclose(applied.sent.joint_velocity_rad_s, np.full(n, 0.01))


def test_stop_is_idempotent_and_halts(embodiment: Embodiment) -> None:
    embodiment.reset(0)
    n = embodiment.limits.n_joints
    embodiment.apply(Command(np.full(n, 0.3), 1.0))
    embodiment.stop()
    embodiment.stop()
    embodiment.apply(Command.hold(n, 1.0))
    speed = np.abs(embodiment.observe().proprio.joint_velocity_rad_s).max()
    assert speed < 0.2


def test_events_listed_and_unknown_refused(embodiment: Embodiment) -> None:
    assert isinstance(embodiment, SupportsEvents)
    embodiment.reset(0)
    assert "close" in embodiment.event_kinds()
    with pytest.raises(EmbodimentConfigError, match="valid kinds"):
        embodiment.inject(SceneEvent("explode", "microwave"))


def test_event_changes_scene_truth(embodiment: Embodiment) -> None:
    assert isinstance(embodiment, SupportsEvents)
    embodiment.reset(0)
    embodiment.inject(SceneEvent("open", "microwave"))
    assert embodiment.scene_truth().holds("open(microwave)")
    embodiment.inject(SceneEvent("close", "microwave"))
    assert not embodiment.scene_truth().holds("open(microwave)")


def test_presence_sensor_sees_a_person_arrive(embodiment: Embodiment) -> None:
    assert isinstance(embodiment, SupportsEvents)
    assert isinstance(embodiment, SupportsPresence)
    embodiment.reset(0)
    embodiment.inject(SceneEvent("remove_person"))
    assert embodiment.person_distance_m() is None
    assert embodiment.person_distance_from_m("bottom_right_burner") is None
    embodiment.inject(SceneEvent("place_person", value=0.3))
    hand = embodiment.person_distance_m()
    assert hand is not None
    assert hand > 0
    assert embodiment.person_distance_from_m("no_such_fixture") is None


@pytest.mark.parametrize("name", embodiment_names())
def test_use_before_reset_is_refused(name: str) -> None:
    if name in SIM:
        pytest.importorskip("mujoco")
    emb = make_embodiment(name)
    with pytest.raises(EmbodimentStateError, match="reset"):
        emb.observe()
    emb.close()
