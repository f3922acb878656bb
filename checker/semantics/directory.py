"""Who is in what: users, transitive group membership and role holders, from the Tenant.

Membership is worked out once per group asked about, by walking nested groups with a
visited set, so a cycle ends the walk instead of the program. Where the export stops (a
group that is absent or was exported without its members) the answer says so: the known
members are certain, everyone else is only possibly a member.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from checker.entra import ADMIN_ROLES
from checker.model import Group, Tenant, User

TENANT_SCOPE = ("/", "")


def id_key(object_id: str) -> str:
    """An object id as the directory keys it: in lower case, and the exported string itself when it
    already is (as Graph writes ids), so that a large tenant does not hold every id twice."""
    lowered = object_id.lower()
    return object_id if lowered == object_id else lowered


@dataclass(frozen=True)
class Membership:
    """The users of a group: certain ones, and whether others may belong too."""

    users: frozenset[str]
    complete: bool
    missing_groups: tuple[str, ...] = ()


@dataclass
class Directory:
    users: dict[str, User]
    groups: dict[str, Group]
    role_holders: dict[str, set[str]] | None
    role_names: dict[str, str] = field(default_factory=dict)
    # role template id -> the groups it is assigned to tenant-wide (their members hold it)
    role_groups: dict[str, set[str]] = field(default_factory=dict)
    _memberships: dict[str, Membership] = field(default_factory=dict)
    _unresolved: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def guest_ids(self) -> frozenset[str]:
        return frozenset(key for key, user in self.users.items() if (user.user_type or "").lower() == "guest")

    @cached_property
    def user_types_known(self) -> bool:
        return all(user.user_type is not None for user in self.users.values())

    @property
    def roles_known(self) -> bool:
        return self.role_holders is not None

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id.lower())

    def group_name(self, group_id: str) -> str:
        group = self.groups.get(group_id.lower())
        return group.display_name if group is not None and group.display_name else group_id

    def members(self, group_id: str) -> Membership:
        key = group_id.lower()
        if key not in self._memberships:
            self._memberships[key] = self._walk(key)
        return self._memberships[key]

    def _walk(self, root: str) -> Membership:
        users: set[str] = set()
        missing: list[str] = []
        seen = {root}
        pending = [root]
        while pending:
            key = pending.pop()
            group = self.groups.get(key)
            if group is None or group.member_ids is None:
                missing.append(key)
                continue
            nested = {member.lower() for member in group.nested_group_ids}
            for member in group.member_ids:
                member_key = id_key(member)
                if member_key not in self.groups and member_key not in nested:
                    users.add(member_key)
                elif not group.members_are_transitive and member_key not in seen:
                    seen.add(member_key)
                    pending.append(member_key)
        return Membership(frozenset(users), not missing, tuple(sorted(missing)))

    def path_to(self, group_id: str, user_id: str) -> list[str]:
        """Group ids from ``group_id`` down to the group that lists the user directly."""
        start, wanted = group_id.lower(), user_id.lower()
        parents: dict[str, str | None] = {start: None}
        queue = [start]
        while queue:
            current = queue.pop(0)
            group = self.groups.get(current)
            if group is None or group.member_ids is None:
                continue
            if wanted in {m.lower() for m in group.member_ids}:
                path = [current]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]] or "")
                return list(reversed(path))
            for member in group.member_ids:
                key = member.lower()
                if key in self.groups and key not in parents:
                    parents[key] = current
                    queue.append(key)
        return [start]

    def role_name(self, role_template_id: str) -> str:
        return self.role_names.get(role_template_id.lower(), role_template_id)

    def unresolved_role_groups(self, role_template_id: str) -> tuple[str, ...]:
        """The groups holding a role whose members are not all in the export: their missing groups."""
        key = role_template_id.lower()
        if key not in self._unresolved:
            found = {missing for group in self.role_groups.get(key, ()) for missing in self.members(group).missing_groups}
            self._unresolved[key] = tuple(sorted(found))
        return self._unresolved[key]

    def holders(self, role_template_id: str) -> set[str]:
        return (self.role_holders or {}).get(role_template_id.lower(), set())

    def roles_of(self, user_id: str) -> list[str]:
        key = user_id.lower()
        return sorted(role for role, users in (self.role_holders or {}).items() if key in users)


def build_directory(tenant: Tenant) -> Directory:
    users = {id_key(user.id): user for user in tenant.users or () if user.id}
    groups = {id_key(group.id): group for group in tenant.groups or () if group.id}
    role_names = dict(ADMIN_ROLES)
    role_names.update({d.template_id: d.display_name for d in tenant.role_definitions or () if d.display_name})
    role_names.update({r.role_template_id: r.display_name for r in tenant.directory_roles or () if r.display_name})
    directory = Directory(users, groups, None, role_names)
    directory.role_holders = _role_holders(tenant, directory)
    return directory


def _role_holders(tenant: Tenant, directory: Directory) -> dict[str, set[str]] | None:
    """Role template id -> user ids holding it tenant-wide (administrative-unit scopes do not count)."""
    if tenant.role_assignments is None and tenant.directory_roles is None:
        return None
    templates = {d.id: d.template_id for d in tenant.role_definitions or ()}
    holders: dict[str, set[str]] = {}
    for assignment in tenant.role_assignments or ():
        if assignment.directory_scope_id not in TENANT_SCOPE:
            continue
        template = templates.get(assignment.role_definition_id, assignment.role_definition_id).lower()
        holders.setdefault(template, set()).update(_principal_users(directory, [assignment.principal_id]))
        if _may_be_group(tenant, directory, assignment.principal_id):
            directory.role_groups.setdefault(template, set()).add(assignment.principal_id.lower())
    for role in tenant.directory_roles or ():
        template = role.role_template_id.lower()
        holders.setdefault(template, set()).update(_principal_users(directory, role.member_ids or ()))
        for member in role.member_ids or ():
            if _may_be_group(tenant, directory, member):
                directory.role_groups.setdefault(template, set()).add(member.lower())
    return holders


def _may_be_group(tenant: Tenant, directory: Directory, principal: str) -> bool:
    """A known group, or, when the export has no groups, a principal that is not one of its users:
    its members hold the role, and the export cannot say who they are."""
    key = principal.lower()
    return key in directory.groups or (tenant.groups is None and key not in directory.users)


def _principal_users(directory: Directory, principals: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for principal in principals:
        key = principal.lower()
        if key in directory.groups:
            found.update(directory.members(key).users)
        else:
            found.add(key)
    return found
