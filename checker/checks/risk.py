"""Identity Protection (P2) and licensing: MFA020, MFA021, MFA022."""
from __future__ import annotations

from collections.abc import Callable

from checker import policy as ca
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
from checker.licence import plan_of
from checker.model import ConditionalAccessPolicy, Plan
from checker.verdicts import Verdict

RiskLevels = Callable[[ConditionalAccessPolicy], tuple[str, ...]]


def _risk_rule(context: CheckContext, *, levels_of: RiskLevels, required: tuple[str, ...], what: str,
               control_ok: Callable[[ConditionalAccessPolicy], bool], control_words: str) -> list[Finding]:
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
    policies = tenant.conditional_access_policies
    if policies is None:
        return [not_assessed([NEEDS_CA])]
    counting = [p for p in policies if ca.is_enforced(p) and ca.targets_all_users(p) and ca.targets_all_apps(p)
                and levels_of(p) and control_ok(p)]
    covered = {level.lower() for p in counting for level in levels_of(p)}
    missing = [level for level in required if level not in covered]
    if not missing:
        return [Finding(Verdict.PASS, f"{quoted(p)} {control_words} at {what} {', '.join(levels_of(p))}.",
                        policy_subject(p), (policy_evidence(p, "conditions", actual=list(levels_of(p))),))
                for p in counting]
    near = [p for p in policies if levels_of(p) and p not in counting]
    notes = [f"{quoted(p)} ({_why_not(p, control_ok, control_words)})" for p in near]
    message = f"No enforced policy for all users and apps {control_words} at {what} {', '.join(missing)}."
    if notes:
        message += " Not counted: " + "; ".join(notes) + "."
    if plan is Plan.UNKNOWN:
        return [not_assessed([NEEDS_SKUS], CA_COLLECTION, message + " This applies only with Entra ID P2.")]
    evidence = collection_evidence(tenant.conditional_access_origin) + tuple(policy_evidence(p) for p in near)
    return [Finding(Verdict.FAIL, message, CA_COLLECTION, evidence)]


def _why_not(policy: ConditionalAccessPolicy, control_ok: Callable[[ConditionalAccessPolicy], bool],
             control_words: str) -> str:
    reasons = []
    if not ca.is_enforced(policy):
        reasons.append(f"it is {ca.state_label(policy)}")
    if not ca.targets_all_users(policy):
        reasons.append("not for all users")
    if not ca.targets_all_apps(policy):
        reasons.append("not for all apps")
    if not control_ok(policy):
        reasons.append(f"it does not {control_words.replace('requires', 'require')}")
    return "; ".join(reasons)


def ca_signin_risk_mfa(context: CheckContext) -> list[Finding]:
    """MFA020: medium and high sign-in risk require MFA (or are blocked), for all users and apps.

    "Azure AD Identity Protection support" and the E5 row of the plan table recommend asking
    for MFA when a sign-in looks risky; a block is stricter and also satisfies this.
    """
    return _risk_rule(context, levels_of=lambda p: p.sign_in_risk_levels, required=("medium", "high"),
                      what="sign-in risk", control_ok=ca.requires_mfa_or_blocks,
                      control_words="requires MFA or blocks")


def ca_user_risk_password_change(context: CheckContext) -> list[Finding]:
    """MFA021: high user risk requires a secure password change (or risk remediation, or a block).

    The E5 row of the plan table recommends that high-risk users must change their password.
    """
    return _risk_rule(context, levels_of=lambda p: p.user_risk_levels, required=("high",),
                      what="user risk", control_ok=ca.requires_password_change,
                      control_words="requires a password change")


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
