"""Conditional Access semantics (DESIGN section 4), one changed field at a time.

Every case starts from the same known-good Graph policy, changes one field as a real export
could carry it, and says what MFA011 makes of a tenant holding that policy alone: pass when
every modern sign-in of a new member needs MFA, fail (with the reason the policy falls
short) when one gets through without it, not_assessed when the export cannot tell.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from checker.checks.conditional_access import ca_mfa_all_users
from checker.inputs.ca_policy import parse_policy
from checker.model import ConditionalAccessPolicy
from checker.origin import Origin
from checker.semantics import policy
from tests.test_space_rules import context

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d"
NAMED_LOCATION = "0b5e4c3a-8a2f-4d0e-9c1b-2f6d7e8a9b10"
EXCHANGE_ONLINE = "00000002-0000-0ff1-ce00-000000000000"

GOOD_POLICY: dict[str, Any] = {
    "id": "11111111-1111-1111-1111-111111111111",
    "displayName": "Require MFA for all users",
    "state": "enabled",
    "conditions": {
        "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": []},
        "applications": {"includeApplications": ["All"], "excludeApplications": []},
        "clientAppTypes": ["all"],
        "signInRiskLevels": [],
        "userRiskLevels": [],
        "locations": None,
        "platforms": None,
        "devices": None,
    },
    "grantControls": {
        "operator": "OR",
        "builtInControls": ["mfa"],
        "customAuthenticationFactors": [],
        "termsOfUse": [],
        "authenticationStrength": None,
    },
    "sessionControls": None,
}

DELETE = object()


def changed(*edits: tuple[str, Any]) -> dict[str, Any]:
    """A deep copy of the good policy with ``path`` (dot-separated) set to a value or deleted."""
    obj = copy.deepcopy(GOOD_POLICY)
    for path, value in edits:
        *parents, leaf = path.split(".")
        target = obj
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[leaf]
        else:
            target[leaf] = copy.deepcopy(value)
    return obj


def parsed(obj: Mapping[str, Any]) -> ConditionalAccessPolicy:
    return parse_policy(obj, Origin("p.json", ""))


def grant(**values: Any) -> dict[str, Any]:
    """A grantControls object: OR, nothing asked, unless told otherwise."""
    return {
        "operator": "OR",
        "builtInControls": [],
        "customAuthenticationFactors": [],
        "termsOfUse": [],
        "authenticationStrength": None,
        **values,
    }


# (id, edits, MFA011's verdict, what its message must say when it is not a pass)
ONE_POLICY_CASES: list[tuple[str, list[tuple[str, Any]], str, str]] = [
    # Enforced: state == "enabled"
    ("state-enabled", [("state", "enabled")], "pass", ""),
    ("state-report-only", [("state", "enabledForReportingButNotEnforced")], "fail", "it is report-only"),
    ("state-disabled", [("state", "disabled")], "fail", "it is disabled"),
    ("state-unknown-paused", [("state", "paused")], "fail", "it is in unknown state 'paused'"),
    ("state-missing", [("state", DELETE)], "fail", "it is without a state"),
    ("state-pascalcase-key-enabled", [("state", DELETE), ("State", "enabled")], "pass", ""),
    ("state-pascalcase-key-disabled", [("state", DELETE), ("State", "disabled")], "fail", "it is disabled"),
    # Apps: includeApplications All, with nothing excluded
    ("apps-all", [("conditions.applications", {"includeApplications": ["All"]})], "pass", ""),
    ("apps-office365", [("conditions.applications", {"includeApplications": ["Office365"]})],
     "fail", "it leaves out any app except other Office 365 apps"),
    ("apps-admin-portals", [("conditions.applications", {"includeApplications": ["MicrosoftAdminPortals"]})],
     "fail", "it leaves out any app except other admin portals"),
    ("apps-one-app-id", [("conditions.applications", {"includeApplications": [EXCHANGE_ONLINE]})],
     "fail", "it leaves out any app except 'Office 365 Exchange Online'"),
    ("apps-user-action-register-security-info",
     [("conditions.applications",
       {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]})],
     "fail", "any app → no MFA."),
    ("apps-authentication-context",
     [("conditions.applications", {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]})],
     "fail", "any app → no MFA."),
    ("apps-none", [("conditions.applications", {"includeApplications": []})], "fail", "any app → no MFA."),
    ("apps-all-with-an-excluded-app-leaves-it-open",
     [("conditions.applications", {"includeApplications": ["All"], "excludeApplications": [EXCHANGE_ONLINE]})],
     "fail", "it leaves out 'Office 365 Exchange Online'"),
    # Client app types: empty, all, or browser + mobileAppsAndDesktopClients cover modern sign-ins
    ("clients-empty", [("conditions.clientAppTypes", [])], "pass", ""),
    ("clients-null", [("conditions.clientAppTypes", None)], "pass", ""),
    ("clients-all", [("conditions.clientAppTypes", ["all"])], "pass", ""),
    ("clients-browser-and-modern", [("conditions.clientAppTypes", ["browser", "mobileAppsAndDesktopClients"])],
     "pass", ""),
    ("clients-browser-only", [("conditions.clientAppTypes", ["browser"])],
     "fail", "it leaves out sign-ins by mobile and desktop apps"),
    ("clients-modern-only", [("conditions.clientAppTypes", ["mobileAppsAndDesktopClients"])],
     "fail", "it leaves out sign-ins by browser"),
    ("clients-legacy-only", [("conditions.clientAppTypes", ["exchangeActiveSync", "other"])],
     "fail", "any app → no MFA."),
    # Conditions: risk levels
    ("sign-in-risk-empty", [("conditions.signInRiskLevels", [])], "pass", ""),
    ("sign-in-risk-high", [("conditions.signInRiskLevels", ["high"])], "fail", "it applies only at sign-in risk high"),
    ("user-risk-high", [("conditions.userRiskLevels", ["high"])], "fail", "it applies only at user risk high"),
    ("service-principal-risk-medium", [("conditions.servicePrincipalRiskLevels", ["medium"])],
     "fail", "it targets workload identities"),
    ("insider-risk-elevated", [("conditions.insiderRiskLevels", ["elevated"])],
     "fail", "it applies only at insider risk elevated"),
    # Conditions: locations
    ("locations-null", [("conditions.locations", None)], "pass", ""),
    ("locations-absent", [("conditions.locations", DELETE)], "pass", ""),
    ("locations-powershell-empty-array", [("conditions.locations", [])], "pass", ""),
    ("locations-include-all", [("conditions.locations", {"includeLocations": ["All"], "excludeLocations": []})],
     "pass", ""),
    ("locations-empty-include-and-exclude-sdk-dump",
     [("conditions.locations", {"includeLocations": [], "excludeLocations": []})], "pass", ""),
    ("locations-all-except-trusted",
     [("conditions.locations", {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})],
     "not_assessed", "it leaves out sign-ins from the MFA trusted IPs"),
    ("locations-one-named-location", [("conditions.locations", {"includeLocations": [NAMED_LOCATION]})],
     "fail", "it leaves out sign-ins outside location 0b5e4c3a-8a2f-4d0e-9c1b-2f6d7e8a9b10"),
    ("locations-all-trusted-only", [("conditions.locations", {"includeLocations": ["AllTrusted"]})],
     "fail", "it leaves out sign-ins outside the MFA trusted IPs"),
    # Conditions: platforms
    ("platforms-null", [("conditions.platforms", None)], "pass", ""),
    ("platforms-include-all", [("conditions.platforms", {"includePlatforms": ["all"], "excludePlatforms": []})],
     "pass", ""),
    ("platforms-empty-include-and-exclude-sdk-dump",
     [("conditions.platforms", {"includePlatforms": [], "excludePlatforms": []})], "pass", ""),
    ("platforms-android-only", [("conditions.platforms", {"includePlatforms": ["android"]})],
     "fail", "it leaves out sign-ins on any platform except Android"),
    ("platforms-all-except-ios",
     [("conditions.platforms", {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]})],
     "fail", "it leaves out sign-ins on iOS"),
    # Conditions: device filter
    ("devices-filter-without-rule", [("conditions.devices", {"deviceFilter": {"mode": None, "rule": None}})],
     "pass", ""),
    ("devices-filter-include-compliant",
     [("conditions.devices", {"deviceFilter": {"mode": "include", "rule": "device.isCompliant -eq True"}})],
     "fail", "it leaves out devices not matching the filter 'device.iscompliant -eq True'"),
    ("devices-filter-exclude-compliant",
     [("conditions.devices", {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}})],
     "fail", "it leaves out devices matching the filter 'device.iscompliant -eq True'"),
    # Conditions: authentication flows
    ("flows-device-code", [("conditions.authenticationFlows", {"transferMethods": "deviceCodeFlow"})],
     "fail", "it leaves out sign-ins by an ordinary sign-in, authentication transfer"),
    ("flows-device-code-and-transfer",
     [("conditions.authenticationFlows", {"transferMethods": "deviceCodeFlow,authenticationTransfer"})],
     "fail", "it leaves out sign-ins by an ordinary sign-in"),
    # Grant: every way through needs MFA; a strength known by id alone or an unknown control is undetermined
    ("grant-mfa", [("grantControls", grant(builtInControls=["mfa"]))], "pass", ""),
    ("grant-strength-mfa", [("grantControls", grant(
        authenticationStrength={"id": "00000000-0000-0000-0000-000000000002",
                                "displayName": "Multifactor authentication"}))],
     "pass", ""),
    ("grant-strength-passwordless", [("grantControls", grant(
        authenticationStrength={"id": "00000000-0000-0000-0000-000000000003"}))], "pass", ""),
    ("grant-strength-phishing-resistant", [("grantControls", grant(
        authenticationStrength={"id": "00000000-0000-0000-0000-000000000004"}))], "pass", ""),
    ("grant-strength-custom", [("grantControls", grant(
        authenticationStrength={"id": "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "displayName": "Contoso MFA"}))],
     "not_assessed", "its grant cannot be judged: the authentication strength 'Contoso MFA'"),
    ("grant-custom-authentication-factor", [("grantControls", grant(customAuthenticationFactors=["x"]))],
     "fail", "its grant asks for no MFA (it asks for the custom control 'x')"),
    ("grant-strength-null-id", [("grantControls", grant(authenticationStrength={"id": None}))],
     "fail", "any app → no MFA."),
    ("grant-null", [("grantControls", None)], "fail", "any app → no MFA."),
    ("grant-compliant-device-only", [("grantControls", grant(builtInControls=["compliantDevice"]))],
     "fail", "any app → no MFA."),
    ("grant-or-mfa-compliant-device", [("grantControls", grant(builtInControls=["mfa", "compliantDevice"]))],
     "fail", "lets a sign-in through without MFA by offering a compliant device"),
    ("grant-or-mfa-domain-joined", [("grantControls", grant(builtInControls=["mfa", "domainJoinedDevice"]))],
     "fail", "lets a sign-in through without MFA by offering a hybrid-joined device"),
    ("grant-or-mfa-approved-app", [("grantControls", grant(builtInControls=["mfa", "approvedApplication"]))],
     "fail", "lets a sign-in through without MFA by offering an approved client app"),
    ("grant-or-mfa-compliant-app", [("grantControls", grant(builtInControls=["mfa", "compliantApplication"]))],
     "fail", "lets a sign-in through without MFA by offering an app protection policy"),
    ("grant-or-mfa-password-change", [("grantControls", grant(builtInControls=["mfa", "passwordChange"]))],
     "fail", "lets a sign-in through without MFA by offering a password change"),
    ("grant-or-strength-compliant-device", [("grantControls", grant(
        builtInControls=["compliantDevice"], authenticationStrength={"id": "00000000-0000-0000-0000-000000000002"}))],
     "fail", "lets a sign-in through without MFA by offering a compliant device"),
    ("grant-and-mfa-compliant-device",
     [("grantControls", grant(operator="AND", builtInControls=["mfa", "compliantDevice"]))], "pass", ""),
    ("grant-lowercase-and-mfa-compliant-device",
     [("grantControls", grant(operator="and", builtInControls=["mfa", "compliantDevice"]))], "pass", ""),
    ("grant-or-mfa-terms-of-use", [("grantControls", grant(builtInControls=["mfa"], termsOfUse=["tou-id"]))],
     "fail", "lets a sign-in through without MFA by offering terms of use to accept"),
    ("grant-and-mfa-terms-of-use",
     [("grantControls", grant(operator="AND", builtInControls=["mfa"], termsOfUse=["tou-id"]))], "pass", ""),
    ("grant-or-mfa-unknown-control", [("grantControls", grant(builtInControls=["mfa", "someNewControl"]))],
     "not_assessed", "its grant cannot be judged: the unknown control 'someNewControl'"),
    # Exclusions of particular users, groups and roles are MFA051/MFA052/MFA070's business
    ("users-with-exclusions-leave-the-new-member-covered",
     [("conditions.users", {"includeUsers": ["All"], "excludeUsers": ["breakglass-id"],
                            "excludeGroups": ["group-id"], "excludeRoles": [GLOBAL_ADMIN]})],
     "pass", ""),
]


def _as_param(case: tuple[str, list[tuple[str, Any]], str, str]) -> Any:
    case_id, edits, verdict, reason = case
    return pytest.param(edits, verdict, reason, id=case_id)


@pytest.mark.parametrize(("edits", "verdict", "reason"), [_as_param(case) for case in ONE_POLICY_CASES])
def test_one_changed_field(edits: list[tuple[str, Any]], verdict: str, reason: str) -> None:
    (found,) = ca_mfa_all_users(context(parsed(changed(*edits))))

    assert found.verdict.value == verdict
    if verdict == "pass":
        assert found.message == ("Every modern sign-in of a new member is blocked or needs MFA "
                                 "(by 'Require MFA for all users').")
    else:
        assert reason in found.message


def test_exclusions_keep_targeting_all_users() -> None:
    p = parsed(changed(("conditions.users", {"includeUsers": ["All"], "excludeUsers": ["breakglass-id"]})))

    assert policy.targets_all_users(p)


@pytest.mark.parametrize(
    ("include_users", "expected"),
    [
        pytest.param(["All"], True, id="All"),
        pytest.param(["all"], True, id="lower-case-all"),
        pytest.param(["None"], False, id="None"),
        pytest.param(["aaaaaaaa-0000-0000-0000-000000000001"], False, id="one-user"),
        pytest.param([], False, id="empty"),
    ],
)
def test_targets_all_users(include_users: list[str], expected: bool) -> None:
    p = parsed(changed(("conditions.users", {"includeUsers": include_users})))

    assert policy.targets_all_users(p) is expected


def test_includes_role_through_all_users() -> None:
    p = parsed(GOOD_POLICY)

    assert policy.includes_role(p, GLOBAL_ADMIN)
    assert policy.includes_role(p, SECURITY_ADMIN)


def test_includes_role_through_include_roles() -> None:
    p = parsed(changed(("conditions.users", {"includeUsers": ["None"], "includeRoles": [GLOBAL_ADMIN]})))

    assert policy.includes_role(p, GLOBAL_ADMIN)
    assert policy.includes_role(p, GLOBAL_ADMIN.upper())
    assert not policy.includes_role(p, SECURITY_ADMIN)
    assert not policy.targets_all_users(p)


def test_excludes_role() -> None:
    p = parsed(changed(("conditions.users", {"includeUsers": ["All"], "excludeRoles": [GLOBAL_ADMIN]})))

    assert policy.excludes_role(p, GLOBAL_ADMIN)
    assert not policy.excludes_role(p, SECURITY_ADMIN)
    assert policy.includes_role(p, GLOBAL_ADMIN)


def test_narrowing_conditions_none_for_the_good_policy() -> None:
    assert policy.narrowing_conditions(parsed(GOOD_POLICY)) == []


def test_narrowing_conditions_trusted_locations_exact() -> None:
    p = parsed(changed(("conditions.locations", {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})))

    assert policy.narrowing_conditions(p) == ["MFA is not required from trusted locations"]


def test_narrowing_conditions_sign_in_risk_and_named_location_exact() -> None:
    p = parsed(changed(
        ("conditions.signInRiskLevels", ["medium", "high"]),
        ("conditions.locations", {"includeLocations": [NAMED_LOCATION.upper()]}),
    ))

    reasons = policy.narrowing_conditions(p, policy.location_namer({NAMED_LOCATION: "Head office"}))

    assert reasons == ["applies only at sign-in risk medium, high", "applies only from 'Head office'"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param("enabled", "enforced", id="enabled"),
        pytest.param("Enabled", "enforced", id="enabled-capitalised"),
        pytest.param("enabledForReportingButNotEnforced", "report-only", id="report-only"),
        pytest.param("disabled", "disabled", id="disabled"),
        pytest.param("paused", "in unknown state 'paused'", id="unknown"),
        pytest.param("", "without a state", id="empty"),
    ],
)
def test_state_label(state: str, expected: str) -> None:
    p = parsed(changed(("state", state)))

    assert policy.state_label(p) == expected
