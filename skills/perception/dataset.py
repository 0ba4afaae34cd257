"""Render labelled kitchen frames from randomised states (labels from scene truth).

Fixture states are sampled on both sides of their thresholds, the kettle on a burner,
between burners or held (after a scripted pick), the arm jittered, and the rendering
varied: light positions and brightness, camera pose. Training sets add states with the
hand near the kettle (posed by inverse kinematics): just let go of it on a burner,
hovering above the stove, or carrying it lifted over a burner. Scene truth is read here
only to label data; perception never reads it.
"""

from __future__ import annotations

# The kitchen package picks MuJoCo's offscreen GL backend: it must load before mujoco.
import embodiments.franka_kitchen  # noqa: F401 - imported for that side effect

# isort: split
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mujoco
import numpy as np
from numpy.typing import NDArray

from embodiments.base import Frame
from embodiments.franka_kitchen import perturb
from embodiments.franka_kitchen.env import FrankaKitchen
from embodiments.franka_kitchen.layout import BURNER_XY, FIXTURES, ON_BURNER_RADIUS_M
from skills.perception.classical import ClassicalDetector, Region, region_from_pair
from skills.perception.labels import FIXTURE_ATOMS, ON_ATOMS, kettle_class
from skills.perception.learned import shrink_wrist

if TYPE_CHECKING:
    from skills.kitchen.control import Pose

ARM_JITTER_RAD = 0.3
CAMERA_SHIFT_M = 0.02
CAMERA_TILT_RAD = 0.03
LIGHT_SHIFT_M = 0.3
LIGHT_GAIN = (0.6, 1.4)
OFF_BURNER_XY = ((0.0, 0.339), (0.0, 0.78), (-0.223, 0.56), (0.22, 0.56), (0.0, 0.56))
# Hand near the kettle: how far the hand backs off the handle after letting go, how high
# it hovers above the stove, and how high a carried kettle is lifted (clear of the 3 cm
# lift that separates "held" from "on a burner" in scene truth, so labels are not borderline).
BACK_OFF_M = (0.0, 0.14)
HOVER_M = (0.12, 0.35)
CARRY_LIFT_M = (0.05, 0.14)
FINGER_OPEN_M = (0.03, 0.04)
FINGER_CLOSED_M = (0.004, 0.015)
NEAR_KETTLE_MODES = ("released", "grasped", "hover", "carried")
# Near-kettle states draw from their own random stream of the seed, so they do not repeat
# the fixture samples of the seed's free states.
NEAR_KETTLE_STREAM = 1
# Kettle-edge states: the kettle off a burner's centre by these distances, on both sides of
# scene truth's "on" radius (0.10 m) but not within 1.5 cm of it, so labels are not
# borderline. Free states jitter it by 3 cm only; a knob turn or a slipped place leaves it
# 8-10 cm off, where the detector had never looked. Their own random stream, as above.
KETTLE_EDGE_M = ((0.04, ON_BURNER_RADIUS_M - 0.015), (ON_BURNER_RADIUS_M + 0.015, 0.15))
KETTLE_EDGE_STREAM = 2
# Wrist frames at a look posture (`Rows.look_posture`): the arm's joints off it by up to
# this much (a controller stops within 0.02 rad of a joint goal), from their own random
# stream, so asking for them leaves every other sample of a seed as it was.
LOOK_JITTER_RAD = 0.03
LOOK_STREAM = 3


@dataclass(frozen=True, slots=True)
class FrameSet:
    """Rendered frames and their labels, one row per state."""

    overview: NDArray[np.uint8]  # N x H x W x 3
    wrist: NDArray[np.uint8]  # N x 64 x 64 x 3
    fixtures: NDArray[np.uint8]  # N x len(FIXTURE_ATOMS), 1 = active
    kettle: NDArray[np.int64]  # N, index into KETTLE_CLASSES
    look: NDArray[np.uint8] | None = None  # N x H x W x 3: the wrist at the look posture

    def __len__(self) -> int:
        return int(self.kettle.shape[0])


