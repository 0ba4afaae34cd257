"""Skill errors, grouped by who must act.

- `SkillNotFoundError`, `SkillArgumentError`: the caller (planner, operator) named an
  unknown skill or gave wrong arguments; the message lists the valid choices.
- `SkillIncompatibleError`: a developer paired a skill backend with an embodiment it
  cannot drive.
- `SkillExecutionError`: the skill ran and failed on the robot; the agent replans.
"""


class SkillError(Exception):
    """Base class for every skill error."""


class SkillNotFoundError(SkillError, KeyError):
    """No skill (or backend) is registered under the requested name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "skill not found"


class SkillArgumentError(SkillError, ValueError):
    """Arguments do not validate against the skill's argument model."""


class SkillIncompatibleError(SkillError, TypeError):
    """The backend cannot drive this embodiment."""


class SkillExecutionError(SkillError, RuntimeError):
    """The skill failed while running on the robot."""
