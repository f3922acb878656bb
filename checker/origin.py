"""Where a piece of evidence came from: an input file and a JSON pointer inside it.

Line and column are not stored here; ``checker.locate`` computes them lazily, per file,
only when a formatter asks.
"""
from __future__ import annotations

from typing import NamedTuple


def escape_pointer_token(token: str) -> str:
    """Escape one reference token as RFC 6901 requires."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    tokens = pointer[1:].split("/") if pointer.startswith("/") else pointer.split("/")
    if "~" not in pointer:
        return tokens
    return [unescape_pointer_token(token) for token in tokens]


class Origin(NamedTuple):
    """An input file (as displayed to the user) and a JSON pointer within it.

    A NamedTuple rather than a dataclass: the loader makes one for every object of an
    export, and a tuple is several times cheaper to build.
    """

    file: str
    pointer: str = ""

    def child(self, *tokens: str | int) -> Origin:
        suffix = "".join("/" + escape_pointer_token(str(token)) for token in tokens)
        return Origin(self.file, self.pointer + suffix)
