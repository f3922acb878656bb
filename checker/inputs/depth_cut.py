"""Exports cut short by PowerShell's ConvertTo-Json at its default depth.

ConvertTo-Json stops at depth 2 unless told otherwise: deeper objects are written as the
name of their .NET type ("Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraph...") and
deeper arrays as one space-joined string. Such an object cannot be read without guessing,
so it is left out, and its file gets one finding that names the cause and the fix.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The type names PowerShell writes where it stopped descending.
_TYPE_NAME = re.compile(
    r"(?:Microsoft\.[A-Za-z0-9_.]+\.Models?\.[A-Za-z0-9_]+|Microsoft\.Open\.[A-Za-z0-9_.]+"
    r"|System\.Collections\.[A-Za-z0-9_.`\[\]]+|System\.Object\[\])"
)
_MARKER = re.compile(r'"(?:Microsoft\.[A-Za-z0-9_.]+\.Models?\.|Microsoft\.Open\.|System\.Collections\.|System\.Object\[\])')

FIX = "export again with ConvertTo-Json -Depth 10 (or more)"


def may_be_cut_short(text: str, utf8: bytes | None = None) -> bool:
    """A cheap test on the whole text: only files that pass it are searched object by object.

    Plain searches first (in ``utf8``, the text's bytes, where given: faster still): they skip
    through text many times faster than the pattern can, and an export that went through the
    Graph API holds neither word.
    """
    if utf8 is not None:
        if b"Microsoft." not in utf8 and b"System." not in utf8:
            return False
    elif "Microsoft." not in text and "System." not in text:
        return False
    return _MARKER.search(text) is not None


def type_name_at(obj: Any, pointer: str = "") -> tuple[str, str] | None:
    """The pointer and value of the first type-name string inside ``obj``, or None."""
    for at, value in _strings(obj, pointer):
        if _TYPE_NAME.fullmatch(value):
            return at, value
    return None


def _strings(obj: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield pointer, obj
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _strings(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _strings(value, f"{pointer}/{index}")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class DepthCut:
    """The objects of one file that ConvertTo-Json cut short."""

    collections: tuple[str, ...]
    objects: int
    first_pointer: str
    first_value: str

    @property
    def message(self) -> str:
        what = ", ".join(self.collections)
        return (f"cut short by ConvertTo-Json's depth limit: {self.objects} object(s) of {what} hold type names "
                f"instead of their values (first at {self.first_pointer}: \"{self.first_value}\"), so they were "
                f"not read; {FIX}")
