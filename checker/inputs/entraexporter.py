"""EntraExporter (``Export-Entra``, PowerShell module microsoft/EntraExporter) folders.

The exporter writes one Graph object per file, so the folder, not ``@odata.context``, names
the collection. Folder names come from ``src/Get-EEDefaultSchema.ps1`` (commit
01b47305b3e2aba622d065bfbd5a4af378b36976) and the file layout from ``src/Export-Entra.ps1``:
module 2.0.1, one request per collection ("v2"), and its ``$batch`` rewrite ("v3", commit
d290331376b2b9e60f43da2c837c06e224dc4b84). Both write:

- an object:            ``<Folder>/<id>/<id>.json``
- a child of an object: ``<Folder>/<pid>/<Child>/<cid>/<cid>.json``
- a fixed path:         ``Policies/AuthenticationMethodsPolicy/AuthenticationMethodConfigurations/<Method>.json``

Members written flat, ``<Folder>/<pid>/Members/<cid>.json``, are read too. Folder names
match case-insensitively, wherever the export's root lies inside the scanned folder; a file
may hold the object itself or, if saved by hand, ``{"value": [...]}`` or a list of them.
The exporter's ``Identity/Conditional/AccessPolicies`` is the Conditional Access policy
folder in every version; it has no folder for authentication strengths, the methods policy
itself or user registration details.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.inputs import fields, identify
from checker.inputs.identify import Identification, Piece

FORMAT = "entraexporter"


@dataclass(frozen=True)
class _Folder:
    """One folder of the export schema; ``collection`` None means no rule reads it."""

    name: str
    collection: str | None
    children: Mapping[str, str] = field(default_factory=dict)
    loose_files: bool = False  # objects as <Folder>/<name>.json (fixed paths in the schema)
    any_depth: bool = False  # a command's own layout: every file below belongs to the folder


_FOLDERS: tuple[_Folder, ...] = (
    _Folder("Identity/Conditional/AccessPolicies", identify.CA_POLICIES),
    _Folder("Identity/Conditional/NamedLocations", identify.NAMED_LOCATIONS),
    _Folder("Policies/IdentitySecurityDefaultsEnforcementPolicy", identify.SECURITY_DEFAULTS),
    _Folder("Policies/AuthorizationPolicy", identify.AUTHORIZATION_POLICY),
    _Folder("Policies/AuthenticationMethodsPolicy/AuthenticationMethodConfigurations",
            identify.AUTH_METHOD_CONFIGURATIONS, loose_files=True),
    _Folder("SubscribedSkus", identify.SUBSCRIBED_SKUS),
    _Folder("Users", identify.USERS),
    _Folder("Groups", identify.GROUPS, {"members": identify.GROUP_MEMBERS}),
    _Folder("DirectoryRoles", identify.DIRECTORY_ROLES, {"members": identify.ROLE_MEMBERS}),
    _Folder("RoleManagement/Directory/RoleAssignments", identify.ROLE_ASSIGNMENTS),
    _Folder("RoleManagement/Directory/RoleDefinitions", identify.ROLE_DEFINITIONS),
    # PIM eligibilities and Azure RBAC carry principalId + roleDefinitionId, which would
    # otherwise pass for active directory role assignments.
    _Folder("PIM/DirectoryRoles", None, any_depth=True),
    _Folder("PIM/Groups", None, any_depth=True),
    _Folder("PIM/Resources", None, any_depth=True),
    _Folder("IAM/RoleAssignments", None, any_depth=True),
    _Folder("IAM/RoleDefinitions", None, any_depth=True),
)

_BY_SEGMENTS: dict[tuple[str, ...], _Folder] = {
    tuple(folder.name.lower().split("/")): folder for folder in _FOLDERS
}


def _by_first_segment() -> dict[str, tuple[tuple[tuple[str, ...], _Folder], ...]]:
    """The same, by first segment: a path is matched against the folders that start with one of its parts."""
    found: dict[str, list[tuple[tuple[str, ...], _Folder]]] = {}
    for key, folder in _BY_SEGMENTS.items():
        found.setdefault(key[0], []).append((key, folder))
    return {first: tuple(folders) for first, folders in found.items()}


_BY_FIRST_SEGMENT = _by_first_segment()

# First segments of every path in the export schema: an <x>/<x>.json file below one of them
# is the exporter's, even in a folder no rule reads.
_ROOTS = frozenset({
    "accesspolicies", "admin", "administrativeunits", "applications", "devices", "directory",
    "directoryroles", "domains", "groups", "groupsettings", "iam", "identity", "identitygovernance",
    "identityproviders", "onpremisespublishingprofiles", "organization", "pim", "policies",
    "reports", "rolemanagement", "serviceprincipals", "subscribedskus", "users",
})


@dataclass(frozen=True)
class _Match:
    folder: _Folder
    parent_id: str | None  # set for a child file
    child: str | None  # the child folder as written
    object_id: str  # from the path: <id> or <cid>, else the file's stem


def identify_entraexporter(parts: tuple[str, ...], document: Any) -> Identification | None:
    """What an EntraExporter file holds, judged by its path; None if the path is not the exporter's."""
    segments = _segments(parts)
    if not segments:
        return None
    match = _best_match(segments)
    if match is None:
        folder = _unknown_folder(segments)
        return None if folder is None else _ignored(folder)
    if match.child is not None:
        return _child_file(match, document)
    if match.folder.collection is None:
        return _ignored(match.folder.name)
    return _object_file(match.folder.name, match.folder.collection, document)


