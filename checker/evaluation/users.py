"""Users grouped into classes to whom exactly the same user conditions apply (DESIGN section 4).

A class is known by the user's kind (member, or which guest or external type) and the
policy-named users, groups and roles the user certainly belongs to. Classes come from one
pass over the member sets the policies name, never from users x policies. Synthetic users
stand for the policies' intent: a new member, the holder of one role, a new guest.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from checker import entra
from checker.evaluation.facts import (
    HOME_TENANT,
    KIND,
    Fact,
    Membership,
    Term,
    World,
    fact_term,
    facts_of,
    included_not_excluded,
)
from checker.evaluation.tri import Tri, any_of
from checker.evaluation.tri import included_not_excluded as tri_included_not_excluded
from checker.model import ConditionalAccessPolicy, User
from checker.semantics.directory import Directory, id_key

MEMBER, UNKNOWN_KIND = "member", "unknown"
GUESTS_OR_EXTERNAL = "guestsorexternalusers"
_NO_TOKENS: frozenset[tuple[str, str]] = frozenset()
_DIRECTORY_GUEST_KINDS = ("internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember")


def user_kind(user: User) -> str:
    """Member, or the guest or external type of a user of the directory (DESIGN section 4)."""
    if user.user_type is None:
        return UNKNOWN_KIND
    upn = user.user_principal_name
    invited = (("#" in upn and "#ext#" in upn.lower()) or (user.creation_type or "").lower() == "invitation"
               or bool(user.external_user_state))
    if user.user_type.lower() == "guest":
        return "b2bCollaborationGuest" if invited else "internalGuest"
    return "b2bCollaborationMember" if invited else MEMBER


@dataclass(frozen=True)
class UserClass:
    """Users the policies cannot tell apart; ``synthetic`` names a class that stands for intent."""

    kind: str
    tokens: frozenset[tuple[str, str]]
    user_ids: tuple[str, ...] = ()
    synthetic: str = ""

    @property
    def holds_a_role(self) -> bool:
        return any(kind == "role" for kind, _ in self.tokens)

    @cached_property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...], str]:
        return self.kind, tuple(sorted(self.tokens)), self.synthetic


@dataclass(frozen=True)
class Applies:
    """Whether a policy's user conditions include a class, and the routes in words."""

    value: Tri
    included_by: tuple[str, ...]
    excluded_by: tuple[str, ...]
    unknowns: tuple[str, ...]
    included: Membership = Membership()
    excluded: Membership = Membership()

    def in_world(self, world: World) -> bool:
        return included_not_excluded(self.included, self.excluded, world)

    def facts(self) -> set[Fact]:
        return facts_of(self.included.terms + self.excluded.terms)


