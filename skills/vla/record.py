"""Record demonstrations: the scripted expert from seeded randomised starts, saved for LeRobot.

A `Recorder` wraps the embodiment: before each command it observes (frames and state)
and keeps the pair (observation, command), so the expert runs unchanged. With
`action_noise_rad_s` > 0 it perturbs what is sent, not what is recorded (DART): the
closed-loop expert corrects the drift, and the dataset shows how to recover from states a
learned policy will wander into. Success is judged by scene truth, which only labels data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog

from embodiments.base import AppliedCommand, Command, Embodiment, EmbodimentWrapper, Frame
from skills.kitchen.episodes import Variant, _prepare
from skills.registry import get_spec, make_skill
from skills.vla.base import Float32Array, state_vector
from skills.vla.errors import DatasetError
from skills.vla.language import instruction
from skills.vla.lerobot_format import EpisodeRecord, LeRobotWriter, frames_of

log = structlog.get_logger("steward.skills.vla.record")

RECORD_SEED_START = 100_000
"""Recording seeds start here; benchmarks use seeds 0..N-1, so they never overlap."""


class Recorder(EmbodimentWrapper):
    """Keeps (frames, state, commanded action) for every tick; optionally perturbs what is sent."""

    def __init__(
        self,
        inner: Embodiment,
        *,
        cameras: Sequence[str],
        action_noise_rad_s: float = 0.0,
        seed: int = 0,
    ) -> None:
        super().__init__(inner)
        self.cameras = tuple(cameras)
        self.noise = action_noise_rad_s
        self._rng = np.random.default_rng(seed)
        self.frames: list[dict[str, Frame]] = []
        self.states: list[Float32Array] = []
        self.actions: list[Float32Array] = []

    def apply(self, command: Command) -> AppliedCommand:
        """Observe, record the expert's command, send it (plus noise when asked)."""
        obs = self.inner.observe()
        missing = [c for c in self.cameras if c not in obs.frames]
        if missing:
            msg = (
                f"the embodiment renders no {', '.join(missing)} camera (it has "
                f"{', '.join(obs.frames) or 'none'}); record with the kitchen's default cameras"
            )
            raise DatasetError(msg)
        self.frames.append({c: obs.frames[c] for c in self.cameras})
        self.states.append(state_vector(obs))
        vmax = self.inner.limits.joint_velocity_max_rad_s
        velocity = np.clip(np.asarray(command.joint_velocity_rad_s), -vmax, vmax)
        grip = float(np.clip(command.gripper, 0.0, 1.0))
        self.actions.append(np.append(velocity, grip).astype(np.float32))
        if self.noise > 0.0:
            noisy = velocity + self._rng.normal(0.0, self.noise, size=velocity.shape)
            command = Command(noisy, command.gripper)
        return self.inner.apply(command)

    def episode(self, *, task: str, seed: int, success: bool) -> EpisodeRecord:
        """What was recorded, as one episode."""
        return EpisodeRecord(
            task=task,
            seed=seed,
            success=success,
            frames={c: frames_of(self.frames, c) for c in self.cameras},
            state=np.stack(self.states),
            action=np.stack(self.actions),
        )


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What `record` wrote."""

    root: Path
    episodes: int
    successes: int
    frames: int
    wall_s: float


def record_episode(
    embodiment: Embodiment,
    variant: Variant,
    seed: int,
    *,
    cameras: Sequence[str],
    action_noise_rad_s: float,
) -> EpisodeRecord | None:
    """Reset from `seed`, set preconditions, run the expert recording; None if setup failed."""
    embodiment.reset(seed)
    if _prepare(embodiment, variant) is not None:
        return None
    spec = get_spec(variant.skill)
    args = spec.validate_arguments(dict(variant.arguments))
    recorder = Recorder(
        embodiment, cameras=cameras, action_noise_rad_s=action_noise_rad_s, seed=seed
    )
    make_skill(variant.skill, "scripted").run(recorder, args)
    if not recorder.states:
        return None
    _, effects = spec.ground(args)
    atoms = embodiment.scene_truth().atoms  # labels the data; the policy never sees it
    success = all(e.holds_in(atoms) for e in effects)
    return recorder.episode(task=instruction(spec.name, args), seed=seed, success=success)


def record(
    embodiment: Embodiment,
    variants: Sequence[Variant],
    *,
    episodes: int,
    out: Path,
    seed_start: int = RECORD_SEED_START,
    action_noise_rad_s: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> RecordSummary:
    """Record `episodes` expert episodes of every variant into a LeRobot dataset at `out`."""
    started = time.monotonic()
    limits = embodiment.limits
    cameras = limits.camera_names
    if not cameras:
        msg = "the embodiment has no cameras; a visuomotor policy needs frames to learn from"
        raise DatasetError(msg)
    first = embodiment.reset(seed_start)
    h, w, c = first.frames[cameras[0]].shape
    writer = LeRobotWriter(
        out,
        fps=limits.control_rate_hz,
        cameras=cameras,
        image_shape=(h, w, c),
        robot_type=embodiment.name,
    )
    successes = frames = written = 0
    for variant in variants:
        for seed in range(seed_start, seed_start + episodes):
            ep = record_episode(
                embodiment,
                variant,
                seed,
                cameras=cameras,
                action_noise_rad_s=action_noise_rad_s,
            )
            if ep is None:
                log.warning("record.skipped", variant=variant.label, seed=seed)
                continue
            writer.add(ep)
            written += 1
            successes += int(ep.success)
            frames += ep.length
            log.info("record.episode", variant=variant.label, seed=seed, success=ep.success)
            if progress is not None:
                mark = "ok" if ep.success else "FAILED"
                progress(f"{variant.label} seed {seed}: {ep.length} frames, {mark}")
    writer.finish()
    return RecordSummary(out, written, successes, frames, time.monotonic() - started)


def variants_for(skill: str, targets: Sequence[str]) -> tuple[Variant, ...]:
    """The variants of `skill` for each target; arguments with one valid value fill themselves.

    The target fills `target` (doors, switches), else `destination` (place), else the
    skill's only argument (pick). Bad names raise SkillArgumentError with the valid ones.
    """
    spec = get_spec(skill)
    choices = spec.argument_choices()
    field = next((f for f in ("target", "destination") if f in choices), next(iter(choices)))
    fixed = {k: v[0] for k, v in choices.items() if k != field and len(v) == 1}
    open_fields = [k for k, v in choices.items() if k != field and len(v) != 1]
    if open_fields:
        msg = f"skill {skill!r} needs more than a target ({', '.join(open_fields)})"
        raise DatasetError(msg)
    if not targets:
        targets = choices[field] if len(choices[field]) == 1 else ()
    if not targets:
        msg = f"name at least one --target for {skill!r}: {', '.join(choices[field])}"
        raise DatasetError(msg)
    out = []
    for target in targets:
        args = spec.validate_arguments({**fixed, field: target})
        out.append(Variant(skill, tuple((k, str(v)) for k, v in args.model_dump().items())))
    return tuple(out)
