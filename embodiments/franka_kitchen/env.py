"""The Franka Kitchen embodiment: gymnasium-robotics' FrankaKitchen-v1 behind `Embodiment`.

Commands are arm joint velocities and a gripper opening; they go through the
gymnasium environment's own `step` (joint velocity -> position targets, 12.5 Hz).
Frames come from MuJoCo's offscreen renderer: OSMesa on a CPU, with shadows and
multisampling off unless the config asks for them (about 20x slower with them on).
"""

from __future__ import annotations

import mujoco
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
from embodiments.errors import EmbodimentSetupError, EmbodimentStateError
from embodiments.franka_kitchen import perturb, truth
from embodiments.franka_kitchen.config import KitchenConfig
from embodiments.franka_kitchen.layout import BURNER_XY, FIXTURE_BY_ENTITY
from embodiments.franka_kitchen.model import build_model, kitchen_env_class
from embodiments.scene import SceneTruth

N_ARM = 7
FINGER_MAX_M = 0.04
ACTION_SCALE_RAD_S = 2.0  # gymnasium's FrankaRobot maps action 1.0 to 2 rad/s
WORKSPACE_MIN_M = (-1.2, -0.6, 1.5)
WORKSPACE_MAX_M = (0.9, 1.2, 3.0)


class FrankaKitchen(Embodiment):
    """A Franka arm in the kitchen: microwave, kettle, four burners, light, two cabinets."""

    name = "franka_kitchen"

    def __init__(self, config: KitchenConfig | None = None) -> None:
        self.config = config or KitchenConfig()
        self._env = kitchen_env_class()(
            robot_noise_ratio=self.config.robot_noise_ratio, object_noise_ratio=0.0
        )
        self.model = build_model(self.config)
        self.data = mujoco.MjData(self.model)
        robot = self._env.robot_env
        # Same degrees of freedom, extra cameras and a mocap body: swap the model in.
        robot.model, robot.data = self.model, self.data
        self._env.model, self._env.data = self.model, self.data
        robot.init_qvel = np.zeros(self.model.nv)
        self._dt = float(robot.dt)
        # The tightest of gymnasium's config bounds, the joints' own ranges and the
        # actuators' control ranges (joint 6, for one, stops at 2.11 rad, not 3.8).
        bounds = np.stack(
            [
                robot.robot_pos_bound[:N_ARM],
                self.model.jnt_range[:N_ARM],
                self.model.actuator_ctrlrange[:N_ARM],
            ]
        )
        self._limits = Limits(
            joint_position_min_rad=bounds[:, :, 0].max(axis=0),
            joint_position_max_rad=bounds[:, :, 1].min(axis=0),
            joint_velocity_max_rad_s=np.full(N_ARM, self.config.max_joint_velocity_rad_s),
            workspace_min_m=WORKSPACE_MIN_M,
            workspace_max_m=WORKSPACE_MAX_M,
            control_rate_hz=1.0 / self._dt,
            camera_names=self.config.cameras,
        )
        self._kp = self.model.actuator_gainprm[:, 0].copy()
        self._renderer: mujoco.Renderer | None = None
        self._started = False
        self._forced_open_ticks = 0

    @property
    def limits(self) -> Limits:
        """Joint limits of the model and its actuators, the configured speed cap, 12.5 Hz."""
        return self._limits

    # -- episode ---------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> Observation:
        """Reset; with `randomize`, sample fixtures, kettle pose and arm from the seed."""
        self._env.reset(seed=seed)
        if self.config.randomize:
            perturb.randomize(self.model, self.data, np.random.default_rng(seed))
        mujoco.mj_forward(self.model, self.data)
        self._started = True
        self._forced_open_ticks = 0
        self.stop()
        hold = Command.hold(N_ARM, self.gripper_opening_fraction())
        for _ in range(self.config.settle_ticks):
            self.apply(hold)
        return self.observe()

    def _require_started(self) -> None:
        if not self._started:
            msg = "call reset() before observe/apply on franka_kitchen"
            raise EmbodimentStateError(msg)

    # -- sensing ---------------------------------------------------------------------

    def observe(self) -> Observation:
        """Frames from every configured camera, proprioception, simulation time."""
        self._require_started()
        frames = {name: self.render(name) for name in self.config.cameras}
        return Observation(frames=frames, proprio=self.proprio(), time_s=float(self.data.time))

    def proprio(self) -> Proprioception:
        """Joint state, gripper opening and end-effector position."""
        return Proprioception(
            joint_position_rad=self.data.qpos[:N_ARM].copy(),
            joint_velocity_rad_s=self.data.qvel[:N_ARM].copy(),
            gripper_opening_m=float(self.data.qpos[7] + self.data.qpos[8]),
            end_effector_position_m=self.data.site("end_effector").xpos.copy(),
        )

    def render(self, camera: str) -> Frame:
        """One RGB frame from a named camera."""
        renderer = self._ensure_renderer()
        renderer.update_scene(self.data, camera=camera)
        frame: Frame = renderer.render().copy()
        return frame

    def _ensure_renderer(self) -> mujoco.Renderer:
        if self._renderer is None:
            try:
                self._renderer = mujoco.Renderer(
                    self.model, self.config.image_height_px, self.config.image_width_px
                )
            except Exception as exc:
                msg = (
                    f"cannot create an offscreen renderer ({exc}). On Debian/Ubuntu run "
                    "`sudo apt-get install -y libosmesa6`, and set MUJOCO_GL=osmesa before "
                    "anything imports mujoco"
                )
                raise EmbodimentSetupError(msg) from exc
            flags = self._renderer.scene.flags
            flags[mujoco.mjtRndFlag.mjRND_SHADOW] = self.config.shadows
            flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = self.config.shadows
        return self._renderer

    def gripper_opening_fraction(self) -> float:
        """Current opening of the gripper in [0, 1]."""
        return float(np.clip((self.data.qpos[7] + self.data.qpos[8]) / (2 * FINGER_MAX_M), 0, 1))

    # -- acting ----------------------------------------------------------------------

    def apply(self, command: Command) -> AppliedCommand:
        """Clamp to speed and joint limits, step the simulator one control tick."""
        self._require_started()
        lim = self._limits
        clamped: list[str] = []
        req = np.asarray(command.joint_velocity_rad_s, dtype=np.float64)
        if req.shape != (N_ARM,) or not np.all(np.isfinite(req)):
            clamped.append("joint_velocity_rad_s:invalid")
            req = np.zeros(N_ARM)
        q = self.data.qpos[:N_ARM]
        vmax = lim.joint_velocity_max_rad_s
        low = np.maximum(-vmax, (lim.joint_position_min_rad - q) / self._dt)
        high = np.minimum(vmax, (lim.joint_position_max_rad - q) / self._dt)
        vel = np.clip(req, np.minimum(low, 0.0), np.maximum(high, 0.0))
        clamped += [f"joint_velocity_rad_s[{i}]" for i in np.flatnonzero(~np.isclose(vel, req))]
        grip = float(command.gripper) if np.isfinite(command.gripper) else 1.0
        if not 0.0 <= grip <= 1.0 or grip != command.gripper:
            clamped.append("gripper")
        grip = float(np.clip(grip, 0.0, 1.0))
        if self._forced_open_ticks > 0:
            self._forced_open_ticks -= 1
            clamped.append("gripper:forced_open")
            grip = 1.0
        finger_target = grip * FINGER_MAX_M
        finger_vel = (finger_target - self.data.qpos[7:9]) / self._dt
        # The arm is position-controlled (target = q + v dt). Gravity makes it sag below
        # the target by bias/kp, so the velocity it is asked for would never be reached:
        # adding the sag to the target lets the arm track commanded velocities.
        sag = self.data.qfrc_bias[:N_ARM] / self._kp[:N_ARM] / self._dt
        action = np.concatenate([vel + sag, finger_vel]) / ACTION_SCALE_RAD_S
        self._env.step(np.clip(action, -1.0, 1.0))
        sent = Command(vel, grip)
        return AppliedCommand(requested=command, sent=sent, clamped=tuple(clamped))

    def stop(self) -> None:
        """Hold every joint where it is from the next physics step on. Idempotent."""
        self._require_started()
        self.data.ctrl[:9] = self.data.qpos[:9]
        self.data.qvel[:9] = 0.0

    # -- kinematics for controllers and the shield -------------------------------------

    def end_effector_jacobian(self) -> FloatArray:
        """3 x 7 linear Jacobian of the end-effector site (world frame)."""
        return self.end_effector_jacobian_full()[:3]

    def end_effector_jacobian_full(self) -> FloatArray:
        """6 x 7 Jacobian (linear; angular) of the end-effector site."""
        jacp = np.zeros((3, self.model.nv))
        jacr = np.zeros((3, self.model.nv))
        mujoco.mj_jacSite(self.model, self.data, jacp, jacr, self.model.site("end_effector").id)
        return np.vstack([jacp[:, :N_ARM], jacr[:, :N_ARM]])

    def end_effector_rotation(self) -> FloatArray:
        """3 x 3 rotation matrix of the end-effector site (world frame)."""
        return np.asarray(self.data.site("end_effector").xmat, dtype=np.float64).reshape(3, 3)

    def joint_frame(self, joint: str) -> tuple[FloatArray, FloatArray, float]:
        """Anchor, unit axis (world) and current value of a joint (privileged, for experts)."""
        jid = self.model.joint(joint).id
        value = float(self.data.qpos[self.model.jnt_qposadr[jid]])
        return self.data.xanchor[jid].copy(), self.data.xaxis[jid].copy(), value

    def site_position(self, site: str) -> FloatArray:
        """World position of a named site (privileged: for scripted experts and evaluation)."""
        return np.array(self.data.site(site).xpos, dtype=np.float64)

    # -- evaluation and perturbation ----------------------------------------------------

    def scene_truth(self) -> SceneTruth:
        """Ground truth for evaluation and data labelling only."""
        self._require_started()
        return truth.scene_truth(self.model, self.data)

    def event_kinds(self) -> tuple[str, ...]:
        """Events this embodiment understands."""
        return perturb.EVENT_KINDS

    def inject(self, event: SceneEvent) -> None:
        """Apply a perturbation now (a door closed by someone, a person near the stove...)."""
        self._require_started()
        self._forced_open_ticks = max(
            self._forced_open_ticks, perturb.apply_event(self.model, self.data, event)
        )

    def person_distance_m(self) -> float | None:
        """The simulated presence sensor: horizontal metres from the hand to a person."""
        self._require_started()
        person = truth.person_pose(self.data)
        if person is None:
            return None
        hand = self.data.site("end_effector").xpos
        return float(np.hypot(person.position_m[0] - hand[0], person.position_m[1] - hand[1]))

    def person_distance_from_m(self, obj: str) -> float | None:
        """Metres from a burner's centre or a door's or switch's joint to the person.

        The presence sensor against the kitchen's map, horizontally. The kettle moves,
        so it is not on the map.
        """
        self._require_started()
        person = truth.person_pose(self.data)
        if person is None:
            return None
        if obj in BURNER_XY:
            x, y = BURNER_XY[obj]
        elif obj in FIXTURE_BY_ENTITY:
            x, y = self.data.joint(FIXTURE_BY_ENTITY[obj].joint).xanchor[:2]
        else:
            return None
        return float(np.hypot(person.position_m[0] - x, person.position_m[1] - y))

    # -- durable runs ----------------------------------------------------------------

    def snapshot(self) -> bytes:
        """Physics state (positions, velocities, controls, mocap, time) and forced-open ticks."""
        self._require_started()
        spec = mujoco.mjtState.mjSTATE_INTEGRATION
        state = np.empty(mujoco.mj_stateSize(self.model, spec))
        mujoco.mj_getState(self.model, self.data, state, spec)
        return np.concatenate([[float(self._forced_open_ticks)], state]).tobytes()

    def restore(self, snapshot: bytes) -> None:
        """Restore a `snapshot()`; a snapshot of another model raises with both sizes."""
        spec = mujoco.mjtState.mjSTATE_INTEGRATION
        values = np.frombuffer(snapshot, dtype=np.float64)
        size = mujoco.mj_stateSize(self.model, spec)
        if values.size != size + 1:
            msg = (
                f"snapshot has {values.size - 1} state values, this kitchen model needs "
                f"{size}: it was taken on another model or version; start a new run"
            )
            raise EmbodimentStateError(msg)
        if not self._started:
            self._env.reset(seed=0)
            self._started = True
        mujoco.mj_setState(self.model, self.data, values[1:].copy(), spec)
        mujoco.mj_forward(self.model, self.data)
        self._forced_open_ticks = int(values[0])

    def close(self) -> None:
        """Free the renderer and the gymnasium environment."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
        self._env.close()
