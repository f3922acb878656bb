"""Per-user MFA coverage: MFA070, read off the sign-in space class by class."""
from __future__ import annotations

from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    NEEDS_CA,
    NEEDS_DEFAULTS,
    TENANT,
    Defaults,
    defaults_state,
    incomplete,
    not_assessed,
    policy_evidence,
    via_security_defaults,
)
from checker.checks.sign_ins import gaps_text
from checker.evaluation.evaluate import COVERED, UNCOVERED, Outcome
from checker.inputs.identify import CA_POLICIES, GROUPS, SECURITY_DEFAULTS, USERS
from checker.model import User
from checker.report import Evidence, Subject
from checker.verdicts import Verdict

NEEDS_USERS = "users (users with accountEnabled and userType)"


def user_subject(user: User) -> Subject:
    return Subject("user", user.id, user.user_principal_name or user.display_name)


def user_mfa_coverage(context: CheckContext) -> list[Finding]:
    """MFA070: every enabled user is blocked or passes MFA on every modern sign-in.

    "Results of Step 1" expects MFA on every sign-in of every user. Policy shapes alone do not
    show who falls between exclusions, nested groups, roles, guest types and split conditions,
    so coverage is read per user class off the sign-in space; break-glass accounts are for a
    person to review rather than failures.
    """
    if (lost := incomplete(context.tenant, CA_POLICIES, SECURITY_DEFAULTS, USERS, GROUPS)) is not None:
        return [lost]
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults, TENANT)]
    if tenant.conditional_access_policies is None:
        return [not_assessed([NEEDS_CA] + ([NEEDS_DEFAULTS] if defaults.state is Defaults.UNKNOWN else []))]
    if tenant.users is None:
        return [not_assessed([NEEDS_USERS], detail="Coverage is worked out per enabled user.")]
    evaluation = context.evaluation
    users = evaluation.users()
    if defaults.state is Defaults.UNKNOWN:
        missing = sum(1 for u in users if evaluation.status_of_user(u.id) != COVERED)
        if missing:
            return [not_assessed([NEEDS_DEFAULTS], detail=f"{missing} enabled users are not covered by enforced "
                                 "Conditional Access policies; security defaults would cover them.")]
    findings: list[Finding] = []
    covered = 0
    for user in users:
        outcome = evaluation.outcome(evaluation.class_of_user[user.id.lower()])
        if outcome.status == COVERED:
            covered += 1
            continue
        findings.append(_user_finding(context, user, outcome))
    if covered or not findings:
        protecting = {p.id: p for c in evaluation.classes for p in evaluation.outcome(c).protected_by}
        findings.insert(0, Finding(Verdict.PASS, f"{covered} of {len(users)} enabled users are blocked or pass MFA "
                                   "on every modern sign-in.", TENANT,
                                   tuple(policy_evidence(p) for p in sorted(protecting.values(),
                                                                             key=lambda p: p.display_name.lower()))))
    return findings


def _user_finding(context: CheckContext, user: User, outcome: Outcome) -> Finding:
    evidence = (Evidence(user.origin),) + tuple(
        dict.fromkeys(policy_evidence(g.closest_policy, "conditions", "users")
                      for g in outcome.gaps if g.closest_policy is not None))
    if context.settings.is_break_glass(user.id, user.user_principal_name):
        return Finding(Verdict.REVIEW, "Break-glass account that signs in without MFA, as intended for emergency "
                       "access: check it is protected another way (for example a FIDO2 key and sign-in alerts).",
                       user_subject(user), evidence)
    if outcome.status == UNCOVERED:
        return Finding(Verdict.FAIL, f"Signs in without MFA: {gaps_text(outcome.gaps)}.", user_subject(user),
                       evidence)
    return Finding(Verdict.NOT_ASSESSED, f"Cannot tell whether MFA applies: {gaps_text(outcome.gaps)}.",
                   user_subject(user), evidence)
