"""The part of a space that no box covers, as a few product regions.

A box is a policy's reach (one set of atoms per dimension). The uncovered part is found by
splitting one dimension at a time into the atoms that the same boxes contain, so atoms that
no policy tells apart stay together and the answer reads as a handful of regions rather than
a list of points.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Box = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Region:
    """A product of atom sets, one per dimension, in the space's dimension order."""

    parts: tuple[tuple[str, frozenset[str]], ...]

    def atoms(self, dimension: str) -> frozenset[str]:
        return next(atoms for name, atoms in self.parts if name == dimension)

    def contains(self, point: Mapping[str, str]) -> bool:
        return all(point[name] in atoms for name, atoms in self.parts)

    def size(self) -> int:
        total = 1
        for _, atoms in self.parts:
            total *= len(atoms)
        return total


def uncovered(dimensions: Sequence[tuple[str, tuple[str, ...]]], boxes: Sequence[Box]) -> tuple[Region, ...]:
    """The regions of the space that none of ``boxes`` covers (empty when they cover it all)."""
    full = [_full_from(dimensions, box) for box in boxes]
    found = _split(dimensions, 0, list(range(len(boxes))), boxes, full, {})
    return tuple(Region(tuple(zip((name for name, _ in dimensions), parts, strict=False))) for parts in _merge_all(found))


def partition(dimensions: Sequence[tuple[str, tuple[str, ...]]], boxes: Sequence[Box],
              label: Callable[[frozenset[int]], str]) -> tuple[tuple[str, Region], ...]:
    """The whole space cut into regions, each labelled by ``label`` of the boxes that cover it."""
    found: dict[str, list[Parts]] = {}
    for parts, inside in _cells(dimensions, 0, tuple(range(len(boxes))), boxes):
        found.setdefault(label(inside), []).append(parts)
    names = [name for name, _ in dimensions]
    return tuple((text, Region(tuple(zip(names, parts, strict=False))))
                 for text in sorted(found) for parts in _merge_all(found[text]))


def _cells(dimensions: Sequence[tuple[str, tuple[str, ...]]], index: int, live: tuple[int, ...],
           boxes: Sequence[Box]) -> list[tuple[Parts, frozenset[int]]]:
    """Product cells of the space, each with the boxes that cover all of it."""
    if index == len(dimensions) or not live:
        return [(tuple(frozenset(atoms) for _, atoms in dimensions[index:]), frozenset(live))]
    name, atoms = dimensions[index]
    groups: dict[tuple[int, ...], list[str]] = {}
    for atom in atoms:
        groups.setdefault(tuple(b for b in live if atom in boxes[b][name]), []).append(atom)
    return [((frozenset(group), *tail), inside)
            for key, group in groups.items() for tail, inside in _cells(dimensions, index + 1, key, boxes)]


Parts = tuple[frozenset[str], ...]


def _full_from(dimensions: Sequence[tuple[str, tuple[str, ...]]], box: Box) -> int:
    """The first dimension index from which the box covers every atom of every dimension."""
    index = len(dimensions)
    while index > 0 and len(box[dimensions[index - 1][0]]) == len(dimensions[index - 1][1]):
        index -= 1
    return index


def _split(dimensions: Sequence[tuple[str, tuple[str, ...]]], index: int, live: list[int], boxes: Sequence[Box],
           full: Sequence[int], memo: dict[tuple[int, tuple[int, ...]], list[Parts]]) -> list[Parts]:
    rest = tuple(frozenset(atoms) for _, atoms in dimensions[index:])
    if not live:
        return [rest]
    if any(full[b] <= index for b in live):
        return []
    key = (index, tuple(live))
    if key in memo:
        return memo[key]
    name, atoms = dimensions[index]
    groups: dict[tuple[int, ...], list[str]] = {}
    for atom in atoms:
        groups.setdefault(tuple(b for b in live if atom in boxes[b][name]), []).append(atom)
    found: list[Parts] = []
    for inside, group in groups.items():
        for tail in _split(dimensions, index + 1, list(inside), boxes, full, memo):
            found.append((frozenset(group), *tail))
    memo[key] = _merge_all(found)
    return memo[key]


def _merge_all(regions: list[Parts]) -> list[Parts]:
    """Join regions that differ in one dimension only, until none do."""
    merged = list(dict.fromkeys(regions))
    changed = True
    while changed and len(merged) > 1:
        changed = False
        width = len(merged[0])
        for position in range(width):
            buckets: dict[Parts, frozenset[str]] = {}
            for parts in merged:
                rest = parts[:position] + parts[position + 1:]
                buckets[rest] = buckets.get(rest, frozenset()) | parts[position]
            if len(buckets) < len(merged):
                merged = [rest[:position] + (atoms,) + rest[position:] for rest, atoms in buckets.items()]
                changed = True
    return merged


def size_of(regions: Sequence[Region]) -> int:
    """How many points the regions hold (they never overlap: each comes from one split of the space)."""
    return sum(region.size() for region in regions)


def intersection(first: Sequence[Region], second: Sequence[Region]) -> tuple[Region, ...]:
    """The regions that lie in both lists (each a union of products)."""
    names = [name for name, _ in first[0].parts] if first else []
    found: list[Parts] = []
    for a in first:
        for b in second:
            parts = tuple(x & y for (_, x), (_, y) in zip(a.parts, b.parts, strict=False))
            if all(parts):
                found.append(parts)
    return tuple(Region(tuple(zip(names, parts, strict=False))) for parts in _merge_all(found))