@dataclass
class Rows:
    """Rendered rows (overview, wrist, fixture labels, kettle class, look frame or None).

    With a `look_posture`, each state is also rendered from the wrist camera with the arm
    moved there (jittered), and put back: the view an active look would get.
    """

    look_posture: NDArray[np.float64] | None = None
    items: list[tuple[object, ...]] = field(default_factory=list)
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(LOOK_STREAM))

    def add(self, kitchen: FrankaKitchen) -> None:
        """Label the kitchen's current state from scene truth and render it."""
        mujoco.mj_forward(kitchen.model, kitchen.data)
        atoms = kitchen.scene_truth().atoms
        fixtures = np.array([a in atoms for a in FIXTURE_ATOMS], dtype=np.uint8)
        overview, wrist = kitchen.render("overview"), shrink_wrist(kitchen.render("wrist"))
        look = None if self.look_posture is None else self._look(kitchen, self.look_posture)
        self.items.append((overview, wrist, fixtures, kettle_class(atoms), look))

    def _look(self, kitchen: FrankaKitchen, posture: NDArray[np.float64]) -> Frame:
        data = kitchen.data
        arm = data.qpos[:7].copy()
        data.qpos[:7] = posture + self.rng.uniform(-LOOK_JITTER_RAD, LOOK_JITTER_RAD, 7)
        mujoco.mj_forward(kitchen.model, data)
        frame = kitchen.render("wrist")
        data.qpos[:7] = arm
        mujoco.mj_forward(kitchen.model, data)
        return frame

    def frame_set(self) -> FrameSet:
        """Everything rendered so far, stacked."""
        overview, wrist, fixtures, kettle, look = zip(*self.items, strict=True)
        return FrameSet(
            overview=np.stack(overview),
            wrist=np.stack(wrist),
            fixtures=np.stack(fixtures),
            kettle=np.asarray(kettle, dtype=np.int64),
            look=None if self.look_posture is None else np.stack(look),
        )


class Appearance:
    """Perturbs lights and camera poses of a kitchen's MjModel; `restore` undoes it."""

    def __init__(self, model: mujoco.MjModel) -> None:
        self.model = model
        self._light_pos = model.light_pos.copy()
        self._light_diffuse = model.light_diffuse.copy()
        self._cam_pos = model.cam_pos.copy()
        self._cam_quat = model.cam_quat.copy()

    def restore(self) -> None:
        """Put back the values the model was built with."""
        self.model.light_pos[:] = self._light_pos
        self.model.light_diffuse[:] = self._light_diffuse
        self.model.cam_pos[:] = self._cam_pos
        self.model.cam_quat[:] = self._cam_quat

    def sample(self, rng: np.random.Generator) -> None:
        """Jitter every light and camera around the built values."""
        m = self.model
        m.light_pos[:] = self._light_pos + rng.uniform(-LIGHT_SHIFT_M, LIGHT_SHIFT_M, (m.nlight, 3))
        gain = rng.uniform(*LIGHT_GAIN, (m.nlight, 1))
        m.light_diffuse[:] = np.clip(self._light_diffuse * gain, 0.0, 1.0)
        m.cam_pos[:] = self._cam_pos + rng.uniform(-CAMERA_SHIFT_M, CAMERA_SHIFT_M, (m.ncam, 3))
        for i in range(m.ncam):
            axis = rng.normal(size=3)
            angle = rng.uniform(-CAMERA_TILT_RAD, CAMERA_TILT_RAD)
            half = np.concatenate(
                [[np.cos(angle / 2)], np.sin(angle / 2) * axis / np.linalg.norm(axis)]
            )
            quat = np.zeros(4)
            mujoco.mju_mulQuat(quat, half, self._cam_quat[i])
            m.cam_quat[i] = quat


