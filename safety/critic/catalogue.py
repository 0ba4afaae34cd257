"""The household object catalogue: what an entity is made of and what it may hold.

Rules reason over properties ("metal", "electrical", "fragile"), never over names, so a
rule about metal in a running microwave covers a fork, a spoon and aluminium foil alike.
Entities are named in lower snake case (`remote_control`, `mug_2`, `apple_sliced`,
`top_left_burner`); `Catalogue.lookup` finds their type through aliases, an instance
number suffix and a state suffix (`_sliced`, `_cracked`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NON_ALNUM = re.compile(r"[^a-z0-9]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_INSTANCE = re.compile(r"_?\d+$")
_STATE_SUFFIXES = ("sliced", "cracked", "slice")


def squash(text: str) -> str:
    """Lower case with everything but letters and digits removed: the alias key."""
    return _NON_ALNUM.sub("", text.lower())


def snake(text: str) -> str:
    """`RemoteControl`, `remote control` or `remote-control` -> `remote_control`."""
    spaced = _CAMEL.sub("_", text.strip())
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", spaced) if p]
    return "_".join(p.lower() for p in parts)


@dataclass(frozen=True, slots=True)
class ObjectType:
    """One kind of household object.

    `accepts` (a receptacle's whitelist of properties; None means anything) and
    `rejects` (its blacklist) say what may be put into or onto it. `feeds` names the
    receptacle types a water source fills (a faucet feeds a sink).
    """

    name: str
    properties: frozenset[str]
    accepts: frozenset[str] | None = None
    rejects: frozenset[str] = frozenset()
    feeds: frozenset[str] = frozenset()

    def refuses(self, item_properties: frozenset[str]) -> bool:
        """Whether an item with these properties does not belong in or on this receptacle."""
        if self.accepts is not None and not (item_properties & self.accepts):
            return True
        return bool(item_properties & self.rejects)


class Catalogue:
    """Object types by name and alias, with the property vocabulary they draw on."""

    def __init__(
        self, version: str, vocabulary: Iterable[str], types: Iterable[ObjectType]
    ) -> None:
        self.version = version
        self.vocabulary = frozenset(vocabulary)
        self._types: dict[str, ObjectType] = {}
        self._index: dict[str, ObjectType] = {}
        for kind in types:
            self._types[kind.name] = kind
        for kind in self._types.values():
            self.add_alias(kind.name, kind.name)

    def add_alias(self, alias: str, type_name: str) -> None:
        """Make `alias` find the type `type_name`; ValueError if it already names another."""
        key, kind = squash(alias), self._types[type_name]
        if self._index.get(key, kind) is not kind:
            msg = f"alias {alias!r} of {type_name!r} already names {self._index[key].name!r}"
            raise ValueError(msg)
        self._index[key] = kind

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._types

    def __len__(self) -> int:
        return len(self._types)

    def type_names(self) -> tuple[str, ...]:
        """Every type name, sorted."""
        return tuple(sorted(self._types))

    def lookup(self, entity: str) -> ObjectType | None:
        """The type of an entity name, or None when the catalogue does not know it."""
        key = squash(entity)
        if key in self._index:
            return self._index[key]
        base = squash(_INSTANCE.sub("", snake(entity)))
        if base in self._index:
            return self._index[base]
        for suffix in _STATE_SUFFIXES:
            if base.endswith(suffix) and base[: -len(suffix)] in self._index:
                return self._index[base[: -len(suffix)]]
        return None

    def properties(self, entity: str) -> frozenset[str]:
        """The properties of an entity's type; empty for an unknown entity."""
        kind = self.lookup(entity)
        return kind.properties if kind is not None else frozenset()

    def canonical(self, raw: str) -> str:
        """The entity id for a name as people or datasets write it.

        An exact alias match gives the type name (`Cellphone` -> `cell_phone`); anything
        else keeps its own words in snake case (`AppleSliced` -> `apple_sliced`).
        """
        words = snake(raw)
        kind = self._index.get(squash(raw))
        return kind.name if kind is not None else words
