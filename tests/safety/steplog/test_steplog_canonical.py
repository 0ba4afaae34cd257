"""Canonical JSON follows RFC 8785; strict parsing refuses what would read two ways."""

from __future__ import annotations

import pytest

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
