"""Tenant data made safe to print: every name in an export is untrusted text.

A display name may hold terminal escape sequences (a screen clear, an OSC 8 link), a newline
that forges a line of the report, a carriage return that overwrites one, a ``|`` that ends a
Markdown cell, bidirectional overrides that reorder what the reader sees, or a lone UTF-16
surrogate that no encoder accepts. Two functions, one per kind of output, turn such text
into plain characters that show what was there; HTML leaves the markup to jinja2's
autoescaping and uses ``visible`` for the rest.
"""
from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), lone surrogates, and the
# bidirectional formatting characters (Trojan Source).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
# A table cell never needs more; past it, tabulate's wrapping grows with the square of the length.
CELL_LIMIT = 300


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Control, bidi and surrogate characters written as escapes (``\\e``, ``\\n``, ``\\x9b``, ``\\ud800``)."""
    return _INVISIBLE.sub(_escape, text)


def shortened(text: str, limit: int) -> str:
    """About ``limit`` characters: the cut is marked with an ellipsis and how much was left out."""
    if len(text) <= limit:
        return text
    keep = max(limit - 24, limit // 2)
    return f"{text[:keep]}… ({len(text) - keep} more characters)"


def terminal_text(text: str, limit: int | None = None) -> str:
    """Text for a terminal (table, explain-user, inputs, gaps): one line, no escape sequence."""
    shown = visible(text)
    return shown if limit is None else shortened(shown, limit)


def markdown_cell(text: str, limit: int | None = None) -> str:
    """Text for Markdown (a table cell or a line): no markup, no line break, no raw HTML."""
    shown = terminal_text(text, limit)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", shown.replace("&", "&amp;"))


def encodable(text: str) -> str:
    """Output as UTF-8 can write it: a lone surrogate left anywhere becomes its escape.

    Formatters escape the names they print; this is the last guard, so that a report is
    never lost (an output file left empty) for one character.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