class UserConditions:
    """Reads the user conditions of policies against classes, with the directory's gaps in mind."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def classes(self, users: Iterable[User], policies: Sequence[ConditionalAccessPolicy]
                ) -> tuple[list[UserClass], list[UserClass]]:
        """The classes, each listing its users in the order given, and the class of each user in that order."""
        tokens_of: dict[str, set[tuple[str, str]]] = {}
        named_users, named_groups, named_roles = _named(policies)
        for user_id in named_users:
            tokens_of.setdefault(user_id, set()).add(("user", user_id))
        for group_id in named_groups:
            for member in self.directory.members(group_id).users:
                tokens_of.setdefault(member, set()).add(("group", group_id))
        if self.directory.roles_known:
            for role_id in named_roles:
                for holder in self.directory.holders(role_id):
                    tokens_of.setdefault(holder, set()).add(("role", role_id))
        frozen = {key: frozenset(tokens) for key, tokens in tokens_of.items()}
        grouped: dict[tuple[str, frozenset[tuple[str, str]]], list[str]] = {}
        of_user: list[list[str]] = []
        for user in users:
            key = id_key(user.id)
            ids = grouped.setdefault((user_kind(user), frozen.get(key, _NO_TOKENS)), [])
            ids.append(key)
            of_user.append(ids)
        classes = {id(ids): UserClass(kind, tokens, tuple(ids)) for (kind, tokens), ids in grouped.items()}
        return list(classes.values()), [classes[id(ids)] for ids in of_user]

    def named_user(self, user_id: str, policies: Sequence[ConditionalAccessPolicy]) -> UserClass:
        """The class of one user a policy names, whether or not the export lists that user.

        What the export does not show stays open: the kind of a user it lacks, and the groups
        whose members it lacks, so a policy that may or may not reach the user says so.
        """
        key = user_id.lower()
        user = self.directory.user(key)
        tokens = {("user", key)}
        _, named_groups, named_roles = _named(policies)
        tokens.update(("group", g) for g in named_groups if key in self.directory.members(g).users)
        if self.directory.roles_known:
            tokens.update(("role", r) for r in named_roles if key in self.directory.holders(r))
        return UserClass(user_kind(user) if user is not None else UNKNOWN_KIND, frozenset(tokens))

    def applies(self, policy: ConditionalAccessPolicy, user_class: UserClass) -> Applies:
        scope = policy.users
        included, include_words, include_unknowns, inc = self._routes(
            user_class, scope.include_users, scope.include_groups, scope.include_roles,
            scope.include_guest_types, scope.include_guest_tenants)
        excluded, exclude_words, exclude_unknowns, exc = self._routes(
            user_class, scope.exclude_users, scope.exclude_groups, scope.exclude_roles,
            scope.exclude_guest_types, scope.exclude_guest_tenants)
        value = tri_included_not_excluded(included, excluded)
        unknowns = include_unknowns if value is Tri.MAYBE and included is Tri.MAYBE else ()
        if value is Tri.MAYBE and excluded is Tri.MAYBE:
            unknowns += exclude_unknowns
        return Applies(value, include_words, exclude_words, unknowns, inc, exc)

    def _routes(self, user_class: UserClass, users: Sequence[str], groups: Sequence[str], roles: Sequence[str],
                guest_types: Sequence[str], guest_tenants: Sequence[str] | None
                ) -> tuple[Tri, tuple[str, ...], tuple[str, ...], Membership]:
        values: list[Tri] = []
        words: list[str] = []
        unknowns: list[str] = []
        terms: list[Term] = []

        def note(value: Tri, route: str, unknown: str = "", when: tuple[Term, ...] = ()) -> None:
            values.append(value)
            if value is Tri.YES:
                words.append(route)
            elif value is Tri.MAYBE:
                unknowns.append(unknown or route)
                terms.extend(when)

        keys = {u.lower() for u in users}
        if "all" in keys:
            note(Tri.YES, "all users")
        for user_id in sorted(keys - {"all", "none", GUESTS_OR_EXTERNAL}):
            note(Tri.YES if ("user", user_id) in user_class.tokens else Tri.NO, "its list of users")
        for group_id in groups:
            key = group_id.lower()
            if ("group", key) in user_class.tokens:
                note(Tri.YES, f"group {self.group_label(key)}")
            elif not user_class.synthetic and not self.directory.members(key).complete:
                note(Tri.MAYBE, "", self.missing_group_words(key), self._membership_terms(key))
        for role_id in roles:
            key = role_id.lower()
            if not entra.OBJECT_ID.fullmatch(key):
                # a role named but not identified (a Microsoft365DSC role name this tool does not know):
                # anyone who may hold a role may hold it
                if not user_class.synthetic or user_class.holds_a_role:
                    note(Tri.MAYBE, "", f"role '{role_id}', which the export names but does not identify",
                         (fact_term(("holds role", key)),))
            elif ("role", key) in user_class.tokens:
                note(Tri.YES, f"role {self.directory.role_name(key)}")
            elif not user_class.synthetic and not self.directory.roles_known:
                note(Tri.MAYBE, "", f"role {self.directory.role_name(key)} (role assignments are not in the export)",
                     (fact_term(("holds role", key)),))
            elif not user_class.synthetic and self.directory.unresolved_role_groups(key):
                missing = self.directory.unresolved_role_groups(key)
                note(Tri.MAYBE, "", f"role {self.directory.role_name(key)}, held through groups whose members are "
                     "not all in the export", tuple(fact_term(("member of group", g)) for g in missing))
        if GUESTS_OR_EXTERNAL in keys:  # every guest and external type, from any tenant
            note(*self._guest_route(user_class, {k.lower() for k in entra.GUEST_TYPES}, None))
        if guest_types:
            note(*self._guest_route(user_class, {k.lower() for k in guest_types}, guest_tenants))
        value = any_of(values)
        return value, tuple(words), tuple(unknowns), Membership(value is Tri.YES, tuple(terms))

    def _guest_route(self, user_class: UserClass, kinds: set[str], tenants: Sequence[str] | None
                     ) -> tuple[Tri, str, str, tuple[Term, ...]]:
        tenant_parts: list[Term] = [()] if tenants is None else [((HOME_TENANT, t.lower()),) for t in tenants]
        if user_class.kind == UNKNOWN_KIND:
            possible = [k for k in _DIRECTORY_GUEST_KINDS if k.lower() in kinds]
            when = tuple(((KIND, k), *part) for k in possible for part in tenant_parts)
            return ((Tri.MAYBE if possible else Tri.NO), "",
                    "the guest condition (the user's type is not in the export)", when)
        if user_class.kind.lower() not in kinds:
            return Tri.NO, "", "", ()
        route = f"the guest or external user type {user_class.kind}"
        if tenants is not None:
            return (Tri.MAYBE, route, f"{route} from the tenants the policy lists (a guest's home tenant is not in "
                    "the export)", tuple(tenant_parts))
        return Tri.YES, route, "", ()

    def _membership_terms(self, group_id: str) -> tuple[Term, ...]:
        """A user not known to be a member may be one through any group the export lacks."""
        return tuple(fact_term(("member of group", g)) for g in self.directory.members(group_id).missing_groups)

    def group_label(self, group_id: str) -> str:
        name = self.directory.group_name(group_id)
        return f"'{name}'" if name != group_id else group_id

    def missing_group_words(self, group_id: str) -> str:
        if group_id.lower() not in self.directory.groups:
            return f"group {group_id}, which is not in the export"
        return f"group {self.group_label(group_id)}, whose members are not all in the export"


def named_tokens(policy: ConditionalAccessPolicy) -> frozenset[tuple[str, str]]:
    """The users, groups and roles a policy names, as class tokens: all that can tell classes apart for it."""
    scope = policy.users
    users = {("user", u.lower()) for u in (*scope.include_users, *scope.exclude_users)}
    groups = {("group", g.lower()) for g in (*scope.include_groups, *scope.exclude_groups)}
    roles = {("role", r.lower()) for r in (*scope.include_roles, *scope.exclude_roles)}
    return frozenset(users | groups | roles)


def guest_tenants(policies: Sequence[ConditionalAccessPolicy]) -> tuple[str, ...]:
    """Every home tenant a guest condition names, for the worlds of a guest's home tenant."""
    found = {t.lower() for p in policies
             for t in (*(p.users.include_guest_tenants or ()), *(p.users.exclude_guest_tenants or ()))}
    return tuple(sorted(found))