def collection_at(parts: tuple[str, ...]) -> str | None:
    """The collection a file at this path belongs to, read from the path alone (for a file that cannot be read)."""
    segments = _segments(parts)
    match = _best_match(segments) if segments else None
    if match is None:
        return None
    if match.child is not None:
        return match.folder.children.get(match.child.lower())
    return match.folder.collection


def _segments(parts: tuple[str, ...]) -> list[str]:
    """Path components with the final ``.json`` dropped; empty if the file is not JSON."""
    flat = [piece for part in parts for piece in part.replace("\\", "/").split("/") if piece]
    if not flat or not flat[-1].lower().endswith(".json"):
        return []
    return [*flat[:-1], flat[-1][: -len(".json")]]


def _best_match(segments: list[str]) -> _Match | None:
    """The known folder closest to the file (ties: the longest name) whose layout fits."""
    lowered = [segment.lower() for segment in segments]
    best: tuple[int, int, _Match] | None = None
    for start, first in enumerate(lowered):
        for key, folder in _BY_FIRST_SEGMENT.get(first, ()):
            end = start + len(key)
            if tuple(lowered[start:end]) != key:
                continue
            match = _fit(folder, segments[end:])
            if match is not None and (best is None or (end, len(key)) > best[:2]):
                best = (end, len(key), match)
    return None if best is None else best[2]


def _fit(folder: _Folder, rest: list[str]) -> _Match | None:
    """Read the segments after a folder (the last one is the file's stem) as a layout."""
    if folder.any_depth and rest:
        return _Match(folder, None, None, rest[-1])
    if len(rest) == 1 and folder.loose_files:
        return _Match(folder, None, None, rest[0])
    if len(rest) == 2 and _same(rest[0], rest[1]):
        return _Match(folder, None, None, rest[0])
    if len(rest) == 3 and rest[1].lower() in folder.children:
        return _Match(folder, rest[0], rest[1], rest[2])
    if len(rest) == 4 and _same(rest[2], rest[3]):
        return _Match(folder, rest[0], rest[1], rest[2])
    return None


def _same(folder: str, stem: str) -> bool:
    return folder.lower() == stem.lower()


def _unknown_folder(segments: list[str]) -> str | None:
    """The folder of an ``<x>/<x>.json`` file below an exporter top-level folder, or None."""
    folders = segments[:-1]
    if len(folders) < 2 or not _same(folders[-1], segments[-1]):
        return None
    for index, segment in enumerate(folders[:-1]):
        if segment.lower() in _ROOTS:
            return "/".join(folders[index:-1])
    return None


