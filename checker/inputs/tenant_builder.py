"""Parsed objects to one Tenant: duplicates merged, contradictions reported."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from checker.inputs import fields, identify
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

    ``seen`` maps every collection found in the export, even empty, to its first file.
    """
    kept: dict[str, dict[str, ParsedObject]] = {}
    conflicts: list[tuple[Origin, str]] = []
    for item in parsed:
        key = _identity(item)
        same_collection = kept.setdefault(item.collection, {})
        first = same_collection.get(key)
        if first is None:
            same_collection[key] = item
        elif _comparable(first.raw) != _comparable(item.raw):
            conflicts.append((item.origin, (
                f"{item.collection} object {getattr(item.value, 'id', key)} differs from its copy in {first.origin.file}"
                f" ({first.origin.pointer or '/'}); the first copy is used"
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


def _identity(item: ParsedObject) -> str:
    """The object id; an object without one (a template) is known only by its content."""
    if item.collection in _SINGLETONS:
        return item.collection
    raw_id = fields.get(item.raw, "id")
    if isinstance(raw_id, str) and raw_id:
        return raw_id.lower()
    return "content:" + json.dumps(_comparable(item.raw), sort_keys=True)


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k.lower(): _comparable(v) for k, v in value.items() if "@odata." not in k}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value
