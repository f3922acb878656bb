"""Parsed objects to one Tenant: duplicates merged, contradictions reported."""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.entra import OBJECT_ID
from checker.inputs import identify
from checker.inputs.graph import MemberLink
from checker.model import ConditionalAccessPolicy, DirectoryRole, Group, Tenant, User
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
    identify.PER_USER_MFA: "per_user_mfa",
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


class Disputed(NamedTuple):
    """An object whose copies differ: which one the tenant holds cannot be told, so none is used."""

    collection: str
    copies: int
    origin: Origin
    why: str


def build_tenant(
    parsed: Sequence[ParsedObject], seen: Mapping[str, str]
) -> tuple[Tenant, list[tuple[Origin, str]], list[tuple[str, str]], list[Disputed]]:
    """Group objects by collection and id; identical copies merge, differing ones conflict.

    Copies are compared on what the model holds of them (every field a check reads), so the
    raw documents need not stay in memory. ``seen`` maps every collection found in the
    export, even empty, to its first file. Also returns the pairs of files that clash, and
    the objects left out because their copies differ (never the first or the last copy
    picked: with date-named snapshots, that would always be the oldest or the newest).
    """
    kept: dict[str, dict[Hashable, ParsedObject]] = {}
    conflicts: list[tuple[Origin, str]] = []
    clashes: set[tuple[str, str]] = set()
    copies: Counter[tuple[str, Hashable]] = Counter()
    differing: dict[tuple[str, Hashable], Disputed] = {}
    for item in parsed:
        collection = item.collection
        if collection in _MEMBER_COLLECTIONS:
            continue  # a link, not an object: one user may belong to many groups
        key = item.key if item.key is not None and collection not in _SINGLETONS else _identity(item)
        same_collection = kept.get(collection)
        if same_collection is None:
            same_collection = kept[collection] = {}
        first = same_collection.get(key)
        if first is None:
            same_collection[key] = item
            continue
        # only copies are counted: a 100k-user export has none, or a few
        copies[collection, key] += 1 if (collection, key) in copies else 2
        if _content(first.value) != _content(item.value):
            clashes.add((first.origin.file, item.origin.file))
            why = (f"{item.collection} object {getattr(item.value, 'id', '')} differs from its copy in "
                   f"{first.origin.file} ({first.origin.pointer or '/'}); which copy the tenant holds cannot be "
                   "told, so neither is used and the collection is incomplete")
            conflicts.append((item.origin, why))
            differing.setdefault((item.collection, key), Disputed(item.collection, 0, first.origin, why))
    for collection, key in differing:
        del kept[collection][key]
    disputed = [entry._replace(copies=copies[place]) for place, entry in differing.items()]
    links = [item.value for item in parsed if item.collection in _MEMBER_COLLECTIONS]
    values: dict[str, Any] = {}
    for collection, objects in kept.items():
        ordered = list(objects.values())
        if not ordered:
            continue  # every object disputed: the collection is marked incomplete
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
    _merge_members(values, links)
    if values.get("conditional_access_policies"):
        values["conditional_access_policies"], unresolved = resolve_names(
            values["conditional_access_policies"], values.get("groups"), values.get("users"))
        conflicts += unresolved
    return Tenant(**values), conflicts, sorted(clashes), disputed


_MEMBER_COLLECTIONS = (identify.GROUP_MEMBERS, identify.ROLE_MEMBERS)


def _merge_members(values: dict[str, Any], links: list[MemberLink]) -> None:
    """Members exported as files of their own join their group or role."""
    if not links:
        return
    groups = {g.id.lower(): g for g in values.get("groups", ())}
    roles = {r.id.lower(): r for r in values.get("directory_roles", ())}
    by_template = {r.role_template_id: r for r in roles.values()}
    for link in sorted(links, key=lambda item: item.origin):
        if link.parent_kind == "role":
            role = by_template.get(link.parent_id) if link.parent_is_template else roles.get(link.parent_id)
            if role is None:
                role = DirectoryRole(link.parent_id, link.parent_id if link.parent_is_template else "", "", (),
                                     link.origin)
            updated = dataclasses.replace(role, member_ids=(*(role.member_ids or ()), link.member_id))
            roles[role.id.lower()] = by_template[updated.role_template_id] = updated
        else:
            group = groups.get(link.parent_id) or Group(link.parent_id, "", (), link.origin)
            nested = (*group.nested_group_ids, link.member_id) if link.member_is_group else group.nested_group_ids
            groups[link.parent_id] = dataclasses.replace(
                group, member_ids=(*(group.member_ids or ()), link.member_id), nested_group_ids=nested,
                members_are_transitive=group.members_are_transitive or link.transitive)
    values["groups"] = tuple(groups.values())
    if roles:
        values["directory_roles"] = tuple(roles.values())


_SPECIAL_USERS = {"all", "none", "guestsorexternalusers"}


def resolve_names(policies: tuple[ConditionalAccessPolicy, ...], groups: tuple[Group, ...] | None,
                  users: tuple[User, ...] | None) -> tuple[tuple[ConditionalAccessPolicy, ...],
                                                          list[tuple[Origin, str]]]:
    """Groups named by display name and users by UPN (as Microsoft365DSC writes them) become ids.

    Only done against the export's own groups and users; a name that matches none of them, or
    more than one, stays as it is and is reported (INPUT002), never guessed.
    """
    group_names = _unique({g.display_name.lower(): g.id for g in groups or ()}, (g.display_name for g in groups or ()))
    group_ids = {g.id.lower() for g in groups or ()}
    upns = {u.user_principal_name.lower(): u.id for u in users or () if u.user_principal_name}
    problems: list[tuple[Origin, str]] = []

    def resolve(policy: ConditionalAccessPolicy, field: str, values: tuple[str, ...], kind: str) -> tuple[str, ...]:
        resolved = []
        for value in values:
            key = value.lower()
            if kind == "group" and groups is not None and key not in group_ids and not OBJECT_ID.fullmatch(value):
                found = group_names.get(key)
                if found is None:
                    problems.append((policy.origin.child("conditions", "users", field),
                                     f"'{policy.display_name}' names group '{value}', which matches no single group "
                                     "in the export"))
                value = found or value
            elif kind == "user" and users is not None and "@" in value and key not in _SPECIAL_USERS:
                value = upns.get(key, value)
            resolved.append(value)
        return tuple(resolved)

    changed = []
    for policy in policies:
        scope = policy.users
        changed.append(dataclasses.replace(policy, users=dataclasses.replace(
            scope,
            include_groups=resolve(policy, "includeGroups", scope.include_groups, "group"),
            exclude_groups=resolve(policy, "excludeGroups", scope.exclude_groups, "group"),
            include_users=resolve(policy, "includeUsers", scope.include_users, "user"),
            exclude_users=resolve(policy, "excludeUsers", scope.exclude_users, "user"))))
    return tuple(changed), problems


def _unique(by_name: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    """Names held by exactly one group."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    return {name: group_id for name, group_id in by_name.items() if counts.get(name) == 1}


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
