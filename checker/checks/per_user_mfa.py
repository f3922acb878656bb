"""Legacy per-user MFA beside security defaults or Conditional Access: MFA071."""
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
)
from checker.evaluation.grants import Demand
from checker.inputs.identify import CA_POLICIES, PER_USER_MFA, SECURITY_DEFAULTS
from checker.model import PerUserMfaState
from checker.report import Evidence, Subject
from checker.semantics import policy as ca
from checker.verdicts import Verdict

NEEDS_PER_USER = ("per-user MFA state (MSOnline Export-Clixml, Graph beta /users/{id}/authentication/"
                  "requirements, or a per-user MFA CSV)")


def _subject(state: PerUserMfaState) -> Subject:
    return Subject("user", state.id or state.user_principal_name, state.user_principal_name)


def per_user_mfa_disabled(context: CheckContext) -> list[Finding]:
    """MFA071: legacy per-user MFA is off once security defaults or Conditional Access enforce MFA.

    "Security defaults" and "Conditional Access policies" replace per-user MFA; left on beside
    them it prompts inconsistently and hides which mechanism really applies.
    """
    if (lost := incomplete(context.tenant, PER_USER_MFA, CA_POLICIES, SECURITY_DEFAULTS)) is not None:
        return [lost]
    tenant = context.tenant
    if tenant.per_user_mfa is None:
        return [not_assessed([NEEDS_PER_USER])]
    defaults = defaults_state(tenant)
    policies = tenant.conditional_access_policies
    ca_enforces = any(ca.is_enforced(p) and context.evaluation.grant(p).demand is Demand.MFA for p in policies or ())
    if defaults.state is Defaults.ON:
        mechanism = "security defaults require MFA"
    elif ca_enforces:
        mechanism = "Conditional Access requires MFA"
    elif defaults.state is Defaults.UNKNOWN or policies is None:
        return [not_assessed([n for n, v in ((NEEDS_DEFAULTS, tenant.security_defaults), (NEEDS_CA, policies))
                              if v is None], detail="Whether per-user MFA is redundant depends on them.")]
    else:
        return [Finding(Verdict.NOT_APPLICABLE, "Neither security defaults nor an enforced Conditional Access "
                        "policy requires MFA, so per-user MFA is not redundant here; MFA001 reports the gap.",
                        TENANT)]
    findings = []
    for state in sorted(tenant.per_user_mfa, key=lambda s: (s.user_principal_name.lower(), s.id)):
        evidence = (Evidence(state.origin, state.state, "disabled"),)
        if state.state in ("enabled", "enforced"):
            findings.append(Finding(Verdict.FAIL, f"Per-user MFA is {state.state} for this user while {mechanism}: "
                                    "turn it off so that one mechanism decides.", _subject(state), evidence))
        elif state.state != "disabled":
            findings.append(Finding(Verdict.NOT_ASSESSED, f"Per-user MFA state {state.state or '(empty)'!r} is "
                                    "not one this version knows.", _subject(state), evidence))
    if not findings:
        findings.append(Finding(Verdict.PASS, f"Per-user MFA is disabled for all {len(tenant.per_user_mfa)} users "
                                f"listed, and {mechanism}.", TENANT))
    return findings
