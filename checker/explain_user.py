"""`explain-user`: for one user, every policy, whether it applies and why, and the MFA outcome.

It uses the same coverage computation and the same reasons as MFA070, so the two never
disagree about a user.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker import policy as ca
from checker.applicability import applicability
from checker.checks.base import CheckContext, Settings, UserCoverage
from checker.checks.common import Defaults, defaults_state, location_namer
from checker.checks.user_coverage import why_uncovered, why_undetermined
from checker.coverage import Coverage, compute_coverage
from checker.directory import Directory, build_directory
from checker.model import ConditionalAccessPolicy, Tenant, User


class UnknownUser(LookupError):
    """The user named on the command line is not in the export."""


@dataclass(frozen=True)
class UserExplanation:
    user: User
    status: str
    summary: str
    text: str


def find_user(directory: Directory, wanted: str) -> User:
    key = wanted.strip().lower()
    for user in directory.users.values():
        if key in (user.id.lower(), user.user_principal_name.lower()):
            return user
    raise UnknownUser(f"user {wanted!r} is not in the export ({len(directory.users)} users read)")


def explain(context: CheckContext, wanted: str) -> UserExplanation:
    tenant, settings = context.tenant, context.settings
    if tenant.users is None:
        raise UnknownUser("the export has no users collection, so no user can be explained")
    policies = tenant.conditional_access_policies or ()
    found = context.user_coverage
    if found is None:  # users but no policies: nobody is covered, and the text says why
        directory = build_directory(tenant)
        found = UserCoverage(directory, compute_coverage((), directory))
    directory, coverage = found.directory, found.coverage
    user = find_user(directory, wanted)
    defaults = defaults_state(tenant)
    status, summary = _outcome(tenant, user, settings, defaults.state, directory, coverage)
    lines = [_header(user, directory), "", f"MFA: {summary}", ""]
    if tenant.conditional_access_policies is None:
        lines.append("The export has no Conditional Access policies.")
    for policy in sorted(policies, key=lambda p: (p.display_name.lower(), p.id)):
        lines += _policy_lines(policy, user, directory, tenant, counts=policy in coverage.counting)
    return UserExplanation(user, status, summary, "\n".join(lines).rstrip() + "\n")


def _outcome(tenant: Tenant, user: User, settings: Settings, defaults: Defaults,
             directory: Directory, coverage: Coverage) -> tuple[str, str]:
    if defaults is Defaults.ON:
        return "covered", "covered via security defaults, which require MFA for every user."
    if user.account_enabled is False:
        return "disabled", "the account is disabled, so it cannot sign in."
    status = coverage.status(user.id)
    if status == "covered":
        names = ", ".join(f"'{p.display_name}'" for p in coverage.counting
                          if applicability(p, user, directory).applies)
        return status, f"covered by {names}."
    glass = " (a break-glass account, so for review rather than a failure)" if settings.is_break_glass(
        user.id, user.user_principal_name) else ""
    if status == "uncovered":
        reason, _ = why_uncovered(user, tenant, coverage, directory)
        return status, f"NOT covered{glass}: signs in without MFA: {reason}."
    return status, f"cannot tell{glass}: {why_undetermined(user, coverage, directory)}."


def _header(user: User, directory: Directory) -> str:
    kind = (user.user_type or "unknown type").lower()
    state = {True: "enabled", False: "disabled", None: "account state unknown"}[user.account_enabled]
    roles = ", ".join(directory.role_name(role) for role in directory.roles_of(user.id)) or "none"
    return f"{user.user_principal_name or user.display_name} ({user.id}): {kind}, {state}\nRoles: {roles}"


def _policy_lines(policy: ConditionalAccessPolicy, user: User, directory: Directory, tenant: Tenant,
                  counts: bool) -> list[str]:
    fit = applicability(policy, user, directory)
    namer = location_namer(tenant)
    routes = []
    if fit.included_by:
        routes.append("included through " + ", ".join(fit.included_by))
    if fit.excluded_by:
        routes.append("excluded through " + ", ".join(fit.excluded_by))
    routes += [f"unknown: {unknown}" for unknown in fit.include_unknowns + fit.exclude_unknowns]
    if not routes:
        routes.append("not included")
    conditions = "; ".join(ca.narrowing_conditions(policy, namer)) or "none"
    gaps = ca.baseline_gaps(policy, namer)
    counted = "yes" if counts else "no (" + "; ".join(gaps) + ")"
    return [
        f"- '{policy.display_name}' [{ca.state_label(policy)}]: {fit.verdict}",
        f"    users: {'; '.join(routes)}",
        f"    conditions: {conditions}",
        f"    grant: {_grant_words(policy)}",
        f"    counts as an MFA requirement for all apps: {counted}",
    ]


def _grant_words(policy: ConditionalAccessPolicy) -> str:
    grant = policy.grant
    if grant is None:
        return "none"
    parts = list(grant.built_in_controls)
    if grant.authentication_strength_id:
        parts.append(f"authentication strength {grant.authentication_strength_name or grant.authentication_strength_id}")
    parts += [f"custom factor {factor}" for factor in grant.custom_authentication_factors]
    parts += ["terms of use"] if grant.terms_of_use else []
    return f" {grant.operator} ".join(parts) or "none"
