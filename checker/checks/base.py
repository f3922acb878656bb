"""What a check receives and returns. Checks are pure functions of this context."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from checker.entra import ADMIN_ROLES
from checker.evaluation.evaluate import Evaluation, evaluate
from checker.model import RegistrationDetail, Tenant
from checker.report import Evidence, InputFile, Subject
from checker.verdicts import Verdict


@dataclass(frozen=True)
class Settings:
    """What the configuration tells the checks: break-glass accounts and the admin roles."""

    break_glass: frozenset[str] = frozenset()
    admin_roles: Mapping[str, str] = field(default_factory=lambda: dict(ADMIN_ROLES))

    def is_break_glass(self, *identifiers: str) -> bool:
        return any(identifier and identifier.lower() in self.break_glass for identifier in identifiers)


@dataclass(frozen=True)
class CheckContext:
    tenant: Tenant
    settings: Settings = field(default_factory=Settings)
    inputs: tuple[InputFile, ...] = ()

    @cached_property
    def member_registrations(self) -> tuple[RegistrationDetail, ...]:
        """Registration details of enabled member users, administrators first, then by UPN."""
        tenant = self.tenant
        disabled = {u.id.lower() for u in tenant.users or () if u.account_enabled is False}
        admins = admin_ids(tenant)
        members = [d for d in tenant.registration_details or ()
                   if (d.user_type or "member").lower() == "member" and d.id.lower() not in disabled]
        return tuple(sorted(members, key=lambda d: (not (d.is_admin or d.id.lower() in admins),
                                                    d.user_principal_name.lower(), d.id)))

    @cached_property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(admin_ids(self.tenant))

    @cached_property
    def evaluation(self) -> Evaluation:
        """The sign-in space of DESIGN section 4, evaluated once for every check."""
        return evaluate(self.tenant)


@dataclass(frozen=True)
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
