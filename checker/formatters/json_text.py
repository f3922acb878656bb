"""JSON reports as text, written a piece at a time: indented, key-sorted, one record a line.

A 100k-user report holds hundreds of thousands of records (results, users) and reaches
100 MB. Two costs dominate when each record is a dict handed to ``json.dumps``: building
the dict and ``json``'s own per-call set-up, and the C encoder itself (about 60 MB/s here).
So the records that grow with the tenant are written as text by the formatters, from pieces
encoded once (a message shared by 90,000 results, a file name, a verdict), and the text of
a report is produced in chunks that go to its file as they are made, never whole in memory.

Every piece is the text ``json.dumps(..., sort_keys=True, ensure_ascii=False)`` makes of the
same value: strings through ``json``'s own escaping, anything unusual through the encoder.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from json.encoder import encode_basestring
from typing import Any

# Characters that json leaves raw with ``ensure_ascii=False`` and a report writes as ``\u``
# escapes: C1 controls, bidi controls and lone surrogates. They can only sit inside strings,
# where an escape is the same data, and raw they would act on a terminal that prints the file.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Text is handed on once a chunk holds this many characters: large enough that writing costs
# nothing per record, small enough that no report is held whole.
CHUNK = 1 << 20

_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False)


def json_escaped(text: str) -> str:
    """JSON text with C1 controls, bidi controls and lone surrogates as ``\\u`` escapes."""
    if text.isascii():
        return text
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def string(text: str) -> str:
    """A JSON string, as json writes it with ``ensure_ascii=False``, escaped."""
    encoded = encode_basestring(text)
    return encoded if encoded.isascii() else json_escaped(encoded)


def value(item: Any) -> str:
    """Any JSON value as compact text with sorted keys, escaped; the common scalars without the
    encoder's per-call set-up."""
    kind = type(item)
    if kind is str:
        return json_escaped(encode_basestring(item))
    if item is None:
        return "null"
    if kind is bool:
        return "true" if item else "false"
    if kind is int:
        return int.__repr__(item)
    return json_escaped(_ENCODER.encode(item))


class Strings:
    """Strings that many records share (messages, file names), each encoded once."""

    def __init__(self) -> None:
        self._encoded: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        encoded = self._encoded.get(text)
        if encoded is None:
            encoded = self._encoded[text] = string(text)
        return encoded


@dataclass(frozen=True)
class EncodedRecords:
    """A record list whose records are already JSON text (escaped), made one at a time."""

    texts: Iterable[str]


def records_per_line(document: Any, record_lists: frozenset[str]) -> Iterator[str]:
    """The document as indented, key-sorted JSON in chunks of about ``CHUNK`` characters,
    except that lists named in ``record_lists`` hold one record a line.

    Those lists may be any iterable of values, or ``EncodedRecords``, so that large ones are
    made a record at a time. ``indent=`` would make json use its pure-Python encoder, about
    ten times slower than the C one; the record lists grow with the tenant, the rest is small.
    A line per record also keeps the output diffable.
    """
    pending: list[str] = []
    size = 0
    for piece in _pieces(document, record_lists, 0):
        pending.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(pending)
            pending.clear()
            size = 0
    if pending:
        yield "".join(pending)


def _pieces(document: Any, record_lists: frozenset[str], level: int) -> Iterator[str]:
    pad = "  " * level
    if isinstance(document, dict) and document:
        yield "{\n"
        for number, key in enumerate(sorted(document)):
            yield f",\n{pad}  " if number else f"{pad}  "
            yield f"{value(key)}: "
            item = document[key]
            if key in record_lists and not isinstance(item, (dict, str)):
                yield from _records(item, pad)
            else:
                yield from _pieces(item, record_lists, level + 1)
        yield f"\n{pad}}}"
    elif isinstance(document, list) and document:
        yield "[\n"
        for number, item in enumerate(document):
            yield f",\n{pad}  " if number else f"{pad}  "
            yield from _pieces(item, record_lists, level + 1)
        yield f"\n{pad}]"
    else:
        yield value(document)


def _records(records: Any, pad: str) -> Iterator[str]:
    texts = iter(records.texts if isinstance(records, EncodedRecords) else map(value, records))
    separator = f",\n{pad}    "
    opened = False
    while batch := list(islice(texts, _BATCH)):
        yield (separator if opened else f"[\n{pad}    ") + separator.join(batch)
        opened = True
    yield f"\n{pad}  ]" if opened else "[]"


# Records are joined this many at a time: a piece of text per record would cost more than the record.
_BATCH = 1000
