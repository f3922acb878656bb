"""Identity Protection (P2) and licensing: MFA020, MFA021, MFA022."""
from __future__ import annotations

from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    CA_AND_PLAN,
    CA_COLLECTION,
    NEEDS_CA,
    NEEDS_SKUS,
    TENANT,
    ca_rules_not_applicable,
    collection_evidence,
    incomplete,
    not_assessed,
    policy_evidence,
    policy_subject,
    quoted,
    sku_evidence,
)
from checker.checks.sign_ins import outcome_finding
from checker.evaluation.evaluate import USER_RISK_HIGH, sign_in_risk
from checker.evaluation.users import new_member
from checker.model import Plan
from checker.report import Subject
from checker.semantics import policy as ca
from checker.semantics.licence import plan_of
from checker.verdicts import Verdict


def _risk_gate(context: CheckContext) -> list[Finding] | None:
    """P2 rules settle early: not applicable below P2, not assessed without policies."""
    if (lost := incomplete(context.tenant, *CA_AND_PLAN)) is not None:
        return [lost]
    not_applicable = ca_rules_not_applicable(context)
    if not_applicable is not None:
        return [not_applicable]
    tenant = context.tenant
    plan = plan_of(tenant)
    if plan in (Plan.FREE, Plan.P1):
        return [Finding(Verdict.NOT_APPLICABLE, f"Risk-based policies need Entra ID P2; the plan is {plan.value}.",
                        TENANT, sku_evidence(tenant))]
    if tenant.conditional_access_policies is None:
        return [not_assessed([NEEDS_CA])]
    return None


def _unknown_plan(context: CheckContext, finding: Finding) -> Finding:
    """Without licence data a failing risk rule may not apply at all."""
    if finding.verdict is Verdict.FAIL and plan_of(context.tenant) is Plan.UNKNOWN:
        return not_assessed([NEEDS_SKUS], finding.subject, finding.message + " This applies only with Entra ID P2.")
    return finding


def ca_signin_risk_mfa(context: CheckContext) -> list[Finding]:
    """MFA020: at medium and at high sign-in risk, every modern sign-in needs MFA or is blocked.

    "Azure AD Identity Protection support" and the E5 row of the plan table recommend asking
    for MFA when a sign-in looks risky; a block is stricter and also satisfies this. Only
    policies with a sign-in risk condition count, and they may share the levels, platforms
    and apps between them.
    """
    settled = _risk_gate(context)
    if settled is not None:
        return settled
    findings = []
    for level in ("medium", "high"):
        subject = Subject("risk", f"signInRisk:{level}", f"sign-in risk {level}")
        finding = outcome_finding(
            context, new_member(), sign_in_risk(level), subject,
            passes=f"At sign-in risk {level}, every modern sign-in of a new member needs MFA or is blocked",
            fails=f"At sign-in risk {level}, a new member signs in without MFA", defaults_would_close=False)
        findings.append(_unknown_plan(context, finding))
    return findings


def ca_user_risk_password_change(context: CheckContext) -> list[Finding]:
    """MFA021: at high user risk, every sign-in is blocked or needs a secure password change.

    The E5 row of the plan table recommends that high-risk users must change their password;
    risk remediation (which includes the password change) and a block satisfy it too. Only
    policies with a user risk condition count.
    """
    settled = _risk_gate(context)
    if settled is not None:
        return settled
    subject = Subject("risk", "userRisk:high", "user risk high")
    finding = outcome_finding(
        context, new_member(), USER_RISK_HIGH, subject,
        passes="At high user risk, every sign-in of a new member is blocked or needs a password change",
        fails="At high user risk, a new member signs in without a password change or block",
        defaults_would_close=False)
    return [_unknown_plan(context, finding)]


def licence_supports_policies(context: CheckContext) -> list[Finding]:
    """MFA022: enforced policies are backed by the licences they need (P1; P2 for risk).

    "Conditional Access policies" and "Azure AD Identity Protection support" state which
    licence each kind of policy needs; a policy without it is not reliably enforced.
    """
    if (lost := incomplete(context.tenant, *CA_AND_PLAN)) is not None:
        return [lost]
    tenant = context.tenant
    policies = tenant.conditional_access_policies
    if policies is None:
        return [not_assessed([NEEDS_CA])]
    enforced = [p for p in policies if ca.is_enforced(p)]
    if not enforced:
        not_applicable = ca_rules_not_applicable(context)
        if not_applicable is not None:
            return [not_applicable]
        return [Finding(Verdict.PASS, "No Conditional Access policy is enforced, so none needs a licence.",
                        CA_COLLECTION, collection_evidence(tenant.conditional_access_origin))]
    plan = plan_of(tenant)
    if plan is Plan.UNKNOWN:
        return [not_assessed([NEEDS_SKUS], CA_COLLECTION,
                             f"{len(enforced)} enforced policies need at least Entra ID P1.")]
    findings = []
    for policy in enforced:
        needs = Plan.P2 if policy.sign_in_risk_levels or policy.user_risk_levels else Plan.P1
        has = plan is Plan.P2 or (plan is Plan.P1 and needs is Plan.P1)
        verdict = Verdict.PASS if has else Verdict.FAIL
        reason = "uses risk conditions and needs Entra ID P2" if needs is Plan.P2 else "needs Entra ID P1"
        lapsed = (" (Conditional Access stays enforced after the licences lapse: renew Entra ID P1, or turn "
                  "the policies off and security defaults on)") if plan is Plan.FREE else ""
        findings.append(Finding(verdict, f"{quoted(policy)} {reason}; the plan is {plan.value}{lapsed}.",
                                policy_subject(policy), (policy_evidence(policy, "conditions"),) + sku_evidence(tenant)))
    return findings
