"""Tenant-wide MFA, security defaults and the plan: MFA001 to MFA004."""
from __future__ import annotations

from dataclasses import replace

from checker.checks.base import CheckContext, Finding
from checker.checks.common import (
    CA_COLLECTION,
    NEEDS_CA,
    NEEDS_DEFAULTS,
    NEEDS_SKUS,
    SECURITY_DEFAULTS,
    TENANT,
    Defaults,
    collection_evidence,
    defaults_state,
    incomplete,
    not_assessed,
    policy_evidence,
    policy_subject,
    quoted,
    sku_evidence,
    via_security_defaults,
)
from checker.checks.sign_ins import outcome_finding
from checker.evaluation.evaluate import MFA
from checker.evaluation.grants import Demand
from checker.evaluation.users import new_member
from checker.inputs.identify import CA_POLICIES, SUBSCRIBED_SKUS
from checker.inputs.identify import SECURITY_DEFAULTS as SECURITY_DEFAULTS_POLICY
from checker.model import Plan
from checker.report import Evidence
from checker.semantics import policy as ca
from checker.semantics.licence import plan_of
from checker.verdicts import Verdict


def mfa_enforced(context: CheckContext) -> list[Finding]:
    """MFA001: MFA is required tenant-wide, by security defaults or Conditional Access.

    The guidance's plan table and its "Results of Step 1" ask that every user sign in with
    MFA; whichever mechanism the plan allows must be in force. With Conditional Access, every
    modern sign-in of a new member must be blocked or need MFA, whichever policies achieve it.
    """
    if (lost := incomplete(context.tenant, CA_POLICIES, SUBSCRIBED_SKUS, SECURITY_DEFAULTS_POLICY)) is not None:
        return [lost]
    tenant = context.tenant
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [via_security_defaults(defaults)]
    policies = tenant.conditional_access_policies
    if policies is None:
        if defaults.state is Defaults.UNKNOWN:
            return [not_assessed([NEEDS_DEFAULTS, NEEDS_CA])]
        if plan_of(tenant) is Plan.FREE:
            return [Finding(Verdict.FAIL, "Security defaults are off and the plan has no Entra ID P1, "
                            "so nothing requires MFA.", SECURITY_DEFAULTS, defaults.evidence)]
        return [not_assessed([NEEDS_CA], detail="Security defaults are off, so MFA can only come from "
                             "Conditional Access.")]
    finding = outcome_finding(
        context, new_member(), MFA, CA_COLLECTION,
        passes="Every modern sign-in of a new member is blocked or needs MFA",
        fails=f"{defaults.off_words}, and a new member signs in without MFA")
    if finding.verdict is Verdict.FAIL:
        finding = replace(finding, evidence=defaults.evidence + finding.evidence)
    return [finding]


def security_defaults_without_premium(context: CheckContext) -> list[Finding]:
    """MFA002: on a plan without Entra ID P1/P2, security defaults are on.

    The guidance's plan table gives security defaults as the way to MFA for plans without
    premium Entra ID licences, and its "Security defaults" section describes what they enforce.
    """
    if (lost := incomplete(context.tenant, SUBSCRIBED_SKUS, SECURITY_DEFAULTS_POLICY)) is not None:
        return [lost]
    tenant = context.tenant
    plan = plan_of(tenant)
    if plan is Plan.UNKNOWN:
        return [not_assessed([NEEDS_SKUS], detail="Whether security defaults are required depends on the plan.")]
    if plan is not Plan.FREE:
        return [Finding(Verdict.NOT_APPLICABLE, f"The plan includes Entra ID {plan.value}; MFA003 applies instead.",
                        TENANT, sku_evidence(tenant))]
    defaults = tenant.security_defaults
    if defaults is None:
        return [not_assessed([NEEDS_DEFAULTS], detail="The plan has no Entra ID P1 or P2.")]
    evidence = (Evidence(defaults.origin.child("isEnabled"), defaults.is_enabled, True),) + sku_evidence(tenant)
    if defaults.is_enabled:
        return [Finding(Verdict.PASS, "The plan has no Entra ID P1 or P2 and security defaults are on.",
                        SECURITY_DEFAULTS, evidence)]
    return [Finding(Verdict.FAIL, "The plan has no Entra ID P1 or P2 and security defaults are off: "
                    "nothing can require MFA for users and administrators.", SECURITY_DEFAULTS, evidence)]