def sample_fixtures(kitchen: FrankaKitchen, rng: np.random.Generator) -> None:
    """Each fixture active with probability 1/2, anywhere in its sampling range."""
    for fx in FIXTURES:
        low, high = fx.active_range if rng.random() < 0.5 else fx.inactive_range
        perturb.set_fixture(kitchen.model, kitchen.data, fx, float(rng.uniform(low, high)))


def sample_kettle(kitchen: FrankaKitchen, rng: np.random.Generator) -> None:
    """On a burner (90%, jittered) or between burners (10%)."""
    if rng.random() < 0.1:
        x, y = OFF_BURNER_XY[rng.integers(len(OFF_BURNER_XY))]
    else:
        x, y = list(BURNER_XY.values())[rng.integers(len(BURNER_XY))]
    dx, dy = rng.uniform(-0.03, 0.03, 2)
    perturb.set_kettle(kitchen.data, kitchen.model, (x + dx, y + dy), float(rng.uniform(-0.5, 0.5)))


def _grasp_pose(kitchen: FrankaKitchen, rng: np.random.Generator) -> tuple[Pose, frozenset[int]]:
    """The scripted pick's grasp on the handle (from the front, level), slightly varied."""
    from skills.kitchen.carry import kettle_bodies, kettle_grasp  # noqa: PLC0415 - loads the simulator

    mujoco.mj_forward(kitchen.model, kitchen.data)
    grasp = kettle_grasp(kitchen, extra_yaw_rad=float(rng.uniform(-0.3, 0.3)))
    return grasp, kettle_bodies(kitchen)


def pose_hand_near_kettle(kitchen: FrankaKitchen, rng: np.random.Generator, mode: str) -> bool:
    """Place the kettle and put the hand near it by IK; False if no arm pose was found.

    `released`: kettle on a burner, open hand at or backed off its handle (after a place).
    `grasped`: kettle resting on a burner, fingers closed on the handle (before a lift).
    `hover`: kettle anywhere on the stove, the hand above the stove, tilted down.
    `carried`: kettle lifted over a burner, fingers closed on the handle (held).
    """
    from skills.kitchen.control import Pose, rotation_about  # noqa: PLC0415 - as above
    from skills.kitchen.ik import solve_ik  # noqa: PLC0415 - skills load the simulator

    model, data = kitchen.model, kitchen.data
    if mode == "hover":
        sample_kettle(kitchen, rng)
    else:
        x, y = list(BURNER_XY.values())[rng.integers(len(BURNER_XY))]
        dx, dy = rng.uniform(-0.03, 0.03, 2)
        perturb.set_kettle(data, model, (x + dx, y + dy), float(rng.uniform(-0.5, 0.5)))
    if mode == "carried":
        data.qpos[model.joint("kettle").qposadr[0] + 2] += rng.uniform(*CARRY_LIFT_M)
    grasp, kettle = _grasp_pose(kitchen, rng)
    if mode == "released":
        grasp = grasp.offset(-rng.uniform(*BACK_OFF_M))
        grasp = grasp.offset_world(np.array([0.0, 0.0, rng.uniform(0.0, 0.05)]))
    elif mode == "hover":
        above = np.array([*rng.uniform(-0.15, 0.15, 2), rng.uniform(*HOVER_M)])
        # Pitch the approach down by up to about 70 degrees.
        tilt = np.cross(np.array([0.0, 0.0, 1.0]), grasp.rotation[:, 2])
        rotation = rotation_about(tilt, float(rng.uniform(0.0, 1.2))) @ grasp.rotation
        grasp = Pose(grasp.position + above, rotation)
    q = solve_ik(
        kitchen,
        grasp,
        data.qpos[:7].copy(),
        restarts=6,
        iterations=100,
        rng_seed=int(rng.integers(1 << 31)),
        ignore_bodies=kettle,
    )
    if q is None:
        return False
    data.qpos[:7] = q
    closed = mode in ("grasped", "carried")
    data.qpos[7:9] = rng.uniform(*(FINGER_CLOSED_M if closed else FINGER_OPEN_M), 2)
    return True


