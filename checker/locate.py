"""JSON pointer -> line and column, computed lazily and once per file.

Loaders keep only an ``Origin`` (file and pointer) with every object, because carrying
positions through the parsed data would cost as much memory as the data itself (STYLE:
"keep a separate pointer -> line/column map, built only when a formatter needs it"). This
module builds that map on the first request for a file, with one regex pass over its text.

The map is a flat "tape" rather than nested dicts: one entry per object member or array
element, in document order, as three integers (offset of the key or element, key id or -1,
index of the entry after its subtree or 0 for a leaf). On a 100k-user export (82 MB) that
is 44 MB where a dict per object took 215 MB, more than ``json.load`` of the same file.
"""
from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TypeAlias

from checker.inputs.archives import read_reference
from checker.inputs.decode import decode_text
from checker.inputs.spans import Spans, resolve_within
from checker.origin import Origin, escape_pointer_token, split_pointer

_SPACE = r"[ \t\n\r]*+"
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_SCALAR = rf'[^ \t\n\r,:\[\]{{}}"]++|\[{_SPACE}\]|\{{{_SPACE}\}}'
# Possessive quantifiers: JSON never needs backtracking, and sre runs about 25% faster
# without the bookkeeping. A member is one token whether its value is a scalar or the
# opening bracket of a container, runs of closing brackets are one token, and empty
# containers count as scalars: each merge saves a trip through the Python loop.
_TOKEN = re.compile(
    rf'"(?P<key>[^"\\]*+(?:\\.[^"\\]*+)*+)"{_SPACE}:{_SPACE}'
    rf"(?:(?P<value>{_STRING}|{_SCALAR}){_SPACE},?+{_SPACE}|(?P<kopen>[\[{{]){_SPACE})"
    rf"|(?P<close>[\]}}](?:{_SPACE}[\]}}])*+){_SPACE},?+{_SPACE}"
    rf"|(?P<item>{_STRING}|{_SCALAR}){_SPACE},?+{_SPACE}"
    rf"|(?P<open>[\[{{]){_SPACE}"
)
_NEWLINE = re.compile("\n")
_NON_SPACE = re.compile(r"\S")
_OFFSET, _KEY, _END = 0, 1, 2
# Containers with a larger subtree get a cached child index; smaller ones (a user, a
# policy's condition block) are cheaper to walk than to index.
_INDEX_ABOVE = 64

_ChildIndex: TypeAlias = "array[int] | dict[str, int]"


@dataclass(frozen=True, slots=True)
class Location:
    """A resolved position: ``pointer`` is spelled with the file's own keys, 1-based.

    ``end_line``/``end_column`` close the region as SARIF does (the column just past its last
    character): a member's key through its value, or through the bracket that opens it, so that
    a region stays one line however large the object is. ``None`` where the file has no
    structure to measure.
    """

    file: str
    pointer: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None


class _Malformed(ValueError):
    pass


