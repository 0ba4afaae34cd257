"""The action shield on FakeEmbodiment: limits, workspace, people, e-stop."""

import math
from collections.abc import Callable

import numpy as np
import pytest
from structlog.testing import capture_logs

from embodiments.base import Command, Embodiment, EmbodimentWrapper
from embodiments.testing import N_JOINTS, FakeEmbodiment
from safety.errors import ShieldConfigError
from safety.shield import ActionShield, ShieldConfig, no_person

SEED = 4  # a start pose with the end effector well inside the workspace box


class Person:
    """A settable person-distance source, as perception or a simulator would feed it."""

    def __init__(self, distance_m: float | None = None) -> None:
        self.distance_m = distance_m

    def __call__(self) -> float | None:
        return self.distance_m


def _shield(
    person: Callable[[], float | None] | None = None, inner: Embodiment | None = None
) -> ActionShield:
    shield = ActionShield(inner or FakeEmbodiment(), person_distance_m=person or no_person)
    shield.reset(SEED)
    return shield


def _q(shield: ActionShield) -> np.ndarray:
    return shield.observe().proprio.joint_position_rad


def _ee_speed(shield: ActionShield, velocity: np.ndarray) -> float:
    jacobian = shield.unwrapped.end_effector_jacobian()  # type: ignore[attr-defined]
    return float(np.linalg.norm(jacobian @ velocity))


def test_a_command_within_every_limit_passes_unchanged() -> None:
    shield = _shield()
    command = Command(np.full(N_JOINTS, 0.1), 0.5)
    applied = shield.apply(command)
    assert applied.clamped == ()
    assert not applied.stopped
    np.testing.assert_allclose(applied.sent.joint_velocity_rad_s, command.joint_velocity_rad_s)
    assert applied.requested is command


def test_joint_velocity_is_clamped_and_logged() -> None:
    shield = _shield()
    velocity = np.zeros(N_JOINTS)
    velocity[6] = 5.0
    with capture_logs() as logs:
        applied = shield.apply(Command(velocity, 0.5))
    assert applied.sent.joint_velocity_rad_s[6] == pytest.approx(2.0)
    assert "joint_velocity_rad_s[6]" in applied.clamped
    assert [e["event"] for e in logs] == ["shield.clamp"]
    assert "joint_velocity_rad_s[6]" in logs[0]["clamped"]


def test_joints_stop_at_their_position_limits() -> None:
    shield = _shield()
    velocity = np.zeros(N_JOINTS)
    velocity[6] = 2.0
    clamps = [shield.apply(Command(velocity, 0.5)).clamped for _ in range(25)]
    assert _q(shield)[6] == pytest.approx(2.9)
    assert any("joint_position_rad[6]" in c for c in clamps)


def test_the_end_effector_stays_inside_the_workspace_box() -> None:
    shield = _shield()
    clamps = []
    for _ in range(6):
        clamps.append(shield.apply(Command(np.full(N_JOINTS, -2.0), 0.5)).clamped)
        z = shield.observe().proprio.end_effector_position_m[2]
        assert z >= -1e-9
    assert any("workspace" in c for c in clamps)


def test_reduced_speed_near_a_person_keeps_the_direction() -> None:
    shield = _shield(Person(0.8))
    requested = np.full(N_JOINTS, 1.5)
    applied = shield.apply(Command(requested, 0.5))
    sent = applied.sent.joint_velocity_rad_s
    assert "end_effector_speed" in applied.clamped
    assert _ee_speed(shield, sent) == pytest.approx(0.25)
    np.testing.assert_allclose(sent / np.linalg.norm(sent), requested / np.linalg.norm(requested))


def test_full_speed_when_the_person_is_far() -> None:
    shield = _shield(Person(2.5))
    applied = shield.apply(Command(np.full(N_JOINTS, 1.5), 0.5))
    assert _ee_speed(shield, applied.sent.joint_velocity_rad_s) > 0.25
    assert "end_effector_speed" not in applied.clamped


def test_configurable_distances_and_speed() -> None:
    config = ShieldConfig(
        reduced_speed_m_s=0.1, reduced_speed_distance_m=3.0, protective_stop_distance_m=0.5
    )
    shield = ActionShield(FakeEmbodiment(), person_distance_m=Person(2.5), config=config)
    shield.reset(SEED)
    applied = shield.apply(Command(np.full(N_JOINTS, 1.5), 0.5))
    assert _ee_speed(shield, applied.sent.joint_velocity_rad_s) == pytest.approx(0.1)