def _restyle_and_render(
    kitchen: FrankaKitchen,
    appearance: Appearance,
    rng: np.random.Generator,
    i: int,
    rows: Rows,
) -> None:
    """Every fourth state keeps the stock appearance; the others get sampled lights/cameras."""
    if i % 4:
        appearance.sample(rng)
    else:
        appearance.restore()
    rows.add(kitchen)


def render_free(kitchen: FrankaKitchen, seed: int, n: int, rows: Rows) -> None:
    """`n` states from one reset: fixtures, kettle, arm and appearance resampled each time."""
    rng = np.random.default_rng(seed)
    kitchen.reset(seed=seed)
    appearance = Appearance(kitchen.model)
    arm = kitchen.data.qpos[:7].copy()
    for i in range(n):
        sample_fixtures(kitchen, rng)
        sample_kettle(kitchen, rng)
        jitter = rng.uniform(-ARM_JITTER_RAD, ARM_JITTER_RAD, 7) if i % 3 else np.zeros(7)
        kitchen.data.qpos[:7] = arm + jitter
        _restyle_and_render(kitchen, appearance, rng, i, rows)
    appearance.restore()


def render_held(kitchen: FrankaKitchen, seed: int, n: int, rows: Rows) -> None:
    """Pick the kettle with the scripted skill, then `n` variants of fixtures and appearance."""
    from skills.kitchen.specs import PickArgs  # noqa: PLC0415 - skills load the simulator
    from skills.registry import make_skill  # noqa: PLC0415 - skills load the simulator

    rng = np.random.default_rng(seed)
    kitchen.reset(seed=seed)
    make_skill("pick").run(kitchen, PickArgs(object="kettle"))
    appearance = Appearance(kitchen.model)
    for i in range(n):
        sample_fixtures(kitchen, rng)
        _restyle_and_render(kitchen, appearance, rng, i, rows)
    appearance.restore()


Posing = Callable[[np.random.Generator, int, NDArray[np.float64]], bool]
"""Sets up state `i` from the reset's arm and fingers (qpos[:9]); False skips the state."""


def _render_posed(
    kitchen: FrankaKitchen,
    seed: int,
    n: int,
    rows: Rows,
    *,
    stream: int,
    pose: Posing,
) -> None:
    """`n` states from one reset, fixtures sampled and each posed by `pose`, then rendered."""
    rng = np.random.default_rng((seed, stream))
    kitchen.reset(seed=seed)
    appearance = Appearance(kitchen.model)
    start = kitchen.data.qpos[:9].copy()
    for i in range(n):
        sample_fixtures(kitchen, rng)
        if pose(rng, i, start):
            _restyle_and_render(kitchen, appearance, rng, i, rows)
    appearance.restore()


def render_near_kettle(kitchen: FrankaKitchen, seed: int, n: int, rows: Rows) -> None:
    """`n` states with the hand near the kettle, cycling through `NEAR_KETTLE_MODES`."""

    def pose(rng: np.random.Generator, i: int, start: NDArray[np.float64]) -> bool:
        kitchen.data.qpos[:9] = start
        return pose_hand_near_kettle(kitchen, rng, NEAR_KETTLE_MODES[i % len(NEAR_KETTLE_MODES)])

    _render_posed(kitchen, seed, n, rows, stream=NEAR_KETTLE_STREAM, pose=pose)


def place_kettle_off_centre(kitchen: FrankaKitchen, rng: np.random.Generator) -> None:
    """The kettle near a random burner, a `KETTLE_EDGE_M` distance from its centre."""
    x, y = list(BURNER_XY.values())[rng.integers(len(BURNER_XY))]
    low, high = KETTLE_EDGE_M[rng.integers(len(KETTLE_EDGE_M))]
    distance, angle = rng.uniform(low, high), rng.uniform(0.0, 2 * np.pi)
    spot = (x + distance * np.cos(angle), y + distance * np.sin(angle))
    perturb.set_kettle(kitchen.data, kitchen.model, spot, float(rng.uniform(-0.5, 0.5)))