def _ignored(folder: str) -> Identification:
    return Identification(FORMAT, ignored_reason=f"EntraExporter {folder} is not read by any rule")


def _objects(document: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The objects a file holds, with their pointers: itself, its ``value`` array, or its elements."""
    if isinstance(document, dict):
        value = document.get("value")
        if not isinstance(value, list):
            return [("", document)]
        document, prefix = value, "/value"
    else:
        prefix = ""
    if not isinstance(document, list):
        return []
    return [(f"{prefix}/{index}", item) for index, item in enumerate(document) if isinstance(item, dict)]


def _object_file(folder: str, collection: str, document: Any) -> Identification:
    items = tuple(_objects(document))
    if not items or len(items) < _elements(document):
        return _not_objects(folder, collection, document, items)
    return Identification(FORMAT, (Piece(collection, items, whole=False),))


def _elements(document: Any) -> int:
    """How many objects the file should hold: one, or each element of its array."""
    if isinstance(document, dict):
        value = document.get("value")
        return len(value) if isinstance(value, list) else 1
    return len(document) if isinstance(document, list) else 1


def _not_objects(folder: str, collection: str, document: Any,
                 items: tuple[tuple[str, Mapping[str, Any]], ...]) -> Identification:
    """A file of the exporter's tree that holds something other than objects: its collection lost some."""
    expected = _elements(document)
    if expected == 0:
        return Identification(FORMAT, ignored_reason=f"EntraExporter {folder} file holds no object")
    if items:
        why = f"{expected - len(items)} of the {expected} elements of an EntraExporter {folder} file are not objects"
    else:
        why = f"an EntraExporter {folder} file holds {fields.type_name(document)}, not an object"
    diagnostics = (("INPUT001", why, "", 0, 0),)
    lost = ((collection, expected - len(items), why, ""),)
    if not items:
        return Identification(FORMAT, ignored_reason=why, diagnostics=diagnostics, lost=lost)
    return Identification(FORMAT, (Piece(collection, items, whole=False),), diagnostics=diagnostics, lost=lost)


def _child_file(match: _Match, document: Any) -> Identification:
    child = match.child or ""
    collection = match.folder.children.get(child.lower())
    name = f"{match.folder.name}/{child}"
    if collection is None:
        return _ignored(name)
    found = _objects(document)
    parent_key = "groupId" if collection == identify.GROUP_MEMBERS else "roleId"
    items = tuple(
        (pointer, _member(parent_key, match.parent_id or "", obj, match.object_id)) for pointer, obj in found
    )
    if not items or len(items) < _elements(document):
        return _not_objects(name, collection, document, items)
    return Identification(FORMAT, (Piece(collection, items, whole=False),))


def _member(parent_key: str, parent_id: str, obj: Mapping[str, Any], path_id: str) -> dict[str, Any]:
    """A member link: the parent from the path, the member's id and type from the file."""
    member_id = _text(obj, "id")
    item: dict[str, Any] = {parent_key: parent_id, "id": member_id or path_id}
    odata_type = _odata_type(obj)
    if odata_type:
        item["@odata.type"] = odata_type
    return item


def _text(obj: Mapping[str, Any], name: str) -> str:
    """A string field whatever its key's case; anything else reads as absent."""
    for key, value in obj.items():
        if key.lower() == name.lower() and isinstance(value, str):
            return value
    return ""


def _odata_type(obj: Mapping[str, Any]) -> str:
    """``@odata.type``, also as the Graph SDK dumps it (``OdataType``, ``AdditionalProperties``)."""
    found = _text(obj, "@odata.type") or _text(obj, "odataType")
    if found:
        return found
    extra = next((v for k, v in obj.items() if k.lower() == "additionalproperties"), None)
    return _text(extra, "@odata.type") if isinstance(extra, dict) else ""