def _named(policies: Sequence[ConditionalAccessPolicy]) -> tuple[set[str], set[str], set[str]]:
    users: set[str] = set()
    groups: set[str] = set()
    roles: set[str] = set()
    for policy in policies:
        scope = policy.users
        users.update(u.lower() for u in (*scope.include_users, *scope.exclude_users))
        groups.update(g.lower() for g in (*scope.include_groups, *scope.exclude_groups))
        roles.update(r.lower() for r in (*scope.include_roles, *scope.exclude_roles))
    return users - {"all", "none", GUESTS_OR_EXTERNAL}, groups, roles


def new_member() -> UserClass:
    return UserClass(MEMBER, frozenset(), synthetic="a new member in no group and no role")


def role_holder(role_id: str, role_name: str) -> UserClass:
    return UserClass(MEMBER, frozenset({("role", role_id.lower())}),
                     synthetic=f"a holder of {role_name} and nothing else")


def new_guest(kind: str) -> UserClass:
    return UserClass(kind, frozenset(), synthetic=f"a new guest or external user of type {kind}")


def member_of(kind: str, token: tuple[str, str], words: str) -> UserClass:
    """A user known only by one exclusion: the user named, or a member of one group or role."""
    return UserClass(kind, frozenset({token}), synthetic=words)
