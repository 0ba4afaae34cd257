"""A fake embodiment for fast unit tests: no simulator, deterministic, labelled frames.

The "arm" is linear: the end effector sits at `A @ q`, so its Jacobian is the constant
`A`. The scene is a set of true atoms over the kitchen vocabulary; events and the fake
skill backends flip them. Frames are small images that paint each fixture's state in a
fixed cell, so perception code can be unit-tested against known labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from embodiments.base import (
    AppliedCommand,
    Command,
    Embodiment,
    FloatArray,
    Frame,
    Limits,
    Observation,
    Proprioception,
    SceneEvent,
)
from embodiments.errors import EmbodimentConfigError, EmbodimentStateError
from embodiments.registry import register_embodiment
from embodiments.scene import Atom, Pose, SceneTruth

N_JOINTS = 7
CELLS = (
    "open(microwave)",
    "open(slide_cabinet)",
    "open(hinge_cabinet)",
    "turned_on(bottom_left_burner)",
    "turned_on(bottom_right_burner)",
    "turned_on(top_left_burner)",
    "turned_on(top_right_burner)",
    "turned_on(light)",
    "holding(kettle)",
    "on(kettle, bottom_left_burner)",
    "on(kettle, bottom_right_burner)",
    "on(kettle, top_left_burner)",
    "on(kettle, top_right_burner)",
)
ARM_CELL = 13  # cell (row 3, column 1) shows the arm; cell 15 a person


@dataclass(frozen=True, kw_only=True)
class FakeConfig:
    """Settings of the fake embodiment."""

    image_size_px: int = 128  # the frame checks expect the kitchen cameras' 128 x 128
    cameras: tuple[str, ...] = ("overview", "wrist")
    control_rate_hz: float = 12.5
    max_joint_velocity_rad_s: float = 2.0
    initial_atoms: tuple[str, ...] = ("on(kettle, bottom_left_burner)",)
    randomize: bool = True
    fixture_xy: tuple[tuple[str, float, float], ...] = ()
    """The fake's map: (object, x, y) of fixtures the presence sensor measures from."""


@dataclass
class _State:
    q: FloatArray = field(default_factory=lambda: np.zeros(N_JOINTS))
    qd: FloatArray = field(default_factory=lambda: np.zeros(N_JOINTS))
    gripper: float = 1.0
    atoms: set[Atom] = field(default_factory=set)
    person: Pose | None = None
    ticks: int = 0


