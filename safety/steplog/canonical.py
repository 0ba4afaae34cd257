"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) and the hashes over it.

Serialisation uses the `rfc8785` package (Trail of Bits, pure Python): keys sorted by
UTF-16 code units, no whitespace, numbers in the ECMAScript shortest form, and integers
limited to the range a double holds exactly. Parsing is strict: duplicate keys,
`NaN`/`Infinity` and invalid UTF-8 are refused, because each of them would let two
different files hash alike or one file read two ways.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import rfc8785

JsonValue = str | int | float | bool | None | Sequence["JsonValue"] | Mapping[str, "JsonValue"]
"""A value canonical JSON can hold."""


class CanonicalJsonError(ValueError):
    """Bytes are not JSON, or a value has no canonical JSON form."""


def canonical_bytes(value: JsonValue) -> bytes:
    """The RFC 8785 canonical UTF-8 encoding of `value`."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalJsonError(f"no canonical JSON form: {exc}") from None


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise CanonicalJsonError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _refuse_constant(name: str) -> object:
    raise CanonicalJsonError(f"{name} is not valid JSON")


def parse_strict(data: bytes) -> object:
    """Parse JSON bytes, refusing duplicate keys, NaN/Infinity and invalid UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalJsonError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(
            text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as exc:
        raise CanonicalJsonError(f"invalid JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise CanonicalJsonError("JSON nested too deeply") from None


def is_canonical(data: bytes, parsed: object) -> bool:
    """Whether `data` is exactly the canonical encoding of `parsed`."""
    try:
        return canonical_bytes(parsed) == data  # type: ignore[arg-type]  # parsed JSON is a JsonValue
    except CanonicalJsonError:
        return False


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()
