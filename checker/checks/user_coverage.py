"""Per-user MFA coverage: MFA070."""
from __future__ import annotations

from checker import policy as ca
from checker.applicability import applicability
from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    NEEDS_CA,
    NEEDS_DEFAULTS,
    TENANT,
    Defaults,
    defaults_state,
    incomplete,
    location_namer,
    not_assessed,
    policy_evidence,
    quoted,
    via_security_defaults,
)
from checker.coverage import Coverage
from checker.directory import Directory
from checker.inputs.identify import CA_POLICIES, GROUPS, SECURITY_DEFAULTS, USERS
from checker.model import Tenant, User
from checker.report import Evidence, Subject
from checker.verdicts import Verdict

NEEDS_USERS = "users (users with accountEnabled and userType)"


def user_subject(user: User) -> Subject:
    return Subject("user", user.id, user.user_principal_name or user.display_name)


def why_uncovered(user: User, tenant: Tenant, coverage: Coverage,
                  directory: Directory) -> tuple[str, tuple[Evidence, ...]]:
    """The reason in words, and the policy fields it rests on."""
    namer = location_namer(tenant)
    exclusions: list[str] = []
    weaker: list[str] = []
    evidence: list[Evidence] = []
    for policy in tenant.conditional_access_policies or ():
        counts = policy in coverage.counting
        if not (counts or ca.asks_for_mfa(policy.grant)):
            continue
        fit = applicability(policy, user, directory)
        if fit.included_by and fit.excluded_by:
            exclusions.append(f"excluded from {quoted(policy)} through {', '.join(fit.excluded_by)}")
            evidence.append(policy_evidence(policy, "conditions", "users"))
        elif fit.applies and not counts:
            weaker.append(f"{quoted(policy)} ({'; '.join(ca.baseline_gaps(policy, namer))})")
            evidence.append(policy_evidence(policy))
    reasons = exclusions[:]
    if weaker:
        reasons.append("the MFA policies that apply do not count: " + "; ".join(weaker))
    if not reasons:
        return "no enforced MFA policy for all apps includes them", tuple(evidence)
    text = "; ".join(reasons)
    if not weaker:
        text += ", and no other MFA policy includes them"
    return text, tuple(evidence)


def why_undetermined(user: User, coverage: Coverage, directory: Directory) -> str:
    unknowns: list[str] = []
    for policy in coverage.counting:
        fit = applicability(policy, user, directory)
        for unknown in (fit.exclude_unknowns if fit.included_by else fit.include_unknowns):
            unknowns.append(f"{quoted(policy)} depends on {unknown}")
    return "; ".join(dict.fromkeys(unknowns)) or "the export does not show every policy's members"


def user_mfa_coverage(context: CheckContext) -> list[Finding]:
    """MFA070: every enabled user is covered by an enforced, unconditional MFA requirement.

    "Results of Step 1" expects MFA on every sign-in of every user. Policy shapes alone do not
    show who falls between exclusions, nested groups and roles, so coverage is worked out per
    user; break-glass accounts are for a person to review rather than failures.
    """
    if (lost := incomplete(context.tenant, CA_POLICIES, SECURITY_DEFAULTS, USERS, GROUPS)) is not None:
        return [lost]
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults, TENANT)]
    if tenant.conditional_access_policies is None:
        return [not_assessed([NEEDS_CA] + ([NEEDS_DEFAULTS] if defaults.state is Defaults.UNKNOWN else []))]
    if context.user_coverage is None:
        return [not_assessed([NEEDS_USERS], detail="Coverage is worked out per enabled user.")]
    directory, coverage = context.user_coverage.directory, context.user_coverage.coverage
    if defaults.state is Defaults.UNKNOWN:
        missing = sum(1 for u in coverage.users if coverage.status(u.id) != "covered")
        if missing:
            return [not_assessed([NEEDS_DEFAULTS], detail=f"{missing} enabled users are not covered by an "
                                 "enforced Conditional Access MFA policy; security defaults would cover them.")]
    return _per_user(context, coverage, directory)


def _per_user(context: CheckContext, coverage: Coverage, directory: Directory) -> list[Finding]:
    tenant = context.tenant
    findings: list[Finding] = []
    covered = 0
    for user in coverage.users:
        status = coverage.status(user.id)
        if status == "covered":
            covered += 1
            continue
        user_evidence = (Evidence(user.origin),)
        if context.settings.is_break_glass(user.id, user.user_principal_name):
            findings.append(Finding(Verdict.REVIEW, "Break-glass account outside every MFA policy, as intended "
                                    "for emergency access: check it is protected another way (for example a FIDO2 "
                                    "key and sign-in alerts).", user_subject(user), user_evidence))
        elif status == "uncovered":
            reason, evidence = why_uncovered(user, tenant, coverage, directory)
            findings.append(Finding(Verdict.FAIL, f"Signs in without MFA: {reason}.", user_subject(user),
                                    user_evidence + evidence))
        else:
            findings.append(Finding(Verdict.NOT_ASSESSED, "Cannot tell whether MFA applies: "
                                    f"{why_undetermined(user, coverage, directory)}.", user_subject(user),
                                    user_evidence))
    total = len(coverage.users)
    if covered or not findings:
        findings.insert(0, Finding(Verdict.PASS, f"{covered} of {total} enabled users are covered by an enforced, "
                                   "unconditional MFA policy for all apps.", TENANT,
                                   tuple(policy_evidence(p) for p in coverage.counting)))
    return findings
