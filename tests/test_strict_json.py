"""The strict reader refuses the same documents whichever way it measures their depth.

Most texts are measured by a count of their brackets outside strings (cheap); only one that
may nest past the limit is measured object by object. These tests pin that strings holding
brackets or escaped quotes cannot mislead the count, and that refusals stay refusals.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.inputs.decode import DecodeError, parse_json_with_spans
from checker.inputs.limits import Limits
from checker.inputs.strict_json import Refusal, StrictDecoder, _nests_within, _structure


def _nested(depth: int) -> Any:
    document: Any = {"leaf": 1}
    for _ in range(depth - 1):
        document = {"a": document}
    return document


def _read(text: str, limits: Limits = Limits()) -> Any:
    return parse_json_with_spans(text, limits, text.encode("utf-8"))[0]


@pytest.mark.parametrize("depth", [3, 4, 5])
def test_objects_up_to_the_limit_are_read_one_deeper_refused(depth: int) -> None:
    limits = Limits(max_depth=4)
    document = {"value": [_nested(depth)]}
    text = json.dumps(document)
    if depth <= 4:
        assert _read(text, limits) == document
    else:
        with pytest.raises(DecodeError, match="max_depth"):
            _read(text, limits)


def test_closing_brackets_in_strings_cannot_hide_deep_nesting() -> None:
    """A string of closers before the deep part would make a naive count think it shallow."""
    text = json.dumps({"x": "}" * 40, "deep": _nested(10), "y": "{" * 40})
    with pytest.raises(DecodeError, match="max_depth"):
        _read(text, Limits(max_depth=8))


def test_escaped_quotes_and_backslashes_keep_strings_paired() -> None:
    document = {"value": [{"id": 'a\\"}}}}', "name": "\\\\", "deep": _nested(6)}]}
    text = json.dumps(document)
    assert _read(text) == document
    with pytest.raises(DecodeError, match="max_depth"):
        _read(text, Limits(max_depth=5))


def test_brackets_inside_strings_are_not_structure() -> None:
    assert _structure(b'{"a": "[{]}", "b": [1, {"c": "\\"]"}]}') == b"{[{}]}"
    assert _structure('{"é": ["x"]}'.encode()) == b"{[]}"


@given(st.recursive(st.none() | st.booleans() | st.text(alphabet='ab"\\[]{}'),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(alphabet='k"\\[]{}', max_size=3), inner, max_size=3),
                    max_leaves=30))
def test_the_bracket_count_is_exact_for_any_document(document: Any) -> None:
    text = json.dumps(document, ensure_ascii=False)
    assert _structure(text.encode("utf-8")) == _brackets_of(document)


def _brackets_of(value: Any) -> bytes:
    if isinstance(value, dict):
        return b"{" + b"".join(_brackets_of(item) for item in value.values()) + b"}"
    if isinstance(value, list):
        return b"[" + b"".join(_brackets_of(item) for item in value) + b"]"
    return b""


def test_each_round_takes_at_most_one_object_from_every_path() -> None:
    assert _nests_within(b"{{{}}}", 3)
    assert not _nests_within(b"{{{}}}", 2)
    assert _nests_within(b"{[{}]}{}", 2)  # two objects deep, whatever the arrays between
    assert not _nests_within(b"{[{}]}{}", 1)
    assert not _nests_within(b"{[[[{}]]]}", 1)
    assert _nests_within(b"", 0)


@pytest.mark.parametrize("shallow", [True, False])
def test_duplicate_keys_are_refused_either_way(shallow: bool) -> None:
    decoder = StrictDecoder(Limits(), shallow=shallow)
    with pytest.raises(Refusal, match="appears 2 times in the object with id 'u1'"):
        decoder.decode('{"value": [{"id": "u1", "state": "enabled", "state": "disabled"}]}')


def test_a_duplicate_key_deep_in_a_shallow_file_is_refused() -> None:
    with pytest.raises(DecodeError, match="'state' appears 2 times"):
        _read('{"value": [{"id": "p", "conditions": {"users": {"state": 1, "state": 2}}}]}')


def test_the_object_count_leaves_out_brackets_in_strings() -> None:
    limits = Limits(max_objects=3)
    assert _read('{"value": [{"id": "[[[[{{{{"}]}', limits) == {"value": [{"id": "[[[[{{{{"}]}
    with pytest.raises(DecodeError, match="max_objects"):
        _read('{"value": [{"id": "a"}, {"id": "b"}]}', limits)


def test_text_without_its_bytes_is_measured_the_same() -> None:
    text = json.dumps({"value": [{"id": "ü\\", "deep": _nested(6)}]})
    assert parse_json_with_spans(text, Limits(max_depth=9))[0] == json.loads(text)
    with pytest.raises(DecodeError, match="max_depth"):
        parse_json_with_spans(text, Limits(max_depth=5))
