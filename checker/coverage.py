"""Per-user MFA coverage, offline: which enabled users sign in without MFA, and why.

Coverage is set algebra over member sets, never users x policies x group depth: each policy
that counts (enforced, unconditional, all apps, modern clients, requires MFA) yields the set
of users it certainly applies to and the set it possibly applies to. The union of the first
is covered; users outside the union of the second are uncovered; the rest cannot be decided
from the export. Only uncovered users get a per-user explanation.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker import policy as ca
from checker.directory import Directory
from checker.model import ConditionalAccessPolicy, User

GUESTS_OR_EXTERNAL = "guestsorexternalusers"
_GUEST_TYPES_FOR_GUEST_USERS = {"internalguest", "b2bcollaborationguest"}


@dataclass(frozen=True)
class Reach:
    """Whom a policy applies to, as far as the export tells."""

    includes_all: bool
    included: frozenset[str]
    include_unknowns: tuple[str, ...]
    excluded: frozenset[str]
    exclude_unknowns: tuple[str, ...]

    def certainly(self, universe: frozenset[str]) -> frozenset[str]:
        if self.exclude_unknowns:
            return frozenset()
        return (universe if self.includes_all else self.included) - self.excluded

    def possibly(self, universe: frozenset[str]) -> frozenset[str]:
        base = universe if self.includes_all or self.include_unknowns else self.included
        return base - self.excluded


def reach(policy: ConditionalAccessPolicy, directory: Directory) -> Reach:
    scope = policy.users
    include_users = {u.lower() for u in scope.include_users}
    exclude_users = {u.lower() for u in scope.exclude_users}
    included, include_unknowns = _resolve(
        directory, include_users - {"all", "none", GUESTS_OR_EXTERNAL}, scope.include_groups, scope.include_roles,
        GUESTS_OR_EXTERNAL in include_users or names_guests(scope.include_guest_types))
    excluded, exclude_unknowns = _resolve(
        directory, exclude_users - {GUESTS_OR_EXTERNAL}, scope.exclude_groups, scope.exclude_roles,
        GUESTS_OR_EXTERNAL in exclude_users or names_guests(scope.exclude_guest_types))
    return Reach("all" in include_users, frozenset(included), include_unknowns,
                 frozenset(excluded), exclude_unknowns)


def names_guests(guest_types: Sequence[str]) -> bool:
    return bool({t.lower() for t in guest_types} & _GUEST_TYPES_FOR_GUEST_USERS)


def _resolve(directory: Directory, users: set[str], groups: Iterable[str], roles: Iterable[str],
             guests: bool) -> tuple[set[str], tuple[str, ...]]:
    """The users named by ids, groups, roles and guest conditions; and what the export lacks."""
    found = set(users)
    unknowns: list[str] = []
    for group in groups:
        membership = directory.members(group)
        found |= membership.users
        if not membership.complete:
            unknowns.append(f"the members of group {_group_label(directory, group)} are not all in the export")
    roles = list(roles)
    if roles and not directory.roles_known:
        unknowns.append("role assignments are not in the export")
    for role in roles:
        found |= directory.holders(role)
    if guests:
        found |= directory.guest_ids
        if not directory.user_types_known:
            unknowns.append("user types (member or guest) are not in the export")
    return found, tuple(unknowns)


def _group_label(directory: Directory, group_id: str) -> str:
    name = directory.group_name(group_id)
    return f"'{name}'" if name != group_id else group_id


@dataclass(frozen=True)
class Coverage:
    """Enabled users sorted into covered, uncovered and undetermined."""

    users: tuple[User, ...]
    covered: frozenset[str]
    possible: frozenset[str]
    counting: tuple[ConditionalAccessPolicy, ...]
    via_security_defaults: bool = False

    def status(self, user_id: str) -> str:
        key = user_id.lower()
        if self.via_security_defaults or key in self.covered:
            return "covered"
        return "undetermined" if key in self.possible else "uncovered"


def enabled_users(directory: Directory) -> tuple[User, ...]:
    users = [u for u in directory.users.values() if u.account_enabled is not False]
    return tuple(sorted(users, key=lambda u: (u.user_principal_name.lower(), u.id)))


def counting_policies(policies: Iterable[ConditionalAccessPolicy],
                      location_name: ca.LocationNames = str) -> list[ConditionalAccessPolicy]:
    return [p for p in policies if not ca.baseline_gaps(p, location_name)]


def compute_coverage(policies: Sequence[ConditionalAccessPolicy], directory: Directory,
                     location_name: ca.LocationNames = str) -> Coverage:
    users = enabled_users(directory)
    universe = frozenset(u.id.lower() for u in users)
    counting = counting_policies(policies, location_name)
    reaches = [reach(p, directory) for p in counting]
    covered = _union_of(reaches, universe, certain=True)
    possible = _union_of(reaches, universe, certain=False)
    return Coverage(users, covered & universe, (possible | covered) & universe, tuple(counting))


def _union_of(reaches: Sequence[Reach], universe: frozenset[str], *, certain: bool) -> frozenset[str]:
    # (U - E1) | (U - E2) is U - (E1 & E2): one pass over the universe however many
    # all-users policies there are.
    everyone = [r for r in reaches if r.includes_all and not (certain and r.exclude_unknowns)]
    partial = [r for r in reaches if r not in everyone]
    result: set[str] = set()
    if everyone:
        common = frozenset.intersection(*(r.excluded for r in everyone))
        result = set(universe - common)
    for item in partial:
        result |= item.certainly(universe) if certain else item.possibly(universe)
    return frozenset(result)
