"""Canonical JSON follows RFC 8785; strict parsing refuses what would read two ways."""

from __future__ import annotations

import random
import string

import pytest
import rfc8785

from safety.steplog.canonical import (
    CanonicalJsonError,
    canonical_bytes,
    is_canonical,
    parse_strict,
)

# RFC 8785 section 3.2.2 (sorting) and 3.2.3 (the sample that exercises every rule).
RFC_SAMPLE_IN = (
    b'{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
    b' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
    b' "literals": [null, true, false]}'
)
RFC_SAMPLE_OUT = (
    b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)


def test_rfc8785_sample_canonicalises_exactly() -> None:
    assert canonical_bytes(parse_strict(RFC_SAMPLE_IN)) == RFC_SAMPLE_OUT  # type: ignore[arg-type]  # parsed JSON is a JsonValue


def test_keys_sort_by_utf16_code_units() -> None:
    # RFC 8785 3.2.3: "\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"
    value = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    out = canonical_bytes(value).decode("utf-8")
    order = ["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    positions = [out.index(f'"{k}"') for k in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, b"0"),
        (-0.0, b"0"),
        (1.0, b"1"),
        (1e21, b"1e+21"),
        (1e-7, b"1e-7"),
        (0.000001, b"0.000001"),
        (123456789012345680000.0, b"123456789012345680000"),
        (5e-324, b"5e-324"),
        (0.1 + 0.2, b"0.30000000000000004"),
        (9007199254740991, b"9007199254740991"),
    ],
)
def test_numbers_use_the_ecmascript_shortest_form(number: float, text: bytes) -> None:
    assert canonical_bytes(number) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**53])
def test_values_without_a_canonical_form_are_refused(value: float) -> None:
    with pytest.raises(CanonicalJsonError, match="no canonical JSON form"):
        canonical_bytes(value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": ', "invalid JSON"),
        (b"[" * 100_000, "nested too deeply|invalid JSON"),
    ],
)
def test_strict_parsing_refuses_ambiguous_input(data: bytes, message: str) -> None:
    with pytest.raises(CanonicalJsonError, match=message):
        parse_strict(data)


def test_is_canonical_spots_reformatted_bytes() -> None:
    assert is_canonical(b'{"a":1,"b":[true]}', {"a": 1, "b": [True]})
    assert not is_canonical(b'{"b":[true],"a":1}', {"a": 1, "b": [True]})
    assert not is_canonical(b'{"a": 1, "b": [true]}', {"a": 1, "b": [True]})


def _random_value(rng: random.Random, depth: int = 0) -> object:
    """A JSON value with the awkward parts: escapes, astral keys, float edge cases."""
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-(2**53) + 1, 2**53 - 1) if rng.random() < 0.3 else rng.randint(-9, 99)
    if kind == 2:
        return rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
    if kind == 3:
        return rng.choice([0.5, 1e21, 1e20, 1e-6, 1e-7, 5e-324, 1.7976931348623157e308, 100.0])
    if kind in (4, 5):
        alphabet = string.printable + '\x00\x1f\x7f\u2028\u20ac\ufb33\U0001f600"\\'
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
    if kind == 6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    if kind == 7:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randrange(3)))
    keys = ["a", "B", "\r", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33", "k1", ""]
    return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randrange(6))}


def test_the_fast_encoder_matches_rfc8785_byte_for_byte() -> None:
    rng = random.Random(8785)
    for _ in range(5000):
        value = _random_value(rng)
        assert canonical_bytes(value) == rfc8785.dumps(value), value  # type: ignore[arg-type]  # random JSON


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1: "a"}, "keys must be strings"),
        ("\ud800", "not valid UTF-8"),
        (-(2**53), "outside"),
        ({"a": {1, 2}}, "unsupported type set"),
    ],
)
def test_the_fast_encoder_refuses_what_rfc8785_refuses(value: object, message: str) -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        rfc8785.dumps(value)  # type: ignore[arg-type]  # deliberately not JSON
    with pytest.raises(CanonicalJsonError, match=message):
        canonical_bytes(value)  # type: ignore[arg-type]  # deliberately not JSON
