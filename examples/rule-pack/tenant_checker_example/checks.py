"""The checks of the example pack: pure functions of the tenant, like tenant-checker's own."""
from __future__ import annotations

from checker.checks.base import Check, CheckContext, Finding
from checker.report import Evidence, Subject
from checker.verdicts import Verdict

POLICIES = Subject("collection", "conditionalAccessPolicies", "Conditional Access policies")


def no_disabled_policies(context: CheckContext) -> list[Finding]:
    """One result per policy: a disabled one fails, pointing at its ``state``."""
    policies = context.tenant.conditional_access_policies
    if policies is None:
        return [Finding(Verdict.NOT_ASSESSED, "Not assessed: the export holds no Conditional Access policies.",
                        POLICIES)]
    if not policies:
        return [Finding(Verdict.PASS, "The tenant has no Conditional Access policy.", POLICIES)]
    return [
        Finding(
            Verdict.FAIL if policy.state == "disabled" else Verdict.PASS,
            f"'{policy.display_name}' is {policy.state}"
            + ("; delete it, or document why it is kept." if policy.state == "disabled" else "."),
            Subject("policy", policy.id, policy.display_name),
            (Evidence(policy.origin.child("state"), policy.state, "enabled or enabledForReportingButNotEnforced"),),
        )
        for policy in policies
    ]


CHECKS: dict[str, Check] = {
    "EXA001": no_disabled_policies,
}
