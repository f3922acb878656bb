"""Conditional Access semantics (DESIGN section 4), one changed field at a time.

Every case starts from the same known-good Graph policy, changes one field as a real export
could carry it, and says whether the policy still counts as an enforced, unconditional,
all-apps, modern-clients MFA policy and, when it does not, what the reason must say.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from checker.inputs.ca_policy import parse_policy
from checker.model import ConditionalAccessPolicy, GrantControls
from checker.origin import Origin
from checker.semantics import policy

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


def test_good_policy_is_the_mfa_baseline() -> None:
    p = parsed(GOOD_POLICY)

    assert policy.is_unconditional_mfa_policy(p)
    assert policy.unconditional_mfa_shortfalls(p) == []
    assert policy.targets_all_users(p)
    assert policy.is_enforced(p)
    assert policy.grant_requires_mfa(p.grant)


# (id, edits, counts as baseline, substring of the joined reasons when it does not)
BASELINE_CASES: list[tuple[str, list[tuple[str, Any]], bool, str]] = [
    # Enforced: state == "enabled"
    ("state-enabled", [("state", "enabled")], True, ""),
    ("state-report-only", [("state", "enabledForReportingButNotEnforced")], False, "it is report-only"),
    ("state-disabled", [("state", "disabled")], False, "it is disabled"),
    ("state-unknown-paused", [("state", "paused")], False, "unknown state 'paused'"),
    ("state-missing", [("state", DELETE)], False, "without a state"),
    ("state-pascalcase-key-enabled", [("state", DELETE), ("State", "enabled")], True, ""),
    ("state-pascalcase-key-disabled", [("state", DELETE), ("State", "disabled")], False, "it is disabled"),
    # All apps: includeApplications contains All
    ("apps-all", [("conditions.applications", {"includeApplications": ["All"]})], True, ""),
    ("apps-office365", [("conditions.applications", {"includeApplications": ["Office365"]})],
     False, "it targets only some apps (Office365), not all apps"),
    ("apps-admin-portals", [("conditions.applications", {"includeApplications": ["MicrosoftAdminPortals"]})],
     False, "only some apps (MicrosoftAdminPortals)"),
    ("apps-one-app-id", [("conditions.applications", {"includeApplications": [EXCHANGE_ONLINE]})],
     False, f"only some apps ({EXCHANGE_ONLINE})"),
    ("apps-user-action-register-security-info",
     [("conditions.applications",
       {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]})],
     False, "it targets user actions (urn:user:registersecurityinfo), not all apps"),
    ("apps-authentication-context",
     [("conditions.applications", {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]})],
     False, "it targets authentication contexts, not all apps"),
    ("apps-none", [("conditions.applications", {"includeApplications": []})], False, "only some apps (none)"),
    ("apps-all-with-excluded-app-still-counts",
     [("conditions.applications", {"includeApplications": ["All"], "excludeApplications": [EXCHANGE_ONLINE]})],
     True, ""),
    # Modern clients covered: empty, all, or browser + mobileAppsAndDesktopClients
    ("clients-empty", [("conditions.clientAppTypes", [])], True, ""),
    ("clients-null", [("conditions.clientAppTypes", None)], True, ""),
    ("clients-all", [("conditions.clientAppTypes", ["all"])], True, ""),
    ("clients-browser-and-modern", [("conditions.clientAppTypes", ["browser", "mobileAppsAndDesktopClients"])],
     True, ""),
    ("clients-browser-only", [("conditions.clientAppTypes", ["browser"])],
     False, "it does not cover browsers and modern desktop/mobile clients (client app types: browser)"),
    ("clients-modern-only", [("conditions.clientAppTypes", ["mobileAppsAndDesktopClients"])],
     False, "client app types: mobileAppsAndDesktopClients"),
    ("clients-legacy-only", [("conditions.clientAppTypes", ["exchangeActiveSync", "other"])],
     False, "client app types: exchangeActiveSync, other"),
    # Unconditional: risk levels
    ("sign-in-risk-empty", [("conditions.signInRiskLevels", [])], True, ""),
    ("sign-in-risk-high", [("conditions.signInRiskLevels", ["high"])], False, "applies only at sign-in risk high"),
    ("user-risk-high", [("conditions.userRiskLevels", ["high"])], False, "applies only at user risk high"),
    ("service-principal-risk-medium", [("conditions.servicePrincipalRiskLevels", ["medium"])],
     False, "applies only at service principal risk medium"),
    ("insider-risk-elevated", [("conditions.insiderRiskLevels", ["elevated"])],
     False, "applies only at insider risk elevated"),
    # Unconditional: locations
    ("locations-null", [("conditions.locations", None)], True, ""),
    ("locations-absent", [("conditions.locations", DELETE)], True, ""),
    ("locations-powershell-empty-array", [("conditions.locations", [])], True, ""),
    ("locations-include-all", [("conditions.locations", {"includeLocations": ["All"], "excludeLocations": []})],
     True, ""),
    ("locations-empty-include-and-exclude-sdk-dump",
     [("conditions.locations", {"includeLocations": [], "excludeLocations": []})], True, ""),
    ("locations-all-except-trusted",
     [("conditions.locations", {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})],
     False, "MFA is not required from trusted locations"),
    ("locations-one-named-location", [("conditions.locations", {"includeLocations": [NAMED_LOCATION]})],
     False, f"applies only from location {NAMED_LOCATION}"),
    ("locations-all-trusted-only", [("conditions.locations", {"includeLocations": ["AllTrusted"]})],
     False, "applies only from trusted locations"),
    # Unconditional: platforms
    ("platforms-null", [("conditions.platforms", None)], True, ""),
    ("platforms-include-all", [("conditions.platforms", {"includePlatforms": ["all"], "excludePlatforms": []})],
     True, ""),
    ("platforms-empty-include-and-exclude-sdk-dump",
     [("conditions.platforms", {"includePlatforms": [], "excludePlatforms": []})], True, ""),
    ("platforms-android-only", [("conditions.platforms", {"includePlatforms": ["android"]})],
     False, "applies only on platforms android"),
    ("platforms-all-except-ios",
     [("conditions.platforms", {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]})],
     False, "skips platforms iOS"),
    # Unconditional: device filter
    ("devices-filter-without-rule", [("conditions.devices", {"deviceFilter": {"mode": None, "rule": None}})],
     True, ""),
    ("devices-filter-include-compliant",
     [("conditions.devices", {"deviceFilter": {"mode": "include", "rule": "device.isCompliant -eq True"}})],
     False, "applies only to devices matching a filter"),
    ("devices-filter-exclude-compliant",
     [("conditions.devices", {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}})],
     False, "applies only to devices matching a filter"),
    # Unconditional: authentication flows
    ("flows-device-code", [("conditions.authenticationFlows", {"transferMethods": "deviceCodeFlow"})],
     False, "applies only to authentication flows deviceCodeFlow"),
    ("flows-device-code-and-transfer",
     [("conditions.authenticationFlows", {"transferMethods": "deviceCodeFlow,authenticationTransfer"})],
     False, "applies only to authentication flows deviceCodeFlow, authenticationTransfer"),
    # Requires MFA
    ("grant-mfa", [("grantControls", grant(builtInControls=["mfa"]))], True, ""),
    ("grant-strength-mfa", [("grantControls", grant(
        authenticationStrength={"id": "00000000-0000-0000-0000-000000000002",
                                "displayName": "Multifactor authentication"}))],
     True, ""),
    ("grant-strength-passwordless", [("grantControls", grant(
        authenticationStrength={"id": "00000000-0000-0000-0000-000000000003"}))], True, ""),
    ("grant-strength-phishing-resistant", [("grantControls", grant(
        authenticationStrength={"id": "00000000-0000-0000-0000-000000000004"}))], True, ""),
    ("grant-strength-custom", [("grantControls", grant(
        authenticationStrength={"id": "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "displayName": "Contoso MFA"}))],
     True, ""),
    ("grant-custom-authentication-factor", [("grantControls", grant(customAuthenticationFactors=["x"]))], True, ""),
    ("grant-strength-null-id", [("grantControls", grant(authenticationStrength={"id": None}))],
     False, "its grant does not ask for MFA (it asks for nothing)"),
    ("grant-null", [("grantControls", None)], False, "it has no grant controls"),
    ("grant-compliant-device-only", [("grantControls", grant(builtInControls=["compliantDevice"]))],
     False, "its grant does not ask for MFA"),
    ("grant-or-mfa-compliant-device", [("grantControls", grant(builtInControls=["mfa", "compliantDevice"]))],
     False, "a sign-in can pass without MFA by offering a compliant device"),
    ("grant-or-mfa-domain-joined", [("grantControls", grant(builtInControls=["mfa", "domainJoinedDevice"]))],
     False, "offering a hybrid-joined device"),
    ("grant-or-mfa-approved-app", [("grantControls", grant(builtInControls=["mfa", "approvedApplication"]))],
     False, "offering an approved client app"),
    ("grant-or-mfa-compliant-app", [("grantControls", grant(builtInControls=["mfa", "compliantApplication"]))],
     False, "offering an app protection policy"),
    ("grant-or-mfa-password-change", [("grantControls", grant(builtInControls=["mfa", "passwordChange"]))],
     False, "offering a password change"),
    ("grant-or-strength-compliant-device", [("grantControls", grant(
        builtInControls=["compliantDevice"], authenticationStrength={"id": "00000000-0000-0000-0000-000000000002"}))],
     False, "offering a compliant device"),
    ("grant-and-mfa-compliant-device",
     [("grantControls", grant(operator="AND", builtInControls=["mfa", "compliantDevice"]))], True, ""),
    ("grant-lowercase-and-mfa-compliant-device",
     [("grantControls", grant(operator="and", builtInControls=["mfa", "compliantDevice"]))], True, ""),
    ("grant-or-mfa-terms-of-use", [("grantControls", grant(builtInControls=["mfa"], termsOfUse=["tou-id"]))],
     False, "offering accepting terms of use"),
    ("grant-and-mfa-terms-of-use",
     [("grantControls", grant(operator="AND", builtInControls=["mfa"], termsOfUse=["tou-id"]))], True, ""),
    ("grant-or-mfa-unknown-control", [("grantControls", grant(builtInControls=["mfa", "someNewControl"]))],
     False, "the unknown control 'someNewControl'"),
    # User scope is the caller's business: exclusions do not stop the baseline
    ("users-with-exclusions-still-counts",
     [("conditions.users", {"includeUsers": ["All"], "excludeUsers": ["breakglass-id"],
                            "excludeGroups": ["group-id"], "excludeRoles": [GLOBAL_ADMIN]})],
     True, ""),
]



def _as_param(case: tuple[str, list[tuple[str, Any]], bool, str]) -> Any:
    case_id, edits, counts, reason = case
    return pytest.param(edits, counts, reason, id=case_id)


@pytest.mark.parametrize(("edits", "counts", "reason"), [_as_param(case) for case in BASELINE_CASES])
def test_one_changed_field(edits: list[tuple[str, Any]], counts: bool, reason: str) -> None:
    p = parsed(changed(*edits))

    gaps = policy.unconditional_mfa_shortfalls(p)

    assert policy.is_unconditional_mfa_policy(p) is counts
    if counts:
        assert gaps == []
    else:
        assert reason in "; ".join(gaps)


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


@pytest.mark.parametrize(
    ("grant_controls", "expected"),
    [
        pytest.param(grant(builtInControls=["block"]), True, id="block"),
        pytest.param(grant(builtInControls=["Block"]), True, id="block-capitalised"),
        pytest.param(grant(builtInControls=["mfa"]), False, id="mfa"),
        pytest.param(None, False, id="no-grant"),
    ],
)
def test_blocks(grant_controls: dict[str, Any] | None, expected: bool) -> None:
    p = parsed(changed(("grantControls", grant_controls)))

    assert policy.blocks(p) is expected


@pytest.mark.parametrize(
    ("grant_controls", "expected"),
    [
        pytest.param(grant(operator="AND", builtInControls=["mfa", "passwordChange"]), True, id="password-change"),
        pytest.param(grant(builtInControls=["riskRemediation"]), True, id="risk-remediation"),
        pytest.param(grant(builtInControls=["block"]), True, id="block"),
        pytest.param(grant(builtInControls=["mfa"]), False, id="mfa-alone"),
        pytest.param(None, False, id="no-grant"),
    ],
)
def test_requires_password_change(grant_controls: dict[str, Any] | None, expected: bool) -> None:
    p = parsed(changed(("grantControls", grant_controls)))

    assert policy.requires_password_change(p) is expected


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        pytest.param([], {"browser", "mobileappsanddesktopclients", "exchangeactivesync", "other"}, id="empty"),
        pytest.param(["all"], {"browser", "mobileappsanddesktopclients", "exchangeactivesync", "other"}, id="all"),
        pytest.param(["exchangeActiveSync", "other"], {"exchangeactivesync", "other"}, id="legacy"),
        pytest.param(["browser"], {"browser"}, id="browser"),
    ],
)
def test_client_app_types(types: list[str], expected: set[str]) -> None:
    p = parsed(changed(("conditions.clientAppTypes", types)))

    assert policy.client_app_types(p) == expected


@pytest.mark.parametrize(
    ("grant_controls", "expected"),
    [
        pytest.param(None, "it has no grant controls", id="no-grant"),
        pytest.param(GrantControls(built_in_controls=("mfa",)), None, id="mfa"),
        pytest.param(
            GrantControls(built_in_controls=("compliantdevice",)),
            "its grant does not ask for MFA (it asks for compliantdevice)",
            id="compliant-device-only",
        ),
        pytest.param(GrantControls(), "its grant does not ask for MFA (it asks for nothing)", id="nothing"),
        pytest.param(
            GrantControls(operator="OR", built_in_controls=("mfa", "compliantdevice", "domainjoineddevice")),
            "a sign-in can pass without MFA by offering a compliant device or a hybrid-joined device",
            id="or-two-device-alternatives",
        ),
        pytest.param(
            GrantControls(operator="AND", built_in_controls=("mfa", "compliantdevice")), None, id="and-device",
        ),
        pytest.param(
            GrantControls(authentication_strength_id="00000000-0000-0000-0000-000000000004"), None, id="strength",
        ),
        pytest.param(
            GrantControls(operator="XOR", built_in_controls=("mfa",)),
            "its grant operator 'XOR' is unknown",
            id="unknown-operator",
        ),
    ],
)
def test_mfa_grant_gap(grant_controls: GrantControls | None, expected: str | None) -> None:
    assert policy.mfa_grant_gap(grant_controls) == expected


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
