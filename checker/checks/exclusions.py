"""Policies that are not enforced, exclusions, and what the exclusions leave open: MFA050-MFA052."""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    CA_AND_PLAN,
    CA_COLLECTION,
    NEEDS_CA,
    ca_rules_not_applicable,
    collection_evidence,
    incomplete,
    names_up_to,
    not_assessed,
    policy_evidence,
    policy_subject,
    quoted,
    unmatched_break_glass,
)
from checker.checks.sign_ins import gaps_text, regions_text
from checker.entra import ADMIN_ROLES
from checker.evaluation.evaluate import COVERED, UNCOVERED, UNDETERMINED, Outcome
from checker.evaluation.tri import Tri
from checker.evaluation.users import MEMBER, member_of, new_member
from checker.model import ConditionalAccessPolicy
from checker.report import Evidence, Subject
from checker.semantics import policy as ca
from checker.semantics.directory import Directory
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
    """MFA050: report-only or disabled policies that would require MFA or block, and what they would close.

    "Conditional Access policies" only protect sign-ins once turned on; a policy left in
    report-only mode or disabled gives a false sense of coverage, so a person should decide.
    Each result says which of a new member's gaps enforcing it would close.
    """
    settled = _prelude(context)
    if settled is not None:
        return settled
    evaluation = context.evaluation
    member = new_member()
    before = evaluation.outcome(member)
    findings = []
    for policy in context.tenant.conditional_access_policies or ():
        if ca.is_enforced(policy) or evaluation.protects(policy) is Tri.NO:
            continue
        action = evaluation.grant(policy).words
        findings.append(Finding(Verdict.REVIEW, f"{quoted(policy)} {action} but is {ca.state_label(policy)}: "
                                f"{_what_it_would_close(before, evaluation.outcome_if_enforced(policy, member))} "
                                "Decide whether to enforce it or remove it.", policy_subject(policy),
                                (policy_evidence(policy, "state", actual=policy.state, expected="enabled"),)))
    if not findings:
        return [Finding(Verdict.PASS, "Every policy that requires MFA or blocks access is enforced.", CA_COLLECTION,
                        collection_evidence(context.tenant.conditional_access_origin))]
    return findings


def _what_it_would_close(before: Outcome, after: Outcome) -> str:
    if before.status == COVERED:
        return "a new member has no gap for it to close."
    if after.status == COVERED:
        return f"enforced, it would close every gap of a new member ({regions_text(before.gaps)})."
    if [g.words for g in after.gaps] == [g.words for g in before.gaps]:
        return "enforced, it would close none of a new member's gaps."
    return f"enforced, it would narrow a new member's gaps to: {regions_text(after.gaps)}."


def _name(context: CheckContext, object_id: str) -> str:
    """The display name of the user, group or role with this id: a role definition's before a group's
    before a user's, as an id may repeat across them; "" when the export names none."""
    tenant = context.tenant
    key = object_id.lower()
    definitions = [d.display_name for d in tenant.role_definitions or () if d.template_id == key]
    if definitions:
        return definitions[-1]
    if key:
        directory = context.evaluation.directory
        group, user = directory.groups.get(key), directory.users.get(key)
    else:  # the directory leaves out objects without an id
        group = next((g for g in reversed(tenant.groups or ()) if not g.id), None)
        user = next((u for u in reversed(tenant.users or ()) if not u.id), None)
    if group is not None:
        return group.display_name
    if user is not None:
        return user.user_principal_name or user.display_name
    return ADMIN_ROLES.get(key, "")


def _enforced_mfa_or_block(context: CheckContext) -> list[ConditionalAccessPolicy]:
    """Enforced policies whose grant blocks or requires MFA, or may (a strength the export lacks)."""
    evaluation = context.evaluation
    return [p for p in context.tenant.conditional_access_policies or ()
            if ca.is_enforced(p) and evaluation.protects(p) is not Tri.NO]


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
                if kind == "user" and value.lower() in _NOT_A_USER:
                    continue  # a keyword, reported with the guest conditions
                entry = found.setdefault((kind, value.lower()), _Excluded(kind, value))
                entry.policies.append((policy, field_name))
    return list(found.values())


_NOT_A_USER = frozenset({"guestsorexternalusers", "all", "none"})


def _excluded_guest_types(policy: ConditionalAccessPolicy) -> list[str]:
    """The guest and external user types a policy excludes, in words."""
    kinds = list(policy.users.exclude_guest_types)
    if any(u.lower() == "guestsorexternalusers" for u in policy.users.exclude_users):
        kinds.insert(0, "all guests and external users (GuestsOrExternalUsers)")
    return kinds


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
    policies = _enforced_mfa_or_block(context)
    findings = []
    for entry in _exclusions(policies, ("user", "group", "role")):
        name = _name(context, entry.id)
        label = "break-glass account" if context.settings.is_break_glass(entry.id, name) else entry.kind
        findings.append(Finding(Verdict.REVIEW, f"{name or entry.id}, a {label}, is excluded from {_policy_list(entry)}.",
                                Subject(entry.kind, entry.id, name), _exclusion_evidence(entry)))
    for policy in policies:
        kinds = _excluded_guest_types(policy)
        if kinds:
            findings.append(Finding(
                Verdict.REVIEW, f"{quoted(policy)} excludes guest or external user types: {', '.join(kinds)}.",
                policy_subject(policy), (policy_evidence(policy, "conditions", "users"),)))
    findings += unmatched_break_glass(context)
    if not findings:
        return [Finding(Verdict.PASS, "No enforced MFA or block policy excludes anyone.", CA_COLLECTION,
                        collection_evidence(tenant.conditional_access_origin))]
    return findings


