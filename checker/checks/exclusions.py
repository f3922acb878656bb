"""Policies that are not enforced, exclusions, and what the exclusions leave open: MFA050-MFA052."""
from __future__ import annotations

from dataclasses import dataclass, field

from checker import policy as ca
from checker.checks.base import CheckContext, Finding, UserCoverage
from checker.checks.common import (
    CA_AND_PLAN,
    CA_COLLECTION,
    NEEDS_CA,
    ca_rules_not_applicable,
    collection_evidence,
    incomplete,
    location_namer,
    not_assessed,
    policy_evidence,
    policy_subject,
    quoted,
    unmatched_break_glass,
)
from checker.directory import Directory
from checker.model import ConditionalAccessPolicy, Tenant
from checker.report import Evidence, Subject
from checker.verdicts import Verdict


def _prelude(context: CheckContext) -> list[Finding] | None:
    if (lost := incomplete(context.tenant, *CA_AND_PLAN)) is not None:
        return [lost]
    not_applicable = ca_rules_not_applicable(context)
    if not_applicable is not None:
        return [not_applicable]
    if context.tenant.conditional_access_policies is None:
        return [not_assessed([NEEDS_CA])]
    return None


def ca_not_enforced(context: CheckContext) -> list[Finding]:
    """MFA050: report-only or disabled policies that would require MFA or block.

    "Conditional Access policies" only protect sign-ins once turned on; a policy left in
    report-only mode or disabled gives a false sense of coverage, so a person should decide.
    """
    settled = _prelude(context)
    if settled is not None:
        return settled
    policies = context.tenant.conditional_access_policies or ()
    findings = []
    for policy in policies:
        if not ca.is_enforced(policy) and ca.requires_mfa_or_blocks(policy):
            action = "blocks access" if ca.blocks(policy) else "requires MFA"
            findings.append(Finding(Verdict.REVIEW, f"{quoted(policy)} {action} but is {ca.state_label(policy)}: "
                                    "decide whether to enforce it or remove it.", policy_subject(policy),
                                    (policy_evidence(policy, "state", actual=policy.state, expected="enabled"),)))
    if not findings:
        return [Finding(Verdict.PASS, "Every policy that requires MFA or blocks access is enforced.", CA_COLLECTION,
                        collection_evidence(context.tenant.conditional_access_origin))]
    return findings


def _names(tenant: Tenant) -> dict[str, tuple[str, str]]:
    """Object id (lower case) -> (kind, display name) for users, groups and roles."""
    names: dict[str, tuple[str, str]] = {}
    for user in tenant.users or ():
        names[user.id.lower()] = ("user", user.user_principal_name or user.display_name)
    for group in tenant.groups or ():
        names[group.id.lower()] = ("group", group.display_name)
    for definition in tenant.role_definitions or ():
        names[definition.template_id] = ("role", definition.display_name)
    for role_id, role_name in ca.ADMIN_ROLES.items():
        names.setdefault(role_id, ("role", role_name))
    return names


def _enforced_mfa_or_block(tenant: Tenant) -> list[ConditionalAccessPolicy]:
    return [p for p in tenant.conditional_access_policies or ()
            if ca.is_enforced(p) and ca.requires_mfa_or_blocks(p)]


_EXCLUSION_FIELDS = (("user", "excludeUsers"), ("group", "excludeGroups"), ("role", "excludeRoles"))


@dataclass
class _Excluded:
    """One excluded object and every policy that excludes it."""

    kind: str
    id: str
    policies: list[tuple[ConditionalAccessPolicy, str]] = field(default_factory=list)


def _exclusions(policies: list[ConditionalAccessPolicy], kinds: tuple[str, ...]) -> list[_Excluded]:
    found: dict[tuple[str, str], _Excluded] = {}
    for policy in policies:
        scope = policy.users
        values = {"user": scope.exclude_users, "group": scope.exclude_groups, "role": scope.exclude_roles}
        for kind, field_name in _EXCLUSION_FIELDS:
            if kind not in kinds:
                continue
            for value in values[kind]:
                entry = found.setdefault((kind, value.lower()), _Excluded(kind, value))
                entry.policies.append((policy, field_name))
    return list(found.values())


def _policy_list(entry: _Excluded) -> str:
    names = ", ".join(quoted(policy) for policy, _ in entry.policies)
    count = len(entry.policies)
    return f"{count} enforced {'policy' if count == 1 else 'policies'} ({names})"


def _exclusion_evidence(entry: _Excluded) -> tuple[Evidence, ...]:
    return tuple(policy_evidence(policy, "conditions", "users", field_name) for policy, field_name in entry.policies)