def test_protective_stop_when_a_person_is_too_close_then_resume() -> None:
    person = Person(0.2)
    shield = _shield(person)
    before = _q(shield)
    with capture_logs() as logs:
        applied = shield.apply(Command(np.full(N_JOINTS, 1.0), 0.5))
    assert applied.stopped
    assert "joint_velocity_rad_s" in applied.clamped
    np.testing.assert_array_equal(applied.sent.joint_velocity_rad_s, np.zeros(N_JOINTS))
    np.testing.assert_array_equal(_q(shield), before)
    assert logs[-1]["event"] == "shield.stop"
    assert logs[-1]["cause"] == "protective_stop"
    person.distance_m = 2.0
    assert not shield.apply(Command(np.full(N_JOINTS, 0.1), 0.5)).stopped


@pytest.mark.parametrize("reading", [math.nan, "raise"])
def test_a_failing_person_sensor_stops_the_arm(reading: object) -> None:
    def sensor() -> float | None:
        if reading == "raise":
            raise OSError("camera unplugged")
        return float(reading)  # type: ignore[arg-type]

    shield = _shield(sensor)
    applied = shield.apply(Command(np.full(N_JOINTS, 1.0), 0.5))
    assert applied.stopped
    np.testing.assert_array_equal(applied.sent.joint_velocity_rad_s, np.zeros(N_JOINTS))


def test_estop_halts_motion_within_one_tick_and_latches() -> None:
    shield = _shield()
    shield.apply(Command(np.full(N_JOINTS, 0.2), 0.5))
    assert np.any(shield.observe().proprio.joint_velocity_rad_s != 0)
    shield.estop()
    np.testing.assert_array_equal(shield.observe().proprio.joint_velocity_rad_s, np.zeros(N_JOINTS))
    held = _q(shield)
    for _ in range(3):
        applied = shield.apply(Command(np.full(N_JOINTS, 1.0), 0.0))
        assert applied.stopped
        np.testing.assert_array_equal(_q(shield), held)
    assert applied.sent.gripper == 0.5  # the gripper keeps its grip: nothing held is dropped
    shield.reset_estop()
    assert not shield.apply(Command(np.full(N_JOINTS, 0.1), 0.5)).stopped


def test_stop_and_estop_are_idempotent() -> None:
    shield = _shield()
    with capture_logs() as logs:
        shield.estop("operator")
        shield.estop("operator again")
        shield.stop()
        shield.stop()
    assert [e["event"] for e in logs] == ["shield.stop"]
    assert logs[0]["reason"] == "operator"
    shield.reset_estop()
    shield.reset_estop()
    assert not shield.estopped


def test_an_invalid_command_is_replaced_by_holding() -> None:
    shield = _shield()
    applied = shield.apply(Command(np.array([math.nan] * N_JOINTS), 2.0))
    np.testing.assert_array_equal(applied.sent.joint_velocity_rad_s, np.zeros(N_JOINTS))
    assert applied.sent.gripper == 1.0
    assert {"joint_velocity_rad_s:invalid", "gripper"} <= set(applied.clamped)


class _NoKinematics(EmbodimentWrapper):
    """Hides the fake's Jacobian, like a robot without a kinematic model."""

    @property
    def unwrapped(self) -> Embodiment:
        return self


def test_without_kinematics_a_nearby_person_stops_the_arm() -> None:
    shield = _shield(Person(0.8), inner=_NoKinematics(FakeEmbodiment()))
    applied = shield.apply(Command(np.full(N_JOINTS, 0.1), 0.5))
    assert applied.stopped


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"reduced_speed_m_s": 0.0}, "reduced_speed_m_s"),
        ({"protective_stop_distance_m": 2.0}, "protective_stop_distance_m"),
        ({"reduced_speed_distance_m": math.inf}, "reduced_speed_distance_m"),
    ],
)
def test_config_errors_name_the_field(settings: dict[str, float], field: str) -> None:
    with pytest.raises(ShieldConfigError, match=field):
        ShieldConfig(**settings)


def test_iso_reduced_speed_is_the_default() -> None:
    assert ShieldConfig().reduced_speed_m_s == 0.25
