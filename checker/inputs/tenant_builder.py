"""Parsed objects to one Tenant: duplicates merged, contradictions reported."""
from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from checker.inputs import identify
from checker.model import Tenant
from checker.origin import Origin

if TYPE_CHECKING:
    from checker.inputs.load import ParsedObject

_TENANT_FIELDS = {
    identify.CA_POLICIES: "conditional_access_policies",
    identify.SUBSCRIBED_SKUS: "subscribed_skus",
    identify.USERS: "users",
    identify.GROUPS: "groups",
    identify.DIRECTORY_ROLES: "directory_roles",
    identify.ROLE_ASSIGNMENTS: "role_assignments",
    identify.ROLE_DEFINITIONS: "role_definitions",
    identify.REGISTRATION_DETAILS: "registration_details",
    identify.AUTH_METHOD_CONFIGURATIONS: "authentication_method_configurations",
    identify.AUTH_STRENGTHS: "authentication_strengths",
    identify.NAMED_LOCATIONS: "named_locations",
}

_SINGLETONS = {
    identify.SECURITY_DEFAULTS: "security_defaults",
    identify.AUTH_METHODS_POLICY: "authentication_methods_policy",
}

_COLLECTION_ORIGINS = {
    identify.CA_POLICIES: "conditional_access_origin",
    identify.SUBSCRIBED_SKUS: "subscribed_skus_origin",
    identify.REGISTRATION_DETAILS: "registration_details_origin",
}


def build_tenant(
    parsed: Sequence[ParsedObject], seen: Mapping[str, str]
) -> tuple[Tenant, list[tuple[Origin, str]]]:
    """Group objects by collection and id; identical copies merge, differing ones conflict.

    Copies are compared on what the model holds of them (every field a check reads), so the
    raw documents need not stay in memory. ``seen`` maps every collection found in the
    export, even empty, to its first file.
    """
    kept: dict[str, dict[Hashable, ParsedObject]] = {}
    conflicts: list[tuple[Origin, str]] = []
    for item in parsed:
        key = _identity(item)
        same_collection = kept.setdefault(item.collection, {})
        first = same_collection.get(key)
        if first is None:
            same_collection[key] = item
        elif _content(first.value) != _content(item.value):
            conflicts.append((item.origin, (
                f"{item.collection} object {getattr(item.value, 'id', '')} differs from its copy in "
                f"{first.origin.file} ({first.origin.pointer or '/'}); the first copy is used"
            )))
    values: dict[str, Any] = {}
    for collection, objects in kept.items():
        ordered = list(objects.values())
        if collection in _SINGLETONS:
            values[_SINGLETONS[collection]] = ordered[0].value
            continue
        values[_TENANT_FIELDS[collection]] = tuple(item.value for item in ordered)
        if collection in _COLLECTION_ORIGINS:
            values[_COLLECTION_ORIGINS[collection]] = Origin(ordered[0].origin.file)
    for collection, first_file in seen.items():
        attribute = _TENANT_FIELDS.get(collection)
        if attribute is not None and attribute not in values:
            values[attribute] = ()
            if collection in _COLLECTION_ORIGINS:
                values[_COLLECTION_ORIGINS[collection]] = Origin(first_file)
    return Tenant(**values), conflicts


def _identity(item: ParsedObject) -> Hashable:
    """The object id; an object without one (a template) is known only by its content."""
    if item.collection in _SINGLETONS:
        return item.collection
    return item.key if item.key is not None else ("content", _content(item.value))


def _content(value: Any) -> Any:
    """A model value without its origins, for comparing copies from different files."""
    if isinstance(value, Origin):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(_content(getattr(value, field.name)) for field in dataclasses.fields(value))
    if isinstance(value, tuple):
        return tuple(_content(item) for item in value)
    return value
