"""Planner errors, grouped by who must act.

- `PlannerConfigError`, `PlannerNotFoundError`: the person who configured the run fixes
  a setting or a flag; the message names the field, the value and the valid choices.
- `PlannerSetupError`, `ModelIntegrityError`: the machine lacks something (a model file,
  llama-cpp-python) or holds a corrupt file; the message names the command that fixes it.
- `PlannerBackendError`: the model server could not be reached or answered with an
  error after the bounded retries; an operator checks the server.
- `ModelOutputError`: the model's answer did not parse or validate. The planner catches
  it and runs a repair round; it never reaches a person. When the rounds run out the
  planner returns a `failed` result with the reasons, not an exception.
"""


class PlannerError(Exception):
    """Base class for every planner error."""


class PlannerConfigError(PlannerError, ValueError):
    """A planner setting is invalid; the message names the field and the fix."""


class PlannerNotFoundError(PlannerError, KeyError):
    """No planner backend (or model) is registered under the requested name."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a person should read a plain sentence.
        return str(self.args[0]) if self.args else "planner not found"


class PlannerSetupError(PlannerError, RuntimeError):
    """The machine lacks something the backend needs (a model file, a package)."""


class ModelIntegrityError(PlannerSetupError):
    """A model file's size or SHA-256 differs from the pinned value."""


class PlannerBackendError(PlannerError, RuntimeError):
    """The model server failed (unreachable, timed out, HTTP error) after bounded retries."""


class ModelOutputError(PlannerError, ValueError):
    """The model's answer failed to parse or validate; `problems` say why, for a repair round.

    `plan_only` marks a refusal or question that the scene contradicts (it denies a
    visible object, or asks which of one): the repair round's schema then allows only a
    plan, so a small model that keeps refusing cannot repeat itself. `literals`, when
    given, are the only goal literals that plan may hold (what the refusal itself said
    it could not do).
    """

    def __init__(
        self,
        problems: tuple[str, ...],
        *,
        plan_only: bool = False,
        literals: tuple[str, ...] = (),
    ) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.plan_only = plan_only
        self.literals = literals
