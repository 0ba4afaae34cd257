"""Embodiment errors, grouped by who must act.

- `EmbodimentConfigError`: the person who configured the run fixes a setting.
- `EmbodimentNotFoundError`: the caller named an embodiment that is not registered.
- `EmbodimentSetupError`: the machine lacks something (a system library, an extra).
- `EmbodimentStateError`: the code called the interface out of order (a developer bug).
"""


class EmbodimentError(Exception):
    """Base class for every embodiment error."""


class EmbodimentConfigError(EmbodimentError, ValueError):
    """A configuration value is invalid; the message names the field and the fix."""


class EmbodimentNotFoundError(EmbodimentError, KeyError):
    """No embodiment is registered under the requested name."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a person should read a plain sentence.
        return str(self.args[0]) if self.args else "embodiment not found"


class EmbodimentSetupError(EmbodimentError, RuntimeError):
    """The machine lacks a dependency the embodiment needs."""


class EmbodimentStateError(EmbodimentError, RuntimeError):
    """The interface was used out of order (e.g. observe before reset)."""
