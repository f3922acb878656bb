"""Bytes to text to JSON, with positions for every reason a file cannot be read."""
from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from typing import Any

from checker.inputs.limits import Limits, over
from checker.inputs.spans import Spans, parse_with_spans
from checker.inputs.strict_json import Refusal, StrictDecoder, without_lone_surrogates

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class DecodeError(ValueError):
    """The file could not be turned into text or JSON; line and column are 1-based."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


WINDOWS_1252 = "windows-1252"
ANSI_NOTE = ("read as Windows-1252 (ANSI): Windows PowerShell 5.1 writes that without -Encoding utf8; "
             "export again with -Encoding utf8 to be sure of every character")
# Bytes that are control characters in Windows-1252 as in ASCII: text never holds them.
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0D} | {0x7F}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_text(data: bytes) -> DecodedText:
    """Decode by byte-order mark; without one, UTF-8 (or BOM-less UTF-16 recognised by NUL bytes)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return DecodedText(_decode(data[len(bom):], encoding, len(bom)), encoding + " with BOM")
    if not data.strip():
        raise DecodeError("the file is empty")
    if b"\x00" in data[:4]:
        utf16 = _guess_bomless_utf16(data)
        if utf16 is None:
            raise DecodeError("the file holds NUL bytes and is not UTF-16 text")
        return DecodedText(_decode(data, utf16, 0), utf16)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        ansi = _plausible_windows_1252(data)
        if ansi is not None:
            return DecodedText(ansi, WINDOWS_1252)
    return DecodedText(_decode(data, "utf-8", 0), "utf-8")


def _plausible_windows_1252(data: bytes) -> str | None:
    """Text as Windows PowerShell 5.1 writes it by default, or None when the bytes cannot be that.

    Python's cp1252 refuses the five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F,
    0x90, 0x9D); control bytes other than tab and line ends are not text either.
    """
    if not _CONTROL.isdisjoint(data):
        return None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _guess_bomless_utf16(data: bytes) -> str | None:
    head = data[:64]
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    return None


def _decode(data: bytes, encoding: str, offset: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start, encoding)
        raise DecodeError(
            f"not valid {encoding.upper()}: bad bytes at byte {error.start + offset}",
            line,
            column,
        ) from None


def _byte_position(data: bytes, index: int, encoding: str) -> tuple[int, int]:
    good = data[:index].decode(encoding, errors="replace")
    return _position(good, len(good))


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def parse_json_with_spans(text: str, limits: Limits = Limits(), utf8: bytes | None = None) -> tuple[Any, Spans]:
    """Parse JSON text strictly (see strict_json), noting where each element of a collection's array lies.

    ``utf8``: the bytes the text was decoded from, when they are UTF-8. Every failure becomes a
    DecodeError, with a position where the parser knows one.
    """
    try:
        decoder = StrictDecoder.for_text(text, limits, utf8)
        del utf8  # where the caller handed the bytes over, they go before the parse makes its objects
        document, spans = parse_with_spans(text, decoder)
        return without_lone_surrogates(text, document), spans
    except json.JSONDecodeError as error:
        raise DecodeError(f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
    except Refusal as error:
        raise DecodeError(f"not read: {error}") from None
    except RecursionError:
        raise DecodeError(f"not read: {over(limits, 'max_depth', 'objects or arrays nest too deeply to read')}") \
            from None
