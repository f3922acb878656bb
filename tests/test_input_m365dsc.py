"""Microsoft365DSC JSON reports (DESIGN section 2, item 7): names mapped back to ids."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from checker.inputs import identify
from checker.inputs.ca_policy import parse_policy
from checker.inputs.graph import (
    parse_method_configuration,
    parse_registration_campaign,
    parse_security_defaults,
)
from checker.inputs.identify import Identification, Piece
from checker.inputs.m365dsc import identify_m365dsc
from checker.inputs.tenant_builder import _content
from checker.model import ConditionalAccessPolicy
from checker.origin import Origin

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "formats" / "m365dsc"
SAMPLE = ROOT / "samples" / "e3-gaps"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
SECURITY_READER = "5d6b6bb7-de71-4623-b4af-96380a352509"


def ca_entry(**parameters: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ResourceName": "AADConditionalAccessPolicy", "ResourceInstanceName": "AADConditionalAccessPolicy-P",
        "DisplayName": "P", "Id": "p1", "State": "enabled", "IncludeUsers": ["All"],
        "IncludeApplications": ["All"], "GrantControlOperator": "OR", "BuiltInControls": ["mfa"],
        "Ensure": "Present",
    }
    entry.update(parameters)
    return entry


def read(*entries: dict[str, Any]) -> Identification:
    found = identify_m365dsc(list(entries))
    assert found is not None
    return found


def piece(found: Identification, collection: str) -> Piece:
    matching = [p for p in found.pieces if p.collection == collection]
    assert len(matching) == 1
    return matching[0]


def users_condition(found: Identification) -> Any:
    return piece(found, identify.CA_POLICIES).items[0][1]["conditions"]["users"]


@pytest.mark.parametrize("document", [
    {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": []},
    [{"id": "u1", "userPrincipalName": "a@x"}],
    [],
    "text",
    None,
])
def test_anything_else_is_not_a_report(document: Any) -> None:
    assert identify_m365dsc(document) is None


def test_role_names_map_to_template_ids() -> None:
    found = read(ca_entry(IncludeRoles=["Global Administrator", "security reader", SECURITY_READER.upper()],
                          ExcludeRoles=["Company Administrator"]))
    users = users_condition(found)
    assert users["includeRoles"] == [GLOBAL_ADMIN, SECURITY_READER, SECURITY_READER]
    assert users["excludeRoles"] == [GLOBAL_ADMIN]
    assert found.diagnostics == ()


def test_an_unknown_role_name_is_reported_and_kept_as_named() -> None:
    found = read(ca_entry(DisplayName="Admins", IncludeRoles=["Global Administrator", "Chief Coffee Officer "]))
    assert users_condition(found)["includeRoles"] == [GLOBAL_ADMIN, "Chief Coffee Officer"]
    assert found.diagnostics == (
        ("INPUT002", "unknown role name 'Chief Coffee Officer ' in policy 'Admins': kept as a role that may be "
         "anyone's", "/0/IncludeRoles/1", 0, 0),)


@pytest.mark.parametrize("role", ["Billing Administrator", "Billing Adminstrator"])
def test_a_misspelt_role_never_judges_a_policy_better_than_the_role_spelt_right(tmp_path: Path, role: str) -> None:
    # found by the reader property: the misspelt role was dropped, the policy then reached no one,
    # and MFA060 (an app excluded from MFA) went from fail to not_applicable
    from checker.catalogue import find_rule, load_catalogue
    from checker.checks.base import CheckContext
    from checker.engine import run_rule
    from checker.inputs.load import load

    (entry,) = json.loads((ROOT / "tests" / "data" / "fuzz-regressions" / "m365dsc-unknown-role-name.json")
                          .read_text(encoding="utf-8"))
    entry["IncludeRoles"] = [role]
    (tmp_path / "M365TenantConfig.json").write_text(json.dumps([entry]), encoding="utf-8")
    loaded = load([str(tmp_path)])
    rule = find_rule(load_catalogue(), "MFA060")
    assert rule is not None
    verdict = run_rule(rule, CheckContext(loaded.tenant, inputs=loaded.inputs)).verdict.value
    assert verdict == "fail"  # a new member reaches the excluded app without MFA, whatever the role


@pytest.mark.parametrize(("name", "strength_id"), [
    ("Multifactor authentication", "00000000-0000-0000-0000-000000000002"),
    ("Passwordless MFA", "00000000-0000-0000-0000-000000000003"),
    ("Phishing-resistant MFA", "00000000-0000-0000-0000-000000000004"),
    ("Contoso FIDO2 only", "Contoso FIDO2 only"),
])
def test_authentication_strength_names(name: str, strength_id: str) -> None:
    found = read(ca_entry(BuiltInControls=[], AuthenticationStrength=name))
    policy = piece(found, identify.CA_POLICIES).items[0][1]
    assert policy["grantControls"]["authenticationStrength"] == {"id": strength_id, "displayName": name}
    assert parse_policy(policy, Origin("f")).grant is not None


def test_groups_stay_names_for_the_tenant_builder_to_resolve() -> None:
    group_id = "e996b89c-4d8d-476c-b032-fbf229ff9be6"
    found = read(ca_entry(ExcludeGroups=["Contractors", group_id]), ca_entry(Id="p2", IncludeGroups=["contractors"]))
    assert users_condition(found)["excludeGroups"] == ["Contractors", group_id]
    assert found.diagnostics == ()


def test_users_stay_upns_and_keywords() -> None:
    found = read(ca_entry(IncludeUsers=["GuestsOrExternalUsers", "ana@contoso.example"], ExcludeUsers=["None"]))
    users = users_condition(found)
    assert (users["includeUsers"], users["excludeUsers"]) == (["GuestsOrExternalUsers", "ana@contoso.example"], ["None"])


def test_policy_shape() -> None:
    found = read(ca_entry(
        Id=None, IncludeLocations=["All"], ExcludeLocations=["AllTrusted"], ClientAppTypes=["browser"],
        DeviceFilterMode="exclude", DeviceFilterRule='device.trustType -eq "ServerAD"',
        IncludeGuestOrExternalUserTypes=["internalGuest", "b2bCollaborationGuest"], TransferMethods="deviceCodeFlow",
        SignInRiskLevels=["high"], GrantControlOperator="AND", BuiltInControls=["mfa", "compliantDevice"],
    ))
    policy = piece(found, identify.CA_POLICIES).items[0][1]
    conditions = policy["conditions"]
    assert (policy["id"], policy["displayName"], policy["state"]) == ("P", "P", "enabled")
    assert conditions["locations"] == {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
    assert conditions["platforms"] is None
    assert conditions["devices"] == {"deviceFilter": {"mode": "exclude", "rule": 'device.trustType -eq "ServerAD"'}}
    assert conditions["users"]["includeGuestsOrExternalUsers"] == {
        "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
        "externalTenants": {"membershipKind": "all", "members": []}}
    assert conditions["authenticationFlows"] == {"transferMethods": "deviceCodeFlow"}
    assert policy["grantControls"] == {"operator": "AND", "builtInControls": ["mfa", "compliantDevice"],
                                       "customAuthenticationFactors": [], "termsOfUse": [],
                                       "authenticationStrength": None}


def test_a_policy_with_ensure_absent_is_not_in_the_tenant() -> None:
    found = read(ca_entry(Ensure="Absent"), ca_entry(Id="p2"))
    assert [obj["id"] for _, obj in piece(found, identify.CA_POLICIES).items] == ["p2"]


def test_a_report_of_one_resource_written_as_an_object() -> None:
    found = identify_m365dsc({"ResourceName": "AADSecurityDefaults", "IsSingleInstance": "Yes", "IsEnabled": "$true"})
    assert found is not None
    assert found.pieces == (Piece(identify.SECURITY_DEFAULTS, (("", {
        "id": "00000000-0000-0000-0000-000000000005", "isEnabled": True}),)),)


def test_method_resources_become_configurations() -> None:
    found = read(
        {"ResourceName": "AADAuthenticationMethodPolicyAuthenticator", "Id": "MicrosoftAuthenticator",
         "State": "enabled", "IncludeTargets": [{"CIMInstance": "MSFT_X", "Id": "all_users", "TargetType": "group"}]},
        {"ResourceName": "AADAuthenticationMethodPolicySoftware", "State": "enabled",
         "IncludeTargets": {"Id": "Pilot", "TargetType": "group"}},
        {"ResourceName": "AADAuthenticationMethodPolicyTemporary", "Ensure": "Absent"},
    )
    assert [obj for _, obj in piece(found, identify.AUTH_METHOD_CONFIGURATIONS).items] == [
        {"id": "MicrosoftAuthenticator", "state": "enabled", "excludeTargets": [],
         "includeTargets": [{"id": "all_users", "targetType": "group"}]},
        {"id": "SoftwareOath", "state": "enabled", "excludeTargets": [],
         "includeTargets": [{"id": "Pilot", "targetType": "group"}]},
        {"id": "TemporaryAccessPass", "state": "disabled", "includeTargets": [], "excludeTargets": []},
    ]
    assert found.diagnostics == ()


def test_a_report_without_readable_resources_is_ignored() -> None:
    found = read({"ResourceName": "EXOMailboxSettings", "Identity": "x"}, {"ResourceName": "AADGroup"})
    assert found == Identification(
        "m365dsc", ignored_reason="Microsoft365DSC report without a resource this checker reads (AADGroup, "
                                  "EXOMailboxSettings)")


# The e3-gaps tenant as a report: the same model objects as its Graph responses.

def report() -> Identification:
    found = identify_m365dsc(json.loads((FORMATS / "report.json").read_text(encoding="utf-8")))
    assert found is not None
    return found


def graph(name: str) -> Any:
    return json.loads((SAMPLE / name).read_text(encoding="utf-8"))


def display_names(name: str, attribute: str) -> dict[str, str]:
    return {obj["id"]: obj[attribute] for obj in graph(name)["value"]}


def named(policy: ConditionalAccessPolicy) -> ConditionalAccessPolicy:
    """A Graph policy as DSC names it: users by UPN, groups by display name."""
    upns, groups = display_names("users.json", "userPrincipalName"), display_names("groups.json", "displayName")
    scope = policy.users
    users = dataclasses.replace(
        scope,
        include_users=tuple(upns.get(u, u) for u in scope.include_users),
        exclude_users=tuple(upns.get(u, u) for u in scope.exclude_users),
        include_groups=tuple(groups[g] for g in scope.include_groups),
        exclude_groups=tuple(groups[g] for g in scope.exclude_groups),
    )
    locations = display_names("named-locations.json", "displayName")
    return dataclasses.replace(policy, users=users,
                               exclude_locations=tuple(locations.get(loc, loc) for loc in policy.exclude_locations))


def test_e3_gaps_policies_equal_the_graph_policies_but_for_names() -> None:
    dsc = [parse_policy(obj, Origin("r", p)) for p, obj in piece(report(), identify.CA_POLICIES).items]
    expected = [named(parse_policy(obj, Origin("g"))) for obj in graph("conditional-access-policies.json")["value"]]
    assert [_content(policy) for policy in dsc] == [_content(policy) for policy in expected]
    assert dsc[4].users.exclude_groups == ("Contractors-Exempt",)


def test_e3_gaps_security_defaults_and_methods_policy_equal_graph() -> None:
    found = report()
    [(_, defaults)] = piece(found, identify.SECURITY_DEFAULTS).items
    assert _content(parse_security_defaults(defaults, Origin("r"))) == _content(
        parse_security_defaults(graph("security-defaults.json"), Origin("g")))
    [(_, policy)] = piece(found, identify.AUTH_METHODS_POLICY).items
    methods = graph("authentication-methods-policy.json")
    assert _content(parse_registration_campaign(policy, Origin("r"))) == _content(
        parse_registration_campaign(methods, Origin("g")))


def test_e3_gaps_method_configurations_equal_graph_but_for_group_names() -> None:
    groups = display_names("groups.json", "displayName")
    expected = []
    for obj in graph("authentication-methods-policy.json")["authenticationMethodConfigurations"]:
        configuration = parse_method_configuration(obj, Origin("g"))
        targets = tuple(dataclasses.replace(t, id=groups.get(t.id, t.id)) for t in configuration.include_targets)
        expected.append(_content(dataclasses.replace(configuration, include_targets=targets)))
    items = piece(report(), identify.AUTH_METHOD_CONFIGURATIONS).items
    assert [_content(parse_method_configuration(obj, Origin("r", p))) for p, obj in items] == expected


def test_e3_gaps_report_reads_without_a_diagnostic() -> None:
    assert report().diagnostics == ()


def test_replaces_lists_sample_files() -> None:
    replaced = (FORMATS / "replaces.txt").read_text(encoding="utf-8").split()
    assert replaced == ["conditional-access-policies.json", "security-defaults.json",
                        "authentication-methods-policy.json"]
    assert all((SAMPLE / name).is_file() for name in replaced)