def ca_exclusion_gaps(context: CheckContext) -> list[Finding]:
    """MFA052: no one excluded from an MFA or block policy is left signing in without MFA.

    The guidance's aim is MFA for every sign-in; an exclusion that no other enforced policy
    makes up for leaves those accounts on passwords alone (break-glass accounts are exempt).
    With the export's users, the members of an excluded group (transitively) are judged by their
    classes; without them, a member of the excluded group and of nothing else, and an excluded
    user by what the export shows of them (the groups it lacks the members of stay open).
    """
    settled = _prelude(context)
    if settled is not None:
        return settled
    tenant = context.tenant
    entries = _exclusions(_enforced_mfa_or_block(context), ("user", "group"))
    findings = [finding for entry in entries
                for finding in (_member_level(context, entry) if tenant.users is not None
                                else _object_level(context, entry))]
    if not findings:
        return [Finding(Verdict.PASS, "No user or group is excluded from an enforced MFA policy, "
                        "break-glass accounts aside.", CA_COLLECTION,
                        collection_evidence(tenant.conditional_access_origin))]
    return findings


def _entry_subject(context: CheckContext, entry: _Excluded) -> tuple[Subject, str] | None:
    directory = context.evaluation.directory
    name = directory.group_name(entry.id) if entry.kind == "group" else _user_label(directory, entry.id)
    if context.settings.is_break_glass(entry.id, name):
        return None
    return Subject(entry.kind, entry.id, name if name != entry.id else ""), f"{entry.kind.capitalize()} {name}"


def _member_level(context: CheckContext, entry: _Excluded) -> list[Finding]:
    """Each excluded user, and each member of an excluded group (transitively), is judged by their class."""
    found = _entry_subject(context, entry)
    if found is None:
        return []
    subject, what = found
    evaluation = context.evaluation
    directory = evaluation.directory
    if entry.kind == "user":
        candidates, complete = {entry.id.lower()}, directory.user(entry.id) is not None
    else:
        membership = directory.members(entry.id)
        candidates, complete = set(membership.users), membership.complete
    members = sorted(m for m in candidates if m in evaluation.class_of_user
                     and not context.settings.is_break_glass(m, _user_label(directory, m)))
    statuses = {m: evaluation.status_of_user(m) for m in members}
    # a gap a new member has too is MFA011's finding, not this exclusion's
    uncovered = [m for m in members if statuses[m] == UNCOVERED
                 and evaluation.gaps_beyond(evaluation.class_of_user[m], new_member())]
    unknown = [m for m in members if statuses[m] == UNDETERMINED]
    evidence = _exclusion_evidence(entry)
    if uncovered:
        outcome = evaluation.outcome(evaluation.class_of_user[uncovered[0]])
        shown = names_up_to([_user_label(directory, m) for m in uncovered])
        return [Finding(Verdict.FAIL, f"{what} is excluded from {_policy_list(entry)}, and {len(uncovered)} of its "
                        f"{len(members)} enabled users sign in without MFA: {shown} ({gaps_text(outcome.gaps)}).",
                        subject, evidence)]
    if not complete and not unknown:
        # the export does not show every member: judged as without users, by a member of it and nothing else
        return _object_level(context, entry)
    if unknown:
        return [Finding(Verdict.NOT_ASSESSED, f"{what} is excluded from {_policy_list(entry)}; whether its users "
                        "sign in without MFA cannot be told, as the export does not show all of them or of what "
                        "would cover them.", subject, evidence)]
    if any(statuses[m] == UNCOVERED for m in members):
        return [Finding(Verdict.PASS, f"{what} is excluded from {_policy_list(entry)}; its enabled users sign in "
                        "without MFA nowhere a new member does not (that gap is MFA011's finding).", subject, evidence)]
    return [Finding(Verdict.PASS, f"{what} is excluded from {_policy_list(entry)}, and all {len(members)} of its "
                    "enabled users are blocked or pass MFA through other policies.", subject, evidence)]


def _user_label(directory: Directory, user_id: str) -> str:
    user = directory.user(user_id)
    return (user.user_principal_name or user.display_name) if user is not None else user_id


def _object_level(context: CheckContext, entry: _Excluded) -> list[Finding]:
    """Without the users of the export: the user as far as the export shows them, or a member of the
    excluded group and nothing else."""
    found = _entry_subject(context, entry)
    if found is None:
        return []
    subject, what = found
    evaluation = context.evaluation
    stand_in = (evaluation.conditions.named_user(entry.id, evaluation.policies) if entry.kind == "user" else
                member_of(MEMBER, (entry.kind, entry.id.lower()), f"a member of {what.lower()} and nothing else"))
    outcome = evaluation.outcome(stand_in)
    evidence = _exclusion_evidence(entry)
    if outcome.status == UNCOVERED and not evaluation.gaps_beyond(stand_in, new_member()):
        return [Finding(Verdict.PASS, f"{what}, excluded from {_policy_list(entry)}, signs in without MFA nowhere a "
                        "new member does not (that gap is MFA011's finding).", subject, evidence)]
    if outcome.status == COVERED:
        names = ", ".join(quoted(p) for p in outcome.protected_by)
        return [Finding(Verdict.PASS, f"{what}, excluded from {_policy_list(entry)}, is still blocked or asked for "
                        f"MFA on every modern sign-in by {names}.", subject, evidence)]
    verdict = Verdict.FAIL if outcome.status == UNCOVERED else Verdict.NOT_ASSESSED
    return [Finding(verdict, f"{what} is excluded from {_policy_list(entry)}, and its members sign in without MFA: "
                    f"{gaps_text(outcome.gaps)}.", subject, evidence)]
