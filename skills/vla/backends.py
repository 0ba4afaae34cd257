"""The learned skill backends, registered for every kitchen skill: `vla` and `openpi`.

- `vla` runs a local checkpoint from `steward train`, found at `checkpoint=` or
  `$STEWARD_VLA_DIR/<skill>` (default ~/.cache/steward/vla/<skill>);
- `openpi` asks a policy server speaking the openpi protocol, at `url=` or
  `$STEWARD_OPENPI_URL` (default ws://127.0.0.1:8000).

Both expose `source` (the checkpoint directory or the server URL) for the step log,
touch neither disk nor network before `run`, return CANCELLED before anything else when
the token is already set, and run through the same closed loop (`runner.run_chunked`).
A LeRobot-policy backend is left out: lerobot 0.6.1 needs Python >= 3.12, torch < 2.12
and numpy < 2.3, and this project runs Python 3.11 with torch 2.13 and numpy 2.4; lerobot
0.4.4 (Python 3.11) imports torchvision, which the package index has for torch 2.13 only as
a CUDA build that does not load next to the CPU torch.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from embodiments.base import Embodiment
from skills.base import CancelToken, Skill, SkillResult, SkillStatus
from skills.errors import SkillIncompatibleError
from skills.kitchen.specs import KITCHEN_SPECS
from skills.registry import register_skill
from skills.vla.base import ACTION_NAMES, ChunkPolicy
from skills.vla.config import PolicyConfig, VLASettings
from skills.vla.errors import CheckpointError
from skills.vla.language import instruction
from skills.vla.runner import run_chunked

OPENPI_CAMERAS = ("overview", "wrist")


class LearnedSkill(Skill):
    """Shared `run`: arguments, cancel, compatibility, then the chunked closed loop."""

    source: str

    def __init__(self, settings: VLASettings | None = None) -> None:
        self.settings = settings or VLASettings.from_env()
        self._policy: ChunkPolicy | None = None

    @abstractmethod
    def required_cameras(self) -> tuple[str, ...]:
        """Cameras the policy needs."""

    @abstractmethod
    def load(self, task: str) -> tuple[ChunkPolicy, int]:
        """The policy (loaded or connected once) and the tick budget for `task`."""

    def supports(self, embodiment: Embodiment) -> bool:
        """An arm with joints + gripper matching the actions, and the cameras the policy sees."""
        limits = embodiment.limits
        has_cameras = set(self.required_cameras()) <= set(limits.camera_names)
        return has_cameras and limits.n_joints + 1 == len(ACTION_NAMES)

    def run(
        self, embodiment: Embodiment, arguments: BaseModel, *, cancel: CancelToken | None = None
    ) -> SkillResult:
        """Validate, refuse what cannot work before moving, then run closed-loop."""
        args = self.spec.validate_arguments(arguments)
        token = cancel or CancelToken()
        if token.cancelled:
            embodiment.stop()
            return SkillResult(SkillStatus.CANCELLED, token.reason or "cancelled")
        if not self.supports(embodiment):
            msg = (
                f"{self.spec.name}:{self.backend} needs {len(ACTION_NAMES) - 1} joints + "
                f"gripper and cameras {', '.join(self.required_cameras())}; embodiment "
                f"{embodiment.name!r} has {embodiment.limits.n_joints} joints and cameras "
                f"{', '.join(embodiment.limits.camera_names) or 'none'}"
            )
            raise SkillIncompatibleError(msg)
        task = instruction(self.spec.name, args)
        policy, max_ticks = self.load(task)
        return run_chunked(
            embodiment,
            policy,
            task,
            cancel=token,
            config=self.settings.run,
            max_ticks=max_ticks,
        )


class VLASkill(LearnedSkill):
    """A local checkpoint trained by `steward train`."""

    backend: ClassVar[str] = "vla"

    def __init__(self, checkpoint: Path | None = None, settings: VLASettings | None = None) -> None:
        super().__init__(settings)
        self.checkpoint = checkpoint or self.settings.checkpoint_dir(self.spec.name)
        self.source = str(self.checkpoint)
        self._config: PolicyConfig | None = None

    def _read_config(self) -> PolicyConfig | None:
        from skills.vla.checkpoint import CONFIG_FILE, read_config  # noqa: PLC0415 - torch

        if self._config is None and (self.checkpoint / CONFIG_FILE).is_file():
            self._config = read_config(self.checkpoint, skill=self.spec.name)
        return self._config

    def required_cameras(self) -> tuple[str, ...]:
        """The checkpoint's cameras (the default pair when there is no checkpoint yet)."""
        config = self._read_config()
        return config.cameras if config is not None else PolicyConfig().cameras

    def load(self, task: str) -> tuple[ChunkPolicy, int]:
        """Load the checkpoint once; refuse a task it was not trained on."""
        from skills.vla.checkpoint import LocalPolicy, load_policy  # noqa: PLC0415 - torch

        if self._policy is None:
            self._policy = load_policy(self.checkpoint, skill=self.spec.name)
        assert isinstance(self._policy, LocalPolicy)  # set just above
        config = self._policy.config
        if config.tasks and task not in config.tasks:
            trained = ", ".join(repr(t) for t in config.tasks)
            msg = (
                f"checkpoint {self.checkpoint} was trained on {trained}, not {task!r}. Record "
                f"that target (`steward record {self.spec.name} --target ...`) and retrain "
                "with its dataset added"
            )
            raise CheckpointError(msg)
        budget = self.settings.run.max_ticks or round(1.5 * config.max_episode_ticks)
        return self._policy, budget


class OpenPISkill(LearnedSkill):
    """A remote policy server speaking the openpi protocol (pi0, pi0.5, or ours)."""

    backend: ClassVar[str] = "openpi"

    def __init__(self, url: str | None = None, settings: VLASettings | None = None) -> None:
        super().__init__(settings)
        self.url = url or self.settings.openpi_url
        self.source = self.url

    def required_cameras(self) -> tuple[str, ...]:
        """DROID servers see an exterior and a wrist camera."""
        return OPENPI_CAMERAS

    def load(self, task: str) -> tuple[ChunkPolicy, int]:
        """Connect once (the handshake fails fast with a PolicyServerError)."""
        from skills.vla.openpi_client import OpenPIClient  # noqa: PLC0415 - websockets

        del task  # a remote policy takes any prompt; the server decides what it knows
        if self._policy is None:
            client = OpenPIClient(
                self.url,
                api_key=self.settings.openpi_api_key,
                timeout_s=self.settings.openpi_timeout_s,
            )
            client.connect()
            self._policy = client
        return self._policy, self.settings.run.max_ticks or self.settings.openpi_max_ticks


def _register_all() -> None:
    for spec in KITCHEN_SPECS:
        for base in (VLASkill, OpenPISkill):
            name = f"{base.__name__}_{spec.name}"
            doc = f"{spec.name} by {base.backend}: {base.__doc__}"
            register_skill(type(name, (base,), {"spec": spec, "__doc__": doc}))


_register_all()
