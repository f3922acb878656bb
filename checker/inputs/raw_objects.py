"""The objects of a collection as the export holds them, each with its Origin.

The model keeps only what the built-in checks read. A rule written in a scan's
configuration may read any field, so the loader keeps the raw objects of the collections
such rules name, and only of those: keeping every raw object would hold a whole large
export in memory twice.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from checker.inputs import fields
from checker.origin import Origin


class RawObject(NamedTuple):
    origin: Origin
    value: Any


@dataclass(frozen=True)
class RawCollection:
    """The objects of one collection in export order, one per Graph id (the first copy read),
    and the files that hold the collection (evidence for a rule about the collection whole)."""

    objects: tuple[RawObject, ...]
    files: tuple[str, ...]


class RawKeeper:
    """Collects, while the loader reads, the raw objects of the collections asked for."""

    def __init__(self, collections: Iterable[str]) -> None:
        self.wanted = frozenset(collections)
        self._objects: dict[str, list[RawObject]] = {}
        self._files: dict[str, list[str]] = {}
        self._ids: set[tuple[str, str]] = set()

    def keep(self, collection: str, file: str, items: Iterable[tuple[str, Any]]) -> None:
        if collection not in self.wanted:
            return
        files = self._files.setdefault(collection, [])
        if file not in files:
            files.append(file)
        objects = self._objects.setdefault(collection, [])
        for pointer, value in items:
            graph_id = fields.get(value, "id") if isinstance(value, dict) else None
            if isinstance(graph_id, str) and graph_id:
                if (collection, graph_id.lower()) in self._ids:
                    continue
                self._ids.add((collection, graph_id.lower()))
            objects.append(RawObject(Origin(file, pointer), value))

    def collections(self) -> dict[str, RawCollection]:
        return {name: RawCollection(tuple(self._objects.get(name, ())), tuple(files))
                for name, files in sorted(self._files.items())}
