"""One tenant, one moment: the exports and dated snapshots that one scanned folder may hold.

Merging the exports of several tenants, or several snapshots of one, mixes policies that
never coexisted and can turn a gap into a pass (DESIGN section 2). What tells them apart,
from the files alone:

- the same layout repeated under sibling folders (``<a>/configs/x.json``, ``<b>/configs/y.json``,
  both holding policies, one of them a whole set): copies of one export tree, such as commit
  or date folders;
- sibling folders that each hold a whole set of one collection (a Graph list response, an
  array, a provider export, or a tenant's single policy such as security defaults);
- the same object differing between files in sibling folders, or files carrying different
  tenant ids;
- files or folders named by different dates (``20210511-Policies.json``, ``2024-03-21``)
  holding the same collection.

Files that are byte-identical copies never count as a second export. Objects spread one per
file (``<id>.json``, one policy per folder) are parts of one export, never whole sets.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.entra import OBJECT_ID
from checker.inputs import identify

# A tenant has exactly one of these: one in each of two sibling folders means two tenants or moments.
SINGLE_OBJECT_COLLECTIONS = frozenset({
    identify.SECURITY_DEFAULTS, identify.AUTH_METHODS_POLICY, identify.AUTHORIZATION_POLICY,
})

# Links kept one file per parent object (EntraExporter's Groups/<id>/Members/): never whole sets.
_LINKS = frozenset({identify.GROUP_MEMBERS, identify.ROLE_MEMBERS})
# A folder named by an object id holds that object (EntraExporter), never an export of its own.
_NOT_ALNUM_BEFORE, _NOT_ALNUM_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
_MONTH, _DAY = r"(0[1-9]|1[0-2])", r"(0[1-9]|[12][0-9]|3[01])"
_YEAR_FIRST = re.compile(_NOT_ALNUM_BEFORE + r"((?:19|20)[0-9]{2})([-_]?)" + _MONTH + r"\2" + _DAY + _NOT_ALNUM_AFTER)
_YEAR_LAST = re.compile(_NOT_ALNUM_BEFORE + _MONTH + r"([-_])" + _DAY + r"\2((?:19|20)[0-9]{2})" + _NOT_ALNUM_AFTER)


@dataclass(frozen=True)
class FileFacts:
    """What telling exports apart needs to know of one recognised file."""

    path: str
    sha256: str
    collections: frozenset[str]
    whole: frozenset[str] = frozenset()
    tenant_id: str = ""
    ignored: bool = False  # neither read nor unreadable: a README, a LICENSE


@dataclass(frozen=True)
class Export:
    """One export: its name, the files that make it up, and every file of its folders (``scan --each``)."""

    name: str
    files: tuple[str, ...]
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Separation:
    """Several exports (or snapshots) found where one was expected, and the files of each."""

    kind: str
    reason: str
    exports: tuple[Export, ...]
    unplaced: tuple[str, ...] = ()

    def summary(self, scanned: str, remedy: str = "scan one of them, or use 'scan --each' for one report per "
                "export") -> str:
        names = ", ".join(export.name for export in self.exports)
        return f"{scanned} holds {len(self.exports)} {self.kind} ({names}), not one: {self.reason}; {remedy}"

    def details(self) -> list[str]:
        lines = [f"  {export.name}: {_files(export.files)}" for export in self.exports]
        if self.unplaced:
            lines.append(f"  in none of them: {_files(self.unplaced)}")
        return lines


def _files(paths: Sequence[str], shown: int = 3) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return f"{len(paths)} file{'s' if len(paths) != 1 else ''} ({', '.join(paths[:shown])}{more})"


def date_in(name: str) -> str | None:
    """The date a file or folder name carries, as YYYY-MM-DD, or None."""
    found = _YEAR_FIRST.search(name)
    if found is not None:
        return f"{found.group(1)}-{found.group(3)}-{found.group(4)}"
    found = _YEAR_LAST.search(name)
    if found is not None:
        return f"{found.group(4)}-{found.group(1)}-{found.group(3)}"
    return None


def tell_apart(files: Sequence[FileFacts], clashes: Iterable[tuple[str, str]] = ()) -> Separation | None:
    """The exports the files make up when there is more than one, else None.

    Only files recognised as part of an export tell exports apart; every file under an
    export's folder (an unreadable one, a README) belongs to it.
    """
    split = _folder_split(files, clashes)
    if split is not None:
        return split
    return _date_split(files)


def _folder_split(every_file: Sequence[FileFacts], clashes: Iterable[tuple[str, str]]) -> Separation | None:
    files = [item for item in every_file if item.collections]
    found: list[tuple[tuple[str, ...], str]] = []  # (the folder whose children differ, why)
    copies: dict[tuple[tuple[str, ...], str, tuple[str, ...]], dict[str, set[str]]] = {}
    whole_sets: set[tuple[tuple[str, ...], str, tuple[str, ...]]] = set()  # keys with a whole set somewhere
    for item in files:
        folders = tuple(item.path.split("/")[:-1])
        for depth in range(len(folders)):
            relative = folders[depth + 1:]
            if OBJECT_ID.fullmatch(folders[depth]):
                continue
            for collection in item.collections - _LINKS:
                whole = collection in item.whole or collection in SINGLE_OBJECT_COLLECTIONS
                if relative or whole:
                    key = (folders[:depth], collection, relative)
                    copies.setdefault(key, {}).setdefault(folders[depth], set()).add(item.sha256)
                    if whole:
                        whole_sets.add(key)
    for key, children in copies.items():
        parent, collection, relative = key
        # one object per file under each sibling (policy templates sorted by category) is one export
        if key in whole_sets and len(children) > 1 and len({frozenset(shas) for shas in children.values()}) > 1:
            why = (f"the same layout ({'/'.join(relative)}/) repeats under sibling folders, each holding {collection}"
                   if relative else f"sibling folders each hold a whole set of {collection}")
            found.append((parent, why))
    for first, second in clashes:
        clash_folder = _diverging_folder(first, second)
        if clash_folder is not None:
            found.append((clash_folder, "the same object differs between files in sibling folders"))
    tenants = [item for item in files if item.tenant_id]
    for item in tenants:
        for other in tenants:
            if item.tenant_id.lower() < other.tenant_id.lower():
                tenant_folder = _diverging_folder(item.path, other.path)
                if tenant_folder is not None:
                    found.append((tenant_folder, "files in sibling folders carry different tenant ids"))
    if not found:
        return None
    parent, why = min(found, key=lambda entry: (len(entry[0]), entry[0], identify.CA_POLICIES not in entry[1],
                                                entry[1]))
    groups: dict[str, list[FileFacts]] = {}
    unplaced = []
    for item in sorted(every_file, key=lambda f: f.path):
        parts = item.path.split("/")
        if len(parts) > len(parent) + 1 and tuple(parts[:len(parent)]) == parent:
            groups.setdefault(parts[len(parent)], []).append(item)
        elif not item.ignored:
            unplaced.append(item.path)
    exports = tuple(_export(name, members) for name, members in sorted(groups.items())
                    if any(member.collections for member in members))
    if len(exports) < 2:
        return None
    kind = "dated snapshots" if all(date_in(export.name) for export in exports) else "exports or snapshots"
    return Separation(kind, why, exports, tuple(unplaced))


def _export(name: str, members: Sequence[FileFacts]) -> Export:
    return Export(name, tuple(m.path for m in members if not m.ignored), tuple(m.path for m in members))


def _diverging_folder(first: str, second: str) -> tuple[str, ...] | None:
    """The folder under which two files lie in different subfolders, or None if they share a folder."""
    a, b = first.split("/")[:-1], second.split("/")[:-1]
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    if common == len(a) or common == len(b):
        return None
    return tuple(a[:common])


def _date_split(every_file: Sequence[FileFacts]) -> Separation | None:
    labels: dict[str, str] = {}
    for item in every_file:
        for part in reversed(item.path.split("/")):
            date = date_in(part)
            if date is not None:
                labels[item.path] = date
                break
    by_collection: dict[str, dict[str, set[str]]] = {}
    for item in every_file:
        if item.path in labels:
            for collection in item.collections:
                by_collection.setdefault(collection, {}).setdefault(labels[item.path], set()).add(item.sha256)
    shared = sorted(c for c, dates in by_collection.items()
                    if len(dates) > 1 and len({frozenset(shas) for shas in dates.values()}) > 1)
    if not shared:
        return None
    groups: dict[str, list[FileFacts]] = {}
    for item in sorted(every_file, key=lambda f: f.path):
        if item.path in labels:
            groups.setdefault(labels[item.path], []).append(item)
    unplaced = tuple(item.path for item in sorted(every_file, key=lambda f: f.path)
                     if item.path not in labels and not item.ignored)
    exports = tuple(_export(date, members) for date, members in sorted(groups.items()))
    return Separation("dated snapshots", f"files named by date each hold {shared[0]}", exports, unplaced)
