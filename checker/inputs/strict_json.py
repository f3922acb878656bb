"""JSON read the strict way: what the standard library lets through, an export must not hold.

``json`` accepts ``NaN`` and ``Infinity`` (a NaN id would read as "nan"), resolves a
duplicate key by keeping the last value (one copy of ``state`` says disabled, the other
enabled: which one Entra holds cannot be told), converts numbers of any length (past 4,300
digits Python refuses with an error of its own) and builds any number of objects. Each of
these is refused here, while parsing, with a reason; a lone UTF-16 surrogate (``\\ud800``),
which no output can encode, becomes U+FFFD.

Refusing a duplicate key needs a look at every object as it is built, so each one passes
through a Python hook; that hook is kept to one ``dict`` call and a length comparison. The
depth of every object is measured only when a cheap count of the text's brackets cannot rule
out nesting past the limit: an export nests five or six deep, the limit is 64.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from checker.inputs.limits import Limits, over

_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Refusal(Exception):
    """The document holds something an export never does; the message says what.

    Not a ValueError, so that the span-noting fast path does not retry with the slow one.
    """


class Nested(dict[str, Any]):
    """A JSON object that knows how deeply objects nest inside it (itself: 1)."""

    __slots__ = ("depth",)
    depth: int


class StrictDecoder:
    """One document's parse: objects, depth and numbers against the limits; refuses what JSON should not hold.

    ``shallow`` says that the text is known not to nest past the depth limit (``for_text``
    finds out), so that objects need not be measured one by one.
    """

    def __init__(self, limits: Limits, shallow: bool = False) -> None:
        self.limits = limits
        self.decoder = json.JSONDecoder(object_pairs_hook=_unique_keys if shallow else self._object,
                                        parse_int=self._integer, parse_float=self._real,
                                        parse_constant=self._constant)

    @classmethod
    def for_text(cls, text: str, limits: Limits, utf8: bytes | None = None) -> StrictDecoder:
        """The decoder for ``text``, which refuses it up front when it holds too many objects.

        Counted before parsing, so that memory is never spent on a file that will be refused.
        ``utf8`` is the text's own bytes when it was read as UTF-8, which saves encoding it again.
        """
        structure = _structure(text.encode("utf-8", "surrogatepass") if utf8 is None else utf8)
        containers = structure.count(b"{") + structure.count(b"[")
        if containers > limits.max_objects:
            raise Refusal(str(over(limits, "max_objects", f"the file holds {containers:,} objects and arrays")))
        return cls(limits, shallow=_nests_within(structure, limits.max_depth))

    @property
    def scan_once(self) -> Callable[[str, int], tuple[Any, int]]:
        return self.decoder.scan_once  # type: ignore[attr-defined,no-any-return]

    def decode(self, text: str) -> Any:
        return self.decoder.decode(text)

    def _object(self, pairs: list[tuple[str, Any]]) -> Nested:
        found = Nested(pairs)
        if len(found) != len(pairs):
            raise Refusal(_duplicate(pairs))
        depth = 0
        for value in found.values():
            if type(value) is Nested:
                depth = max(depth, value.depth)
            elif type(value) is list:
                for item in value:
                    if type(item) is Nested and item.depth > depth:
                        depth = item.depth
        found.depth = depth + 1
        if found.depth > self.limits.max_depth:
            raise Refusal(str(over(self.limits, "max_depth", f"objects nest more than {self.limits.max_depth} "
                                   "deep")))
        return found

    def _integer(self, literal: str) -> int:
        self._number(literal)
        return int(literal)

    def _real(self, literal: str) -> float:
        self._number(literal)
        value = float(literal)
        if value in (float("inf"), float("-inf")):
            raise Refusal(f"the number {literal[:20]}... is too large to be a number an export holds")
        return value

    def _number(self, literal: str) -> None:
        if len(literal) > self.limits.max_number_digits:
            raise Refusal(str(over(self.limits, "max_number_digits",
                                   f"a number of {len(literal):,} characters ({literal[:12]}...)")))

    @staticmethod
    def _constant(literal: str) -> Any:
        raise Refusal(f"{literal} is not a JSON value (a script wrote a number it could not compute)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise Refusal(_duplicate(pairs))
    return found


# Every byte but the quote and the brackets, which are all that nesting depends on.
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'"[]{}')
_QUOTED = re.compile(rb'"[^"]*"')


def _structure(data: bytes) -> bytes:
    """The brackets of a JSON text outside its strings, in order, found without parsing it.

    Escapes go first (a backslash pair, then an escaped quote), so that quotes pair up as strings
    begin and end; of what is left only quotes and brackets are kept, and strings (which may
    hold brackets) are dropped. Exact for valid JSON; invalid JSON is refused by the parse
    whatever this finds. A few passes over the bytes, all in C: a fraction of parsing them.
    """
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # An empty pair of quotes has no bracket between: dropping it leaves the other quotes paired.
    structure = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    return _QUOTED.sub(b"", structure) if b'"' in structure else structure


def _nests_within(structure: bytes, limit: int) -> bool:
    """Whether no path from the root passes through more than ``limit`` objects.

    Each round removes the empty pairs: from every path at most one object (one pass of
    ``replace`` matches only pairs already empty) and one array. This counts objects through
    any arrays between them, where the exact count loses track inside an array of arrays, so
    it can only say more; a text it finds too deep goes to the exact count, never refused by
    this alone."""
    for _ in range(limit):
        if not structure:
            return True
        structure = structure.replace(b"{}", b"").replace(b"[]", b"")
    return not structure


def _duplicate(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            values = [value for name, value in pairs if name == key]
            owner = next((value for name, value in pairs if name.lower() == "id" and isinstance(value, str)), "")
            where = f" in the object with id {owner!r}" if owner else ""
            return (f"the key '{key}' appears {len(values)} times{where}: which value holds cannot be told, "
                    "so the file is not read")
        seen.add(key)
    return "a key appears twice in one object"


def without_lone_surrogates(text: str, document: Any) -> Any:
    """``document`` with every lone surrogate in a string replaced by U+FFFD (only searched if ``text`` escapes one)."""
    if "\\" not in text or _LONE_SURROGATE_ESCAPE.search(text) is None:
        return document
    return _replaced(document)


def replace_lone_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    if isinstance(value, dict):
        copy = Nested((_replaced(key), _replaced(item)) for key, item in value.items())
        copy.depth = getattr(value, "depth", 1)
        return copy
    return value