class FakeEmbodiment(Embodiment):
    """A deterministic, instant embodiment; registered as "fake"."""

    name = "fake"

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.config = config or FakeConfig()
        self._jacobian = np.linspace(-0.1, 0.1, 3 * N_JOINTS).reshape(3, N_JOINTS)
        self._state: _State | None = None
        self._limits = Limits(
            joint_position_min_rad=np.full(N_JOINTS, -2.9),
            joint_position_max_rad=np.full(N_JOINTS, 2.9),
            joint_velocity_max_rad_s=np.full(N_JOINTS, self.config.max_joint_velocity_rad_s),
            workspace_min_m=(-1.0, -1.0, 0.0),
            workspace_max_m=(1.0, 1.0, 2.0),
            control_rate_hz=self.config.control_rate_hz,
            camera_names=self.config.cameras,
        )

    @property
    def limits(self) -> Limits:
        """Joint, speed and workspace limits."""
        return self._limits

    def reset(self, seed: int | None = None) -> Observation:
        """Start state; with `randomize`, the seed opens or switches on a few fixtures."""
        rng = np.random.default_rng(seed)
        atoms = {Atom.parse(a) for a in self.config.initial_atoms}
        if self.config.randomize:
            atoms |= {Atom.parse(c) for c in CELLS[:8] if rng.random() < 0.3}
        self._state = _State(q=rng.uniform(-0.5, 0.5, N_JOINTS), atoms=atoms)
        return self.observe()

    def _require(self) -> _State:
        if self._state is None:
            msg = "call reset() before using the fake embodiment"
            raise EmbodimentStateError(msg)
        return self._state

    def observe(self) -> Observation:
        """Frames that paint the state; proprioception from the linear arm."""
        st = self._require()
        frames = {name: self._render(st, i) for i, name in enumerate(self.config.cameras)}
        return Observation(
            frames=frames, proprio=self.proprio(), time_s=st.ticks / self.limits.control_rate_hz
        )

    def proprio(self) -> Proprioception:
        """Joint state of the linear arm."""
        st = self._require()
        return Proprioception(
            joint_position_rad=st.q.copy(),
            joint_velocity_rad_s=st.qd.copy(),
            gripper_opening_m=0.08 * st.gripper,
            end_effector_position_m=self._jacobian @ st.q,
        )

    def _render(self, st: _State, camera_index: int) -> Frame:
        size = self.config.image_size_px
        img = np.full((size, size, 3), 40 + 20 * camera_index, dtype=np.uint8)
        cell = max(1, size // 4)
        for i, text in enumerate(CELLS):
            r, c = divmod(i, 4)
            on = Atom.parse(text) in st.atoms
            img[r * cell : (r + 1) * cell - 1, c * cell : (c + 1) * cell - 1] = (
                (230, 200, 40) if on else (20, 20, 90)
            )
        # The arm, as a real camera would show it: a patch whose colour follows the joints.
        r, c = divmod(ARM_CELL, 4)
        arm = (30 + 200 * np.mod(np.abs(st.q[:3]), 1.0)).astype(np.uint8)
        img[r * cell : (r + 1) * cell - 1, c * cell : (c + 1) * cell - 1] = arm
        if st.person is not None:
            img[-cell:, -cell:] = (220, 120, 120)
        return img

    def apply(self, command: Command) -> AppliedCommand:
        """Clamp to velocity and position limits, integrate one tick, report the clamps."""
        st = self._require()
        lim = self.limits
        clamped: list[str] = []
        req = np.asarray(command.joint_velocity_rad_s, dtype=np.float64)
        if req.shape != (N_JOINTS,) or not np.all(np.isfinite(req)):
            clamped.append("joint_velocity_rad_s:invalid")
            req = np.zeros(N_JOINTS)
        vel = np.clip(req, -lim.joint_velocity_max_rad_s, lim.joint_velocity_max_rad_s)
        clamped += [f"joint_velocity_rad_s[{i}]" for i in np.flatnonzero(vel != req)]
        dt = 1.0 / lim.control_rate_hz
        target = st.q + vel * dt
        new_q = np.clip(target, lim.joint_position_min_rad, lim.joint_position_max_rad)
        clamped += [f"joint_position_rad[{i}]" for i in np.flatnonzero(new_q != target)]
        vel = (new_q - st.q) / dt
        grip = float(np.clip(command.gripper, 0.0, 1.0)) if np.isfinite(command.gripper) else 1.0
        if grip != command.gripper:
            clamped.append("gripper")
        st.q, st.qd, st.gripper = new_q, vel, grip
        st.ticks += 1
        sent = Command(vel, grip)
        return AppliedCommand(requested=command, sent=sent, clamped=tuple(clamped))

    def stop(self) -> None:
        """Zero velocity; idempotent."""
        st = self._require()
        st.qd = np.zeros(N_JOINTS)

    def end_effector_jacobian(self) -> FloatArray:
        """The constant linear Jacobian of the fake arm."""
        return self._jacobian.copy()

    def scene_truth(self) -> SceneTruth:
        """The atoms as they are; evaluation and labelling only."""
        st = self._require()
        people = (st.person,) if st.person is not None else ()
        return SceneTruth(
            atoms=frozenset(st.atoms), people=people, time_s=st.ticks / self.limits.control_rate_hz
        )

    def person_distance_m(self) -> float | None:
        """The fake presence sensor: distance from the arm's end effector to the person."""
        st = self._require()
        if st.person is None:
            return None
        hand = self._jacobian @ st.q
        return float(np.hypot(*(np.asarray(st.person.position_m[:2]) - hand[:2])))

    def person_distance_from_m(self, obj: str) -> float | None:
        """Metres from `obj` on the configured map to the person; None when not on it."""
        st = self._require()
        where = {name: (x, y) for name, x, y in self.config.fixture_xy}
        if st.person is None or obj not in where:
            return None
        return float(np.hypot(*(np.asarray(st.person.position_m[:2]) - where[obj])))

    def snapshot(self) -> bytes:
        """The fake's state as JSON bytes (joint positions, gripper, atoms, person, ticks)."""
        st = self._require()
        person = None if st.person is None else list(st.person.position_m)
        data = {
            "q": st.q.tolist(),
            "gripper": st.gripper,
            "atoms": sorted(map(str, st.atoms)),
            "person": person,
            "ticks": st.ticks,
        }
        return json.dumps(data).encode()

    def restore(self, snapshot: bytes) -> None:
        """Restore a `snapshot()`."""
        try:
            data = json.loads(snapshot)
            self._state = _State(
                q=np.asarray(data["q"], dtype=np.float64),
                gripper=float(data["gripper"]),
                atoms={Atom.parse(a) for a in data["atoms"]},
                person=None if data["person"] is None else Pose(_xyz(data["person"])),
                ticks=int(data["ticks"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            msg = f"not a snapshot of the fake embodiment ({exc}); start a new run"
            raise EmbodimentStateError(msg) from None

    # -- test hooks: the fake skill backends and events change the scene directly --------

    def set_atom(self, atom: Atom | str, value: bool) -> None:
        """Make an atom true or false (used by fake skills and events)."""
        st = self._require()
        parsed = Atom.parse(atom) if isinstance(atom, str) else atom
        if value:
            st.atoms.add(parsed)
        else:
            st.atoms.discard(parsed)

    def event_kinds(self) -> tuple[str, ...]:
        """Events the fake understands."""
        return ("close", "open", "turn_off", "turn_on", "drop", "place_person", "remove_person")

    def inject(self, event: SceneEvent) -> None:
        """Flip the atom an event names; unknown kinds raise with the valid list."""
        st = self._require()
        flips = {
            "close": ("open", False),
            "open": ("open", True),
            "turn_off": ("turned_on", False),
            "turn_on": ("turned_on", True),
        }
        if event.kind in flips:
            pred, value = flips[event.kind]
            self.set_atom(Atom(pred, (event.target,)), value)
        elif event.kind == "drop":
            self.set_atom("holding(kettle)", False)
        elif event.kind == "place_person":
            st.person = Pose((0.0, 0.5 if event.value is None else event.value, 0.0))
        elif event.kind == "remove_person":
            st.person = None
        else:
            msg = f"unknown event kind {event.kind!r}; valid kinds: {', '.join(self.event_kinds())}"
            raise EmbodimentConfigError(msg)


@register_embodiment("fake")
def make_fake(**config: object) -> FakeEmbodiment:
    """Build the fake embodiment from keyword settings (see FakeConfig)."""
    try:
        cfg = FakeConfig(**config)  # type: ignore[arg-type]  # values validated by dataclass use
    except TypeError as exc:
        msg = f"invalid fake embodiment setting: {exc}"
        raise EmbodimentConfigError(msg) from None
    return FakeEmbodiment(cfg)


def _xyz(values: list[float]) -> tuple[float, float, float]:
    x, y, z = (float(v) for v in values)
    return (x, y, z)
