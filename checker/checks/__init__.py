"""The built-in checks, bound to rule ids by one explicit table.

The rule pack ``builtin`` (``checker.packs.builtin``) hands this table to the catalogue, which
checks that every entry of ``checker/rules/*.yaml`` has exactly one check here and every
check one entry.
"""
from __future__ import annotations

from checker.checks import (
    conditional_access,
    defaults,
    exclusions,
    input_health,
    per_user_mfa,
    registration,
    risk,
    user_coverage,
)
from checker.checks.base import Check

CHECKS: dict[str, Check] = {
    "MFA001": defaults.mfa_enforced,
    "MFA002": defaults.security_defaults_without_premium,
    "MFA003": defaults.premium_uses_conditional_access,
    "MFA004": defaults.defaults_and_ca_exclusive,
    "MFA010": conditional_access.ca_mfa_admins,
    "MFA011": conditional_access.ca_mfa_all_users,
    "MFA012": conditional_access.ca_block_legacy_auth,
    "MFA020": risk.ca_signin_risk_mfa,
    "MFA021": risk.ca_user_risk_password_change,
    "MFA022": risk.licence_supports_policies,
    "MFA030": registration.mfa_registered,
    "MFA031": registration.registration_campaign,
    "MFA032": registration.authenticator_enabled,
    "MFA040": registration.sspr_enabled,
    "MFA041": registration.sspr_registered,
    "MFA050": exclusions.ca_not_enforced,
    "MFA051": exclusions.ca_exclusions,
    "MFA052": exclusions.ca_exclusion_gaps,
    "MFA060": conditional_access.ca_mfa_all_apps,
    "MFA061": conditional_access.compliant_device,
    "MFA070": user_coverage.user_mfa_coverage,
    "MFA071": per_user_mfa.per_user_mfa_disabled,
    "INPUT001": input_health.input_unreadable,
    "INPUT002": input_health.input_incomplete,
}
