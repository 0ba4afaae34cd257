"""VLA errors, grouped by who must act. Every one is a `SkillError`, so the CLI prints it.

- `CheckpointNotFoundError`: the operator has not trained (or pointed to) a policy yet;
  the message names the command that creates one.
- `CheckpointError`: a checkpoint directory is incomplete or does not fit the skill or
  the embodiment (wrong cameras, shapes, tasks); the message says what to retrain.
- `DatasetError`: a recorded dataset is missing a file or a feature, or has a shape
  training cannot use.
- `PolicyServerError`: a remote policy server is down, answered with an error frame, or
  sent a reply that does not decode to an action chunk.
"""

from __future__ import annotations

from skills.errors import SkillError


class VLAError(SkillError):
    """Base class for every VLA error."""


class CheckpointNotFoundError(VLAError, FileNotFoundError):
    """No checkpoint where the backend looked for one."""


class CheckpointError(VLAError, ValueError):
    """A checkpoint is unreadable or does not fit the skill, task or embodiment."""


class DatasetError(VLAError, ValueError):
    """A recorded dataset is incomplete or malformed."""


class PolicyServerError(VLAError, ConnectionError):
    """A remote policy server could not be reached or answered with an error."""