def render_kettle_edge(kitchen: FrankaKitchen, seed: int, n: int, rows: Rows) -> None:
    """`n` states with the kettle off a burner's centre (`place_kettle_off_centre`)."""

    def pose(rng: np.random.Generator, i: int, start: NDArray[np.float64]) -> bool:
        del i
        place_kettle_off_centre(kitchen, rng)
        kitchen.data.qpos[:7] = start[:7] + rng.uniform(-ARM_JITTER_RAD, ARM_JITTER_RAD, 7)
        return True

    _render_posed(kitchen, seed, n, rows, stream=KETTLE_EDGE_STREAM, pose=pose)


def render_frames(
    seeds: range,
    *,
    states_per_seed: int,
    held_every: int,
    held_variants: int,
    near_kettle: int = 0,
    kettle_edge: int = 0,
    look_posture: NDArray[np.float64] | None = None,
) -> FrameSet:
    """Render from every seed; every `held_every`-th seed also yields held-kettle frames.

    `near_kettle` more states per seed have the hand posed near the kettle, `kettle_edge`
    more the kettle off a burner's centre (both for training only). With `look_posture`,
    every state is also seen from the wrist with the arm there (`FrameSet.look`); the
    states themselves are the same either way.
    """
    kitchen = FrankaKitchen()
    rows = Rows(look_posture)
    try:
        for k, seed in enumerate(seeds):
            render_free(kitchen, seed, states_per_seed, rows)
            if held_every and k % held_every == 0:
                render_held(kitchen, seed, held_variants, rows)
            if near_kettle:
                render_near_kettle(kitchen, seed, near_kettle, rows)
            if kettle_edge:
                render_kettle_edge(kitchen, seed, kettle_edge, rows)
    finally:
        kitchen.close()
    return rows.frame_set()


def save(frames: FrameSet, path: str) -> None:
    """Write a FrameSet as a compressed .npz cache."""
    arrays = {
        "overview": frames.overview,
        "wrist": frames.wrist,
        "fixtures": frames.fixtures,
        "kettle": frames.kettle,
    }
    if frames.look is not None:
        arrays["look"] = frames.look
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy's stub: one positional


def load(path: str) -> FrameSet:
    """Read a FrameSet cache written by `save`."""
    with np.load(path) as z:
        look = z["look"] if "look" in z.files else None
        return FrameSet(z["overview"], z["wrist"], z["fixtures"], z["kettle"], look)


def calibrate_classical(kitchen: FrankaKitchen, seed: int = 0) -> ClassicalDetector:
    """Regions and templates for the classical detector, from renders of one neutral scene.

    Every fixture inactive and the kettle between burners, then each fixture activated
    (and the kettle put on each burner) alone, from the unperturbed overview camera.
    """
    kitchen.reset(seed=seed)
    model, data = kitchen.model, kitchen.data
    for fx in FIXTURES:
        perturb.set_fixture(model, data, fx, 0.0)
    perturb.set_kettle(data, model, OFF_BURNER_XY[-1], 0.0)
    mujoco.mj_forward(model, data)
    base = kitchen.render("overview")
    fixtures: dict[str, Region] = {}
    for fx, atom in zip(FIXTURES, FIXTURE_ATOMS, strict=True):
        perturb.set_fixture(model, data, fx, fx.active_target)
        mujoco.mj_forward(model, data)
        fixtures[str(atom)] = region_from_pair(base, kitchen.render("overview"))
        perturb.set_fixture(model, data, fx, 0.0)
    burners: dict[str, Region] = {}
    for xy, atom in zip(BURNER_XY.values(), ON_ATOMS, strict=True):
        perturb.set_kettle(data, model, xy, 0.0)
        mujoco.mj_forward(model, data)
        burners[str(atom)] = region_from_pair(base, kitchen.render("overview"))
    return ClassicalDetector(fixtures, burners)
