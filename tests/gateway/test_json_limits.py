"""The nesting limit shared by every JSON door (gateway.json_limits): no database needed."""

from __future__ import annotations

import json

import pytest

from gateway.json_limits import MAX_JSON_DEPTH, JSONTooDeep, json_depth, loads_limited


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("5", 0),
        ('"[[[["', 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["]", ["\\"]"]]', 2),  # brackets and escaped quotes inside strings do not count
        ('["a\\\\", [1]]', 2),  # an escaped backslash ends before the closing quote
        ('"unterminated [[[', 0),
    ],
)
def test_depth_counts_structure_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_the_limit_itself_parses_and_one_more_is_refused():
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH

    assert loads_limited(at_limit) == json.loads(at_limit)
    with pytest.raises(JSONTooDeep) as refused:
        loads_limited("[" + at_limit + "]")
    assert str(refused.value) == f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def test_a_document_past_the_recursion_limit_is_refused_not_a_recursion_error():
    with pytest.raises(JSONTooDeep):
        loads_limited("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JSONTooDeep):
        loads_limited(b'{"a":' * 5_000 + b"1" + b"}" * 5_000)


def test_invalid_json_is_still_a_decode_error_and_both_are_value_errors():
    with pytest.raises(json.JSONDecodeError):
        loads_limited("{not json")
    assert issubclass(JSONTooDeep, ValueError)


def test_bytes_are_decoded_as_json_loads_decodes_them():
    assert loads_limited('{"a": ["é"]}'.encode("utf-16")) == {"a": ["é"]}
    assert loads_limited(b'{"a": 1}', max_depth=1) == {"a": 1}
