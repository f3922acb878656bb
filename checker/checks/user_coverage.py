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


def user_subject(context: CheckContext, user: User) -> Subject:
    return context.user_subject(user.id, user.user_principal_name or user.display_name)


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
        missing = sum(1 for _, outcome in evaluation.user_outcomes() if outcome.status != COVERED)
        if missing:
            return [not_assessed([NEEDS_DEFAULTS], detail=f"{missing} enabled users are not covered by enforced "
                                 "Conditional Access policies; security defaults would cover them.")]
    findings: list[Finding] = []
    covered = 0
    said: dict[int, tuple[Verdict, str, tuple[Evidence, ...]]] = {}
    break_glass = context.settings.is_break_glass
    for user, outcome in evaluation.user_outcomes():
        if outcome.status == COVERED:
            covered += 1
            continue
        if break_glass(user.id, user.user_principal_name):
            verdict, message, shared = Verdict.REVIEW, BREAK_GLASS, _gap_evidence(outcome)
        else:
            found = said.get(id(outcome))
            if found is None:
                found = said[id(outcome)] = _class_finding(outcome)
            verdict, message, shared = found
        findings.append(Finding(verdict, message, user_subject(context, user), (Evidence(user.origin), *shared)))
    if covered or not findings:
        protecting = {p.id: p for c in evaluation.classes for p in evaluation.outcome(c).protected_by}
        findings.insert(0, Finding(Verdict.PASS, f"{covered} of {len(users)} enabled users are blocked or pass MFA "
                                   "on every modern sign-in.", TENANT,
                                   tuple(policy_evidence(p) for p in sorted(protecting.values(),
                                                                             key=lambda p: p.display_name.lower()))))
    return findings


BREAK_GLASS = ("Break-glass account that signs in without MFA, as intended for emergency access: check it is "
               "protected another way (for example a FIDO2 key and sign-in alerts).")


def _class_finding(outcome: Outcome) -> tuple[Verdict, str, tuple[Evidence, ...]]:
    """What every user of a class with gaps is told: worked out once per class, shared by its users."""
    if outcome.status == UNCOVERED:
        return Verdict.FAIL, f"Signs in without MFA: {gaps_text(outcome.gaps)}.", _gap_evidence(outcome)
    return (Verdict.NOT_ASSESSED, f"Cannot tell whether MFA applies: {gaps_text(outcome.gaps)}.",
            _gap_evidence(outcome))


def _gap_evidence(outcome: Outcome) -> tuple[Evidence, ...]:
    """The users' conditions of the policy closest to closing each gap, each named once."""
    return tuple(dict.fromkeys(policy_evidence(g.closest_policy, "conditions", "users")
                               for g in outcome.gaps if g.closest_policy is not None))