def ca_exclusions(context: CheckContext) -> list[Finding]:
    """MFA051: who is excluded from enforced MFA or block policies, for a person to review.

    The guidance asks for MFA for every user; each exclusion is a deliberate hole, acceptable
    for emergency (break-glass) accounts and worth a look for anything else.
    """
    settled = _prelude(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    names = _names(tenant)
    policies = _enforced_mfa_or_block(tenant)
    findings = []
    for entry in _exclusions(policies, ("user", "group", "role")):
        name = names.get(entry.id.lower(), (entry.kind, ""))[1]
        label = "break-glass account" if context.settings.is_break_glass(entry.id, name) else entry.kind
        findings.append(Finding(Verdict.REVIEW, f"{name or entry.id}, a {label}, is excluded from {_policy_list(entry)}.",
                                Subject(entry.kind, entry.id, name), _exclusion_evidence(entry)))
    for policy in policies:
        if policy.users.exclude_guest_types:
            findings.append(Finding(
                Verdict.REVIEW, f"{quoted(policy)} excludes guest or external user types "
                f"{', '.join(policy.users.exclude_guest_types)}.", policy_subject(policy),
                (policy_evidence(policy, "conditions", "users", "excludeGuestsOrExternalUsers"),)))
    findings += unmatched_break_glass(context)
    if not findings:
        return [Finding(Verdict.PASS, "No enforced MFA or block policy excludes anyone.", CA_COLLECTION,
                        collection_evidence(tenant.conditional_access_origin))]
    return findings


def ca_exclusion_gaps(context: CheckContext) -> list[Finding]:
    """MFA052: a user or group excluded from an MFA policy is covered by another one.

    The guidance's aim is MFA for every sign-in; an exclusion that no other enforced MFA policy
    makes up for leaves those accounts on passwords alone (break-glass accounts are exempt).
    Members of excluded groups are followed through nested groups; without the export's users
    the check falls back to objects (a group counts when another policy includes it).
    """
    settled = _prelude(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    mfa_policies = [p for p in tenant.conditional_access_policies or ()
                    if ca.is_enforced(p) and ca.grant_requires_mfa(p.grant)]
    if context.user_coverage is None:
        findings = _object_level_gaps(context, mfa_policies)
    else:
        findings = _member_level_gaps(context, mfa_policies, context.user_coverage)
    if not findings:
        return [Finding(Verdict.PASS, "No user or group is excluded from an enforced MFA policy, "
                        "break-glass accounts aside.", CA_COLLECTION,
                        collection_evidence(tenant.conditional_access_origin))]
    return findings


def _member_level_gaps(context: CheckContext, mfa_policies: list[ConditionalAccessPolicy],
                       user_coverage: UserCoverage) -> list[Finding]:
    """Each excluded user, and each member of an excluded group (transitively), must be covered."""
    directory, coverage = user_coverage.directory, user_coverage.coverage
    enabled = {user.id.lower(): user for user in coverage.users}
    findings = []
    for entry in _exclusions(mfa_policies, ("user", "group")):
        name = directory.group_name(entry.id) if entry.kind == "group" else _user_label(directory, entry.id)
        if context.settings.is_break_glass(entry.id, name):
            continue
        subject = Subject(entry.kind, entry.id, name if name != entry.id else "")
        what = f"{entry.kind.capitalize()} {name}"
        if entry.kind == "user":
            candidates, complete = {entry.id.lower()}, entry.id.lower() in enabled or directory.user(entry.id) is not None
        else:
            membership = directory.members(entry.id)
            candidates, complete = set(membership.users), membership.complete
        members = sorted(m for m in candidates if m in enabled
                         and not context.settings.is_break_glass(m, enabled[m].user_principal_name))
        uncovered = [enabled[m].user_principal_name or m for m in members if coverage.status(m) == "uncovered"]
        unknown = [m for m in members if coverage.status(m) == "undetermined"]
        evidence = _exclusion_evidence(entry)
        if uncovered:
            shown = ", ".join(uncovered[:5]) + (f" and {len(uncovered) - 5} more" if len(uncovered) > 5 else "")
            findings.append(Finding(Verdict.FAIL, f"{what} is excluded from {_policy_list(entry)}, and "
                                    f"{len(uncovered)} of its {len(members)} enabled users are covered by no other "
                                    f"enforced MFA policy: {shown}.", subject, evidence))
        elif not complete or unknown:
            findings.append(Finding(Verdict.NOT_ASSESSED, f"{what} is excluded from {_policy_list(entry)}; whether "
                                    "its users are covered elsewhere cannot be told, as the export does not show all "
                                    "of them or of the groups that would cover them.", subject, evidence))
        else:
            findings.append(Finding(Verdict.PASS, f"{what} is excluded from {_policy_list(entry)}, and all "
                                    f"{len(members)} of its enabled users are covered by another enforced MFA "
                                    "policy.", subject, evidence))
    return findings


def _user_label(directory: Directory, user_id: str) -> str:
    user = directory.user(user_id)
    return (user.user_principal_name or user.display_name) if user is not None else user_id


def _object_level_gaps(context: CheckContext, mfa_policies: list[ConditionalAccessPolicy]) -> list[Finding]:
    """Without the users of the export: an excluded object must be included by another policy."""
    tenant = context.tenant
    names = _names(tenant)
    namer = location_namer(tenant)
    baseline = [p for p in tenant.conditional_access_policies or () if not ca.baseline_gaps(p, namer)]
    findings = []
    for entry in _exclusions(mfa_policies, ("user", "group")):
        name = names.get(entry.id.lower(), (entry.kind, ""))[1]
        if context.settings.is_break_glass(entry.id, name):
            continue
        excluding = {policy.id for policy, _ in entry.policies}
        covering = [p for p in baseline if p.id not in excluding and ca.names_object(p, entry.kind, entry.id)]
        subject = Subject(entry.kind, entry.id, name)
        what = f"{entry.kind.capitalize()} {name or entry.id}"
        if covering:
            findings.append(Finding(Verdict.PASS, f"{what}, excluded from {_policy_list(entry)}, is covered by "
                                    f"{quoted(covering[0])}.", subject,
                                    _exclusion_evidence(entry) + (policy_evidence(covering[0], "conditions", "users"),)))
        else:
            findings.append(Finding(Verdict.FAIL, f"{what} is excluded from {_policy_list(entry)} and no other "
                                    "enforced, unconditional, all-apps MFA policy includes it.", subject,
                                    _exclusion_evidence(entry)))
    return findings