def premium_uses_conditional_access(context: CheckContext) -> list[Finding]:
    """MFA003: on a P1/P2 plan, MFA comes from Conditional Access rather than security defaults.

    The plan table recommends Conditional Access for E3 (P1) and risk-based policies for E5
    (P2): security defaults cannot be tuned or combined with those policies.
    """
    if (lost := incomplete(context.tenant, CA_POLICIES, SUBSCRIBED_SKUS, SECURITY_DEFAULTS_POLICY)) is not None:
        return [lost]
    tenant = context.tenant
    plan = plan_of(tenant)
    if plan is Plan.UNKNOWN:
        return [not_assessed([NEEDS_SKUS], detail="The recommendation depends on the plan.")]
    if plan is Plan.FREE:
        return [Finding(Verdict.NOT_APPLICABLE, "The plan has no Entra ID P1 or P2; MFA002 applies instead.",
                        TENANT, sku_evidence(tenant))]
    defaults = defaults_state(tenant)
    if defaults.state is Defaults.ON:
        return [Finding(Verdict.FAIL, f"The plan includes Entra ID {plan.value} but MFA relies on security "
                        "defaults; Conditional Access policies cannot be enforced while they are on.",
                        SECURITY_DEFAULTS, defaults.evidence + sku_evidence(tenant))]
    if defaults.state is Defaults.UNKNOWN:
        return [not_assessed([NEEDS_DEFAULTS] + ([NEEDS_CA] if tenant.conditional_access_policies is None else []))]
    enforced_mfa = [p for p in tenant.conditional_access_policies or ()
                    if ca.is_enforced(p) and context.evaluation.grant(p).demand is Demand.MFA]
    if enforced_mfa:
        return [Finding(Verdict.PASS, f"Security defaults are off and {len(enforced_mfa)} enforced Conditional "
                        "Access policies require MFA.", CA_COLLECTION,
                        defaults.evidence + tuple(policy_evidence(p) for p in enforced_mfa))]
    if tenant.conditional_access_policies is None:
        return [not_assessed([NEEDS_CA], detail="Security defaults are off.")]
    return [Finding(Verdict.FAIL, f"The plan includes Entra ID {plan.value}, security defaults are off and no "
                    "enforced Conditional Access policy requires MFA.", CA_COLLECTION,
                    defaults.evidence + collection_evidence(tenant.conditional_access_origin))]


def defaults_and_ca_exclusive(context: CheckContext) -> list[Finding]:
    """MFA004: security defaults and enforced Conditional Access policies are not both on.

    "Using these methods together" explains that a live tenant cannot have both; an export
    showing both is stale or was assembled from different points in time.
    """
    if (lost := incomplete(context.tenant, CA_POLICIES, SECURITY_DEFAULTS_POLICY)) is not None:
        return [lost]
    tenant = context.tenant
    defaults = tenant.security_defaults
    policies = tenant.conditional_access_policies
    if defaults is None:
        return [not_assessed([NEEDS_DEFAULTS])]
    evidence = (Evidence(defaults.origin.child("isEnabled"), defaults.is_enabled),)
    if not defaults.is_enabled:
        return [Finding(Verdict.PASS, "Security defaults are off, so they cannot clash with Conditional Access.",
                        SECURITY_DEFAULTS, evidence)]
    if policies is None:
        return [not_assessed([NEEDS_CA], detail="Security defaults are on.")]
    enforced = [p for p in policies if ca.is_enforced(p)]
    if not enforced:
        return [Finding(Verdict.PASS, "Security defaults are on and no Conditional Access policy is enforced.",
                        SECURITY_DEFAULTS, evidence + collection_evidence(tenant.conditional_access_origin))]
    return [
        Finding(Verdict.FAIL, f"Security defaults are on while {quoted(p)} is enforced: a live tenant cannot have "
                "both, so this export is stale or mixes tenants or points in time.", policy_subject(p),
                (policy_evidence(p, "state", actual=p.state),) + evidence)
        for p in enforced
    ]
