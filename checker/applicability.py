"""Does a policy apply to one user, and through what? The offline counterpart of What If."""
from __future__ import annotations

from dataclasses import dataclass

from checker.coverage import GUESTS_OR_EXTERNAL, names_guests
from checker.directory import Directory
from checker.model import ConditionalAccessPolicy, User


@dataclass(frozen=True)
class Applicability:
    """How a policy's user conditions meet one user, each route in words."""

    included_by: tuple[str, ...]
    excluded_by: tuple[str, ...]
    include_unknowns: tuple[str, ...]
    exclude_unknowns: tuple[str, ...]

    @property
    def applies(self) -> bool:
        return bool(self.included_by) and not self.excluded_by and not self.exclude_unknowns

    @property
    def undecided(self) -> bool:
        if self.excluded_by:
            return False
        return bool(self.included_by and self.exclude_unknowns) or (not self.included_by and bool(self.include_unknowns))

    @property
    def verdict(self) -> str:
        return "applies" if self.applies else "cannot tell" if self.undecided else "does not apply"


def applicability(policy: ConditionalAccessPolicy, user: User, directory: Directory) -> Applicability:
    scope = policy.users
    include_users = {u.lower() for u in scope.include_users}
    included, include_unknowns = _routes(directory, user, include_users, scope.include_groups, scope.include_roles,
                                         GUESTS_OR_EXTERNAL in include_users or names_guests(scope.include_guest_types))
    if "all" in include_users:
        included.insert(0, "all users")
    exclude_users = {u.lower() for u in scope.exclude_users}
    excluded, exclude_unknowns = _routes(directory, user, exclude_users, scope.exclude_groups, scope.exclude_roles,
                                         GUESTS_OR_EXTERNAL in exclude_users or names_guests(scope.exclude_guest_types))
    return Applicability(tuple(included), tuple(excluded), tuple(include_unknowns), tuple(exclude_unknowns))


def _routes(directory: Directory, user: User, user_ids: set[str], groups: tuple[str, ...], roles: tuple[str, ...],
            guests: bool) -> tuple[list[str], list[str]]:
    key = user.id.lower()
    routes: list[str] = []
    unknowns: list[str] = []
    if key in user_ids or user.user_principal_name.lower() in user_ids:
        routes.append("the user directly")
    for group in groups:
        membership = directory.members(group)
        if key in membership.users:
            routes.append(group_route(directory, group, key))
        elif not membership.complete:
            unknowns.append(missing_group_words(directory, group))
    for role in roles:
        if not directory.roles_known:
            unknowns.append(f"role {directory.role_name(role)} (role assignments are not in the export)")
        elif key in directory.holders(role):
            routes.append(f"role {directory.role_name(role)}")
    if guests:
        if user.user_type is None:
            unknowns.append("the guest condition (the user's type is not in the export)")
        elif user.user_type.lower() == "guest":
            routes.append("the guest and external user condition")
    return routes, unknowns


def group_route(directory: Directory, group_id: str, user_id: str) -> str:
    """'group 'Agency-B' (nested in 'Contractors-Exempt')' for a user who is a member through nesting."""
    path = [directory.group_name(g) for g in directory.path_to(group_id, user_id)]
    text = f"group '{path[-1]}'"
    if len(path) > 1:
        text += " (nested in " + " in ".join(f"'{name}'" for name in reversed(path[:-1])) + ")"
    return text


def missing_group_words(directory: Directory, group_id: str) -> str:
    if group_id.lower() not in directory.groups:
        return f"group {group_id}, which is not in the export"
    return f"group '{directory.group_name(group_id)}', whose members are not all in the export"
