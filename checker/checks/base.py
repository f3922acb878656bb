"""What a check receives and returns. Checks are pure functions of this context."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from checker.entra import ADMIN_ROLES
from checker.evaluation.evaluate import Evaluation, evaluate
from checker.inputs.raw_objects import RawCollection
from checker.model import RegistrationDetail, Tenant, User
from checker.report import Evidence, InputFile, Subject
from checker.verdicts import Verdict


@dataclass(frozen=True)
class Settings:
    """What the configuration tells the checks: break-glass accounts and the admin roles."""

    break_glass: frozenset[str] = frozenset()
    admin_roles: Mapping[str, str] = field(default_factory=lambda: dict(ADMIN_ROLES))
    unmatched_break_glass: tuple[str, ...] = ()
    resolved: bool = False

    def is_break_glass(self, *identifiers: str) -> bool:
        if not self.break_glass:
            return False  # asked once per user: most tenants configure no break-glass account
        return any(identifier and identifier.lower() in self.break_glass for identifier in identifiers)

    def resolved_against(self, tenant: Tenant) -> Settings:
        """Break-glass entries by UPN or id, each joined by its other name from any exported object
        that carries both (users, registration details, role members, per-user MFA rows).

        An entry that matches no account of the export is kept in ``unmatched_break_glass``: it
        is usually a typo, or the export lacks every object that would name the account.
        """
        if not self.break_glass or self.resolved:
            return self
        entries = set(self.break_glass)
        resolved, matched = set(entries), set()
        for account_id, upn in account_names(tenant):
            if account_id in entries:
                resolved.add(upn)
                matched.add(account_id)
            if upn in entries:
                resolved.add(account_id)
                matched.add(upn)
        known = matched | referenced_user_ids(tenant)
        return replace(self, break_glass=frozenset(resolved), resolved=True,
                       unmatched_break_glass=tuple(sorted(entry for entry in entries if entry not in known)))


def account_names(tenant: Tenant) -> set[tuple[str, str]]:
    """(object id, UPN) pairs, lower case, from every exported object that carries both."""
    found: list[tuple[str, str]] = [(u.id, u.user_principal_name) for u in tenant.users or ()]
    found += [(d.id, d.user_principal_name) for d in tenant.registration_details or ()]
    found += [(s.id, s.user_principal_name) for s in tenant.per_user_mfa or ()]
    found += [pair for role in tenant.directory_roles or () for pair in role.member_principal_names]
    return {(account_id.lower(), upn.lower()) for account_id, upn in found if account_id and upn}


def referenced_user_ids(tenant: Tenant) -> set[str]:
    """Ids of accounts the export names without their UPN: policy user lists and role holders."""
    ids = {a.principal_id.lower() for a in tenant.role_assignments or ()}
    for role in tenant.directory_roles or ():
        ids.update(member.lower() for member in role.member_ids or ())
    for policy in tenant.conditional_access_policies or ():
        ids.update(user.lower() for user in (*policy.users.include_users, *policy.users.exclude_users))
    return ids


@dataclass(frozen=True)
class CheckContext:
    tenant: Tenant
    settings: Settings = field(default_factory=Settings)
    inputs: tuple[InputFile, ...] = ()
    # objects as exported, of the collections that the configuration's own rules read
    raw: Mapping[str, RawCollection] = field(default_factory=dict)
    _user_subjects: dict[str, Subject] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Break-glass UPNs become ids here, once, so that every check matches them the same way.
        object.__setattr__(self, "settings", self.settings.resolved_against(self.tenant))

    def user_subject(self, user_id: str, name: str) -> Subject:
        """The subject of a user's results: one object per user, shared by every rule and summary that
        names the user (a 100k-user tenant has several results per user)."""
        found = self._user_subjects.get(user_id)
        if found is None:
            found = self._user_subjects[user_id] = Subject("user", user_id, name)
        elif found.name != name:  # a registration detail may name the user otherwise than the user object
            return Subject("user", user_id, name)
        return found

    @cached_property
    def member_registrations(self) -> tuple[RegistrationDetail, ...]:
        """Registration details of enabled member users, administrators first, then by UPN."""
        tenant = self.tenant
        disabled = {u.id.lower() for u in tenant.users or () if u.account_enabled is False}
        admins = self.admin_ids
        members = [d for d in tenant.registration_details or ()
                   if (d.user_type or "member").lower() == "member" and d.id.lower() not in disabled]
        return tuple(sorted(members, key=lambda d: (not (d.is_admin or d.id.lower() in admins),
                                                    d.user_principal_name.lower(), d.id)))

    @cached_property
    def unlisted_members(self) -> tuple[User, ...]:
        """Enabled member users (enabled or unknown, member or unknown type) absent from the registration
        details, administrators first, then by UPN. Matched by id, or by UPN for exports that carry no ids.

        Three rules report them; worked out once.
        """
        tenant = self.tenant
        details = tenant.registration_details or ()
        listed = set(map(str.lower, filter(None, (d.id for d in details))))
        listed.update(map(str.lower, filter(None, (d.user_principal_name for d in details))))
        # listed or not first: it settles almost every user of a tenant whose details are complete
        missing = [u for u in tenant.users or ()
                   if u.id.lower() not in listed and (u.user_principal_name or "").lower() not in listed
                   and u.account_enabled is not False and (u.user_type or "member").lower() == "member"]
        admins = self.admin_ids
        return tuple(sorted(missing, key=lambda u: (u.id.lower() not in admins, (u.user_principal_name or "").lower(),
                                                    u.id)))

    @cached_property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(admin_ids(self.tenant))

    @cached_property
    def evaluation(self) -> Evaluation:
        """The sign-in space of DESIGN section 4, evaluated once for every check."""
        return evaluate(self.tenant)


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a check, before the engine stamps the rule id on it."""

    verdict: Verdict
    message: str
    subject: Subject
    evidence: tuple[Evidence, ...] = ()


Check = Callable[[CheckContext], list[Finding]]


def admin_ids(tenant: Tenant) -> set[str]:
    """Users holding a directory role, from role assignments and activated roles."""
    ids = {a.principal_id.lower() for a in tenant.role_assignments or () if a.directory_scope_id in ("/", "")}
    for role in tenant.directory_roles or ():
        ids.update(member.lower() for member in role.member_ids or ())
    return ids