@dataclass
class _Tape:
    entries: array[int]
    keys: list[str]
    newlines: array[int]
    text: str
    lowered: list[str] = field(init=False)
    children: dict[int, tuple[_ChildIndex, dict[str, int] | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lowered = [key.lower() for key in self.keys]

    def position(self, offset: int) -> tuple[int, int]:
        # newlines strictly before the offset: an end offset may sit on the newline itself
        before = bisect_left(self.newlines, offset)
        line_start = self.newlines[before - 1] + 1 if before else 0
        return before + 1, offset - line_start + 1

    def resolve(self, tokens: list[str]) -> tuple[str, int]:
        """Follow the tokens as far as they exist; keys match case-insensitively."""
        entries = self.entries
        entry = 0
        spelled: list[str] = []
        for token in tokens:
            if entries[3 * entry + _END] == 0:
                break
            child = self._child(entry, token)
            if child is None:
                break
            entry = child
            key_id = entries[3 * entry + _KEY]
            spelled.append(escape_pointer_token(self.keys[key_id]) if key_id >= 0 else str(int(token)))
        return "".join("/" + token for token in spelled), entries[3 * entry + _OFFSET]

    def _child(self, parent: int, token: str) -> int | None:
        entries = self.entries
        end = entries[3 * parent + _END]
        child = parent + 1
        is_object = entries[3 * child + _KEY] >= 0
        if not is_object and not (token.isascii() and token.isdigit()):
            return None
        if end - parent > _INDEX_ABOVE:
            return self._indexed_child(parent, token, is_object)
        if not is_object:
            position = int(token)
            while child < end:
                if position == 0:
                    return child
                position -= 1
                child = entries[3 * child + _END] or child + 1
            return None
        keys, lowered = self.keys, self.lowered
        wanted = token.lower()
        loose = None
        while child < end:
            key_id = entries[3 * child + _KEY]
            if keys[key_id] == token:
                return child
            if loose is None and lowered[key_id] == wanted:
                loose = child
            child = entries[3 * child + _END] or child + 1
        return loose

    def _indexed_child(self, parent: int, token: str, is_object: bool) -> int | None:
        if parent not in self.children:
            self.children[parent] = self._build_index(parent, is_object)
        index, lowered = self.children[parent]
        if isinstance(index, dict):
            found = index.get(token)
            return found if found is not None or lowered is None else lowered.get(token.lower())
        position = int(token)
        return index[position] if position < len(index) else None

    def _build_index(self, parent: int, is_object: bool) -> tuple[_ChildIndex, dict[str, int] | None]:
        if not is_object:
            return array("q", self._walk(parent)), None
        exact: dict[str, int] = {}
        lowered: dict[str, int] = {}
        for child in self._walk(parent):
            key_id = self.entries[3 * child + _KEY]
            exact.setdefault(self.keys[key_id], child)
            lowered.setdefault(self.lowered[key_id], child)
        return exact, lowered

    def _walk(self, parent: int) -> list[int]:
        entries = self.entries
        end = entries[3 * parent + _END]
        children = []
        child = parent + 1
        while child < end:
            children.append(child)
            child = entries[3 * child + _END] or child + 1
        return children


class Locator:
    """Resolves origins to positions, reading each source file at most once.

    Where the loader recorded the spans of a collection's elements, an origin inside one is
    found by walking that element along the pointer; other origins use a map of the whole file.
    """

    def __init__(self, sources: Mapping[str, str], spans: Mapping[str, Spans] | None = None,
                 positions: Mapping[str, Mapping[str, tuple[int, int]]] | None = None) -> None:
        self._sources = dict(sources)
        self._spans = dict(spans or {})
        self._positions = dict(positions or {})
        self._tapes: dict[str, _Tape | None] = {}
        # per file: each array whose element starts are known, as (its pointer's tokens, its pointer, the starts)
        self._arrays: dict[str, list[tuple[list[str], str, array[int]]]] = {}
        self._texts: dict[str, _Lines | None] = {}
        self._newlines: dict[str, array[int] | None] = {}
        self._found: dict[Origin, Location] = {}

    def locate(self, origin: Origin) -> Location:
        found = self._found.get(origin)
        if found is None:
            found = self._found[origin] = (self._given(origin) or self._in_element(origin)
                                           or self._in_file(origin))
        return found

    def _given(self, origin: Origin) -> Location | None:
        """Files that are not JSON (CSV, XML): the loader gave each object's position."""
        given = self._positions.get(origin.file)
        if not given:
            return None
        pointer = origin.pointer
        while pointer not in given and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        line, column = given.get(pointer, (1, 1))
        end_column = self._line_length(origin.file, line) + 1
        return Location(origin.file, pointer, line, column, line, max(end_column, column + 1))

    def _line_length(self, file: str, line: int) -> int:
        """The length of a line of a file without structure (a CSV row, an XML element's line)."""
        if file not in self._newlines:
            lines = self._lines(file)
            self._newlines[file] = (array("q", (m.start() for m in _NEWLINE.finditer(lines.text)))
                                    if lines is not None else None)
        newlines = self._newlines[file]
        lines = self._texts.get(file)
        if newlines is None or lines is None:
            return 0
        start = newlines[line - 2] + 1 if 2 <= line <= len(newlines) + 1 else 0
        end = newlines[line - 1] if line - 1 < len(newlines) else len(lines.text)
        return len(lines.text[start:end].rstrip("\r"))

    def prefetch(self, origins: Iterable[Origin]) -> None:
        """Resolve many origins a file at a time, keeping no file's text longer than needed."""
        by_file: dict[str, list[Origin]] = {}
        for origin in origins:
            if origin not in self._found:
                by_file.setdefault(origin.file, []).append(origin)
        for file, found in sorted(by_file.items()):
            for origin in found:
                self.locate(origin)
            self._texts.pop(file, None)
            self._tapes.pop(file, None)
            self._newlines.pop(file, None)

    def _in_file(self, origin: Origin) -> Location:
        if origin.file not in self._tapes:
            self._tapes[origin.file] = _read(self._sources.get(origin.file))
        tape = self._tapes[origin.file]
        if tape is None:
            return Location(origin.file, origin.pointer, 1, 1)
        pointer, offset = tape.resolve(split_pointer(origin.pointer))
        line, column = tape.position(offset)
        end_line, end_column = tape.position(token_end(tape.text, offset))
        return Location(origin.file, pointer, line, column, end_line, end_column)

    def _in_element(self, origin: Origin) -> Location | None:
        """An origin inside an element whose start the loader noted: a walk of that element alone.

        Constant cost per origin, whatever the file's size or shape: no search back through
        the text, no walk over the elements before it.
        """
        arrays = self._arrays.get(origin.file)
        if arrays is None:
            spans = self._spans.get(origin.file)
            if not spans:
                return None
            arrays = self._arrays[origin.file] = [(split_pointer(pointer), pointer, starts)
                                                  for pointer, starts in spans.items()]
        tokens = split_pointer(origin.pointer)
        for prefix, array_pointer, starts in arrays:
            depth = len(prefix)
            if len(tokens) <= depth or tokens[:depth] != prefix or not tokens[depth].isdigit():
                continue
            index = int(tokens[depth])
            lines = self._lines(origin.file)
            if lines is None or index >= len(starts):
                return None
            inner, offset = resolve_within(lines.text, starts[index], tokens[depth + 1:])
            line, column, end_line, end_column = lines.region(offset, token_end(lines.text, offset))
            return Location(origin.file, f"{array_pointer}/{index}{inner}", line, column, end_line, end_column)
        return None

    def _lines(self, file: str) -> _Lines | None:
        if file not in self._texts:
            try:
                self._texts[file] = _Lines(decode_text(read_reference(self._sources[file])).text)
            except (OSError, ValueError, KeyError):
                self._texts[file] = None
        return self._texts[file]


class _Lines:
    """Line and column of any offset, from newline counts kept per block of text.

    A position costs a count of newlines within one block, never a search back through the
    text before it (a whole one-line file, when the export is minified).
    """

    BLOCK = 1024

    def __init__(self, text: str) -> None:
        self.text = text
        self.one_line = "\n" not in text
        if self.one_line:
            return
        starts = range(0, len(text), self.BLOCK)
        counts = (text.count("\n", start, start + self.BLOCK) for start in starts)
        self._before = array("q", accumulate(counts, initial=0))
        # the last newline before each block starts, so that a column never needs a search back
        # through a whole one-line (minified) file
        last = -1
        self._last_newline = array("q", [-1])
        for start in starts:
            last = max(last, text.rfind("\n", start, start + self.BLOCK))
            self._last_newline.append(last)

    def position(self, offset: int) -> tuple[int, int]:
        if self.one_line:
            return 1, offset + 1
        block = offset // self.BLOCK
        line = self._before[block] + self.text.count("\n", block * self.BLOCK, offset) + 1
        newline = self.text.rfind("\n", block * self.BLOCK, offset)
        if newline < 0:
            newline = self._last_newline[block]
        return line, offset - (newline + 1) + 1

    def region(self, start: int, end: int) -> tuple[int, int, int, int]:
        """Line and column of ``start`` and of ``end``, the end counted from the start where no line ends between."""
        line, column = self.position(start)
        if self.one_line or self.text.find("\n", start, end) < 0:
            return line, column, line, column + end - start
        return (line, column, *self.position(end))


def _read(path: str | None) -> _Tape | None:
    # A position is a courtesy: any failure degrades to line 1, column 1, never to an
    # error in the middle of writing a report.
    if path is None:
        return None
    try:
        text = decode_text(read_reference(path)).text
        entries, raw_keys = _tokenize(text)
        keys = [_decode_key(raw) for raw in raw_keys]
    except (OSError, ValueError, TypeError, IndexError):
        return None
    # From an iterator, not a list: a list of three million ints would briefly cost more
    # memory than the text itself.
    newlines = array(_typecode(len(text)), (match.start() for match in _NEWLINE.finditer(text)))
    return _Tape(entries, keys, newlines, text)


def token_end(text: str, offset: int) -> int:
    """The offset just past the member or element that starts at ``offset``: a key through its
    scalar value or through the bracket that opens its container (never the container's end,
    which would cost a walk over it)."""
    match = _TOKEN.match(text, offset)
    if match is None:
        return min(offset + 1, len(text))
    kind = match.lastgroup
    if kind == "close":
        return offset + 1
    assert kind is not None
    return match.end(kind)


def _typecode(largest: int) -> str:
    # Four bytes an integer while offsets fit: half the memory on every real export.
    return "i" if largest < 2**31 - 1 else "q"


def _tokenize(text: str) -> tuple[array[int], list[str]]:
    """Record every member and element of a JSON text, in document order.

    Not a validator (the loaders did that), but a structure that does not add up raises,
    so that the caller falls back rather than report positions from a misread file.
    """
    first = _NON_SPACE.search(text)
    if first is None:
        raise _Malformed("the text is blank")
    entries: array[int] = array(_typecode(len(text)))
    if first.group() not in "{[":
        # CSV, XML or a bare scalar: only the root has a position.
        entries.extend((first.start(), -1, 0))
        return entries, []
    append = entries.extend
    key_ids: dict[str, int] = {}
    # Entry index of each open container, bitwise-inverted for arrays.
    stack: list[int] = []
    in_object = False
    for match in _TOKEN.finditer(text, first.start()):
        kind = match.lastgroup
        if kind == "value" or kind == "kopen":
            if not in_object:
                raise _Malformed("a key inside an array")
            raw = match["key"]
            key_id = key_ids.get(raw)
            if key_id is None:
                key_id = key_ids[raw] = len(key_ids)
            if kind == "value":
                append((match.start(), key_id, 0))
                continue
            in_object = match["kopen"] == "{"
            stack.append(len(entries) // 3 if in_object else ~(len(entries) // 3))
            append((match.start(), key_id, -1))
        elif kind == "close":
            for bracket in match["close"]:
                if bracket not in "]}":
                    continue
                if not stack or (bracket == "}") != (stack[-1] >= 0):
                    raise _Malformed("unbalanced brackets")
                opened = stack.pop()
                entries[3 * (opened if opened >= 0 else ~opened) + _END] = len(entries) // 3
            in_object = bool(stack) and stack[-1] >= 0
        elif in_object or (not stack and entries):
            raise _Malformed("a value where a key was expected")
        elif kind == "item":
            append((match.start(), -1, 0))
        else:
            in_object = match["open"] == "{"
            stack.append(len(entries) // 3 if in_object else ~(len(entries) // 3))
            append((match.start(), -1, -1))
    if stack or not entries:
        raise _Malformed("the text ends inside a container")
    return entries, list(key_ids)


def _decode_key(raw: str) -> str:
    if "\\" not in raw:
        return raw
    decoded = json.loads('"' + raw + '"')
    if not isinstance(decoded, str):
        raise _Malformed("a key that is not a string")
    return decoded
