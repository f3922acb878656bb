"""Parse JSON and note where each element of a collection's array starts and ends.

A Graph export is mostly pages of ``{"value": [ ... ]}``. Knowing each element's span lets
the locator find a result's line later by reading one element instead of tokenizing the whole
file again. The elements are parsed by the standard library's C scanner, so this costs about
what ``json.loads`` costs; anything unusual (or wrong) falls back to ``json.loads`` itself, so
that errors keep its exact positions.
"""
from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable
from typing import Any, Protocol

# pointer of an array -> the character offset where each of its elements starts
Spans = dict[str, "array[int]"]

# The decoder's own C scanner and string reader; the type stubs do not declare them.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_scan_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_AFTER_MEMBER = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")
_BLANK = " \t\n\r"
_COLLECTION_KEY = "value"


class _Unusual(Exception):
    """Not the shape this fast path reads; json.loads will."""


class Decoder(Protocol):
    """A JSON decoder: its C scanner for the fast path, ``decode`` for the rest."""

    @property
    def scan_once(self) -> Callable[[str, int], tuple[Any, int]]: ...

    def decode(self, text: str) -> Any: ...


def parse_with_spans(text: str, decoder: Decoder | None = None) -> tuple[Any, Spans]:
    scan = _SCAN if decoder is None else decoder.scan_once
    try:
        return _parse(text, scan)
    except (_Unusual, StopIteration, ValueError, IndexError, RecursionError):
        return (json.loads(text) if decoder is None else decoder.decode(text)), {}


def _parse(text: str, scan: Callable[[str, int], tuple[Any, int]]) -> tuple[Any, Spans]:
    start = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    spans: Spans = {}
    document: Any
    if text.startswith("[", start):
        document, end = _array(text, start, spans, "", scan)
    elif text.startswith("{", start):
        if f'"{_COLLECTION_KEY}"' not in text:
            raise _Unusual  # one object, not a page of a collection (EntraExporter writes one per file)
        document, end = _object(text, start, spans, scan)
    else:
        raise _Unusual
    if _SPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
        raise _Unusual
    return document, spans


def _object(text: str, index: int, spans: Spans,
            scan: Callable[[str, int], tuple[Any, int]]) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    index = _skip(text, index + 1)
    if text[index] == "}":
        return result, index + 1
    while True:
        if text[index] != '"':
            raise _Unusual
        key, index = _scan_string(text, index + 1)
        index = _skip(text, index)
        if text[index] != ":":
            raise _Unusual
        index = _skip(text, index + 1)
        if key in result:
            raise _Unusual  # a duplicate key: the decoder says so
        if key == _COLLECTION_KEY and text[index] == "[":
            result[key], index = _array(text, index, spans, "/" + key, scan)
        else:
            result[key], index = scan(text, index)
        index = _skip(text, index)
        if text[index] == "}":
            return result, index + 1
        if text[index] != ",":
            raise _Unusual
        index = _skip(text, index + 1)


def _array(text: str, index: int, spans: Spans, pointer: str,
           scan: Callable[[str, int], tuple[Any, int]]) -> tuple[list[Any], int]:
    items: list[Any] = []
    starts: list[int] = []
    index = _skip(text, index + 1)
    if text[index] == "]":
        spans[pointer] = array("q")
        return items, index + 1
    add_item, add_start = items.append, starts.append
    # One trip through this loop per element of a collection (100k users): the separators are
    # read a character at a time, a regex only where there is white space to skip.
    while True:
        item, end = scan(text, index)
        add_item(item)
        add_start(index)
        separator = text[end]
        if separator in _BLANK:
            end = _skip(text, end)
            separator = text[end]
        if separator == ",":
            index = end + 1
            if text[index] in _BLANK:
                index = _skip(text, index)
        elif separator == "]":
            spans[pointer] = array("q", starts)
            return items, end + 1
        else:
            raise _Unusual


def _skip(text: str, index: int) -> int:
    return _SPACE.match(text, index).end()  # type: ignore[union-attr]


def resolve_within(text: str, start: int, tokens: list[str]) -> tuple[str, int]:
    """Follow pointer tokens from the value at ``start``; keys match case-insensitively.

    Returns the pointer as the file spells it and the offset of the deepest existing part
    (an object member's key, an array's element), so an absent field points at its parent.
    """
    spelled: list[str] = []
    index = start
    for token in tokens:
        try:
            found = _member(text, index, token) if text[index] == "{" else _element(text, index, token)
        except (StopIteration, ValueError, IndexError):
            break
        if found is None:
            break
        name, key_offset, index = found
        spelled.append(name)
        start = key_offset
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in spelled), start


def _member(text: str, index: int, wanted: str) -> tuple[str, int, int] | None:
    loose: tuple[str, int, int] | None = None
    lowered = wanted.lower()
    index = _skip(text, index + 1)
    colon, after_member = _COLON.match, _AFTER_MEMBER.match
    while text[index] == '"':
        key_offset = index
        key, index = _scan_string(text, index + 1)
        value_offset = colon(text, index).end()  # type: ignore[union-attr]
        if key == wanted:
            return key, key_offset, value_offset
        if loose is None and key.lower() == lowered:
            loose = (key, key_offset, value_offset)
        _, index = _SCAN(text, value_offset)
        index = after_member(text, index).end()  # type: ignore[union-attr]
    return loose


def _element(text: str, index: int, wanted: str) -> tuple[str, int, int] | None:
    if text[index] != "[" or not wanted.isdigit():
        return None
    position = int(wanted)
    index = _skip(text, index + 1)
    for _ in range(position):
        if text[index] == "]":
            return None
        _, index = _SCAN(text, index)
        index = _skip(text, index)
        if text[index] == ",":
            index = _skip(text, index + 1)
    return (str(position), index, index) if text[index] != "]" else None
