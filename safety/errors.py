"""Safety errors, grouped by who must act.

The step log keeps its own errors in `safety/steplog/errors.py`; everything here derives
from `SafetyError` so a front end can catch the whole family in one place.

Critic:
- `CriticNotFoundError`: the caller named a critic that is not registered; the message
  lists the valid names and the closest one.
- `CriticConfigError`: the person configuring a critic gave a bad setting.
- `RuleSetError`: the safety engineer who maintains the rule or object files fixes them;
  the message names the file, the entry and the value.
- `CriticBackendError`: the LLM critic's server failed or answered out of schema; the
  operator checks the server (the combined critic never loosens a verdict on this).
- `BenchmarkDataError`: the benchmark files are missing or malformed; the message names
  the file, the line and the field.

Shield:
- `ShieldConfigError`: the person configuring the action shield gave a bad setting.
"""


class SafetyError(Exception):
    """Base class for every safety error."""


# -- critic -----------------------------------------------------------------------------


class CriticError(SafetyError):
    """Base class for errors of the step critic and its benchmark."""


class CriticNotFoundError(CriticError, KeyError):
    """No critic is registered under the requested name."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a person should read a plain sentence.
        return str(self.args[0]) if self.args else "critic not found"


class CriticConfigError(CriticError, ValueError):
    """A critic setting is invalid; the message names the field and the value."""


class RuleSetError(CriticError, ValueError):
    """The rule file or the object catalogue is invalid or does not match its pinned hash."""


class CriticBackendError(CriticError, RuntimeError):
    """The LLM critic's backend failed or answered outside its schema."""


class BenchmarkDataError(CriticError, ValueError):
    """A benchmark data file is missing, unreadable or malformed."""


# -- action shield ----------------------------------------------------------------------


class ShieldConfigError(SafetyError, ValueError):
    """An action-shield setting is invalid; the message names the field and the value."""
