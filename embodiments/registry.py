"""Named registries with "did you mean", duplicate refusal and entry-point plugins.

`embodiments` is the bottom layer of Steward, so the generic `Registry` lives here and
every other package (skills, planner, safety) builds its own registry from it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Generic, TypeVar

from embodiments.errors import EmbodimentNotFoundError

if TYPE_CHECKING:
    from embodiments.base import Embodiment

T = TypeVar("T")


class PluginLoadError(ImportError):
    """A third-party plugin declared in an entry-point group failed to load."""


class Registry(Generic[T]):
    """A name -> item map. Refuses duplicates; misses suggest the closest names.

    `entry_point_group` names a group of `importlib.metadata` entry points whose objects
    register themselves when imported; they load on the first lookup, never at import.
    """

    def __init__(
        self,
        kind: str,
        *,
        entry_point_group: str | None = None,
        not_found: type[KeyError] = KeyError,
    ) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._group = entry_point_group
        self._plugins_loaded = entry_point_group is None
        self._not_found = not_found

    def add(self, name: str, item: T) -> T:
        """Register `item` under `name`; raise ValueError when the name is taken."""
        if name in self._items:
            msg = f"{self.kind} {name!r} is already registered; choose another name"
            raise ValueError(msg)
        self._items[name] = item
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of `add`."""

        def decorate(item: T) -> T:
            return self.add(name, item)

        return decorate

    def get(self, name: str) -> T:
        """The item named `name`; a miss lists the valid names and the closest match."""
        self.load_plugins()
        try:
            return self._items[name]
        except KeyError:
            raise self._not_found(self.miss_message(name)) from None

    def miss_message(self, name: str) -> str:
        """A sentence naming the unknown value, the closest match and every valid choice."""
        names = sorted(self._items)
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return f"unknown {self.kind} {name!r}.{hint} Valid choices: {', '.join(names) or 'none'}."

    def names(self) -> tuple[str, ...]:
        """Every registered name, sorted."""
        self.load_plugins()
        return tuple(sorted(self._items))

    def __contains__(self, name: object) -> bool:
        self.load_plugins()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def load_plugins(self) -> None:
        """Import every entry point of the group once. A broken plugin raises, never skips."""
        if self._plugins_loaded or self._group is None:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=self._group):
            try:
                ep.load()
            except Exception as exc:
                msg = (
                    f"plugin {ep.name!r} ({ep.value}) in entry-point group {self._group!r} "
                    f"failed to load: {exc}. Fix or uninstall the package that declares it."
                )
                raise PluginLoadError(msg) from exc


EmbodimentFactory = Callable[..., "Embodiment"]

EMBODIMENTS: Registry[EmbodimentFactory] = Registry(
    "embodiment", entry_point_group="steward.embodiments", not_found=EmbodimentNotFoundError
)
register_embodiment = EMBODIMENTS.register


def make_embodiment(name: str, **config: object) -> Embodiment:
    """Build a registered embodiment by name; built-ins are imported on first use."""
    _import_builtins()
    return EMBODIMENTS.get(name)(**config)


def embodiment_names() -> tuple[str, ...]:
    """Every registered embodiment name."""
    _import_builtins()
    return EMBODIMENTS.names()


def _import_builtins() -> None:
    # Heavy simulators import only when an embodiment is asked for (LeRobot style).
    import embodiments.franka_kitchen.factory  # noqa: PLC0415 - registers on import
    import embodiments.testing  # noqa: F401, PLC0415 - registers "fake"
