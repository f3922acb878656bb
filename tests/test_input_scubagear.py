"""ScubaGear's ProviderSettingsExport.json: the e3-gaps rendition in tests/formats, the corpus samples."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from checker.inputs import identify
from checker.inputs.graph import (
    PARSERS,
    parse_method_configuration,
    parse_registration_campaign,
)
from checker.inputs.identify import Identification
from checker.inputs.scubagear import NO_AAD_REASON, REPORT_REASON, identify_scubagear
from checker.inputs.tenant_builder import _content
from checker.model import Plan, Tenant
from checker.origin import Origin
from checker.semantics.licence import plan_of

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "tests" / "formats" / "scubagear" / "ProviderSettingsExport.json"
SAMPLE = ROOT / "samples" / "e3-gaps"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cisagov-ScubaGear"
SCUBA = CORPUS / "PowerShell" / "ScubaGear"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared ScubaGear corpus is not present")

HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
P2_PLAN = {"ServicePlanName": "AAD_PREMIUM_P2", "ProvisioningStatus": "Success",
           "ServicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998"}


def _load(path: Path) -> Any:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return json.loads(data.decode("utf-16"))
    return json.loads(data.decode("utf-8-sig"))


def _scuba(document: Any) -> Identification:
    found = identify_scubagear(document)
    assert found is not None
    return found


def _items(found: Identification, collection: str) -> list[tuple[str, Any]]:
    return [item for piece in found.pieces if piece.collection == collection for item in piece.items]


def _parsed(found: Identification, collection: str) -> list[Any]:
    return [PARSERS[collection](obj, Origin("f", pointer)) for pointer, obj in _items(found, collection)]


def _graph(name: str, collection: str) -> list[Any]:
    return _parsed(identify.identify(_load(SAMPLE / name)), collection)


@pytest.fixture(scope="module")
def rendition() -> Identification:
    return _scuba(_load(EXPORT))


# --- the e3-gaps tenant, written as ScubaGear ------------------------------------------------

def test_rendition_pieces(rendition: Identification) -> None:
    assert rendition.format == "scubagear"
    assert rendition.diagnostics == ()
    assert [(p.collection, len(p.items)) for p in rendition.pieces] == [
        (identify.CA_POLICIES, 7), (identify.SUBSCRIBED_SKUS, 1), (identify.ROLE_DEFINITIONS, 8),
        (identify.ROLE_ASSIGNMENTS, 6), (identify.AUTH_METHODS_POLICY, 1),
        (identify.AUTH_METHOD_CONFIGURATIONS, 5), (identify.AUTHORIZATION_POLICY, 1),
    ]
    pointers = [pointer for pointer, _ in _items(rendition, identify.ROLE_ASSIGNMENTS)]
    assert pointers[0] == "/privileged_users/f753f1f1-c953-476e-8a6b-9c8cd2eacdea/roles/0"


def test_rendition_policies_equal_the_graph_ones(rendition: Identification) -> None:
    scuba = _parsed(rendition, identify.CA_POLICIES)
    graph = _graph("conditional-access-policies.json", identify.CA_POLICIES)
    assert [_content(p) for p in scuba] == [_content(p) for p in graph]


def test_rendition_plan_equals_the_graph_one(rendition: Identification) -> None:
    scuba = Tenant(subscribed_skus=tuple(_parsed(rendition, identify.SUBSCRIBED_SKUS)))
    graph = Tenant(subscribed_skus=tuple(_graph("subscribed-skus.json", identify.SUBSCRIBED_SKUS)))
    assert plan_of(scuba) == plan_of(graph) == Plan.P1


def test_rendition_role_holders_equal_the_graph_ones(rendition: Identification) -> None:
    graph = _graph("role-assignments.json", identify.ROLE_ASSIGNMENTS)
    # ScubaGear tracks 8 privileged roles; Helpdesk Administrator is not one of them
    tracked = [a for a in graph if a.role_definition_id != HELPDESK]
    assert len(tracked) == len(graph) - 1
    scuba = _parsed(rendition, identify.ROLE_ASSIGNMENTS)
    assert [_content(a) for a in scuba] == [_content(a) for a in tracked]


def test_rendition_role_definitions_equal_the_graph_ones(rendition: Identification) -> None:
    graph = {d.id: _content(d) for d in _graph("role-definitions.json", identify.ROLE_DEFINITIONS)}
    scuba = {d.id: _content(d) for d in _parsed(rendition, identify.ROLE_DEFINITIONS)}
    hybrid_identity = "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"
    assert set(scuba) - set(graph) == {hybrid_identity}
    assert {k: v for k, v in scuba.items() if k != hybrid_identity} == {k: graph[k] for k in scuba if k in graph}


def test_rendition_methods_policy_equals_the_graph_one(rendition: Identification) -> None:
    graph = _load(SAMPLE / "authentication-methods-policy.json")
    [(pointer, policy)] = _items(rendition, identify.AUTH_METHODS_POLICY)
    assert pointer == "/authentication_method/0/authentication_method_policy"
    origin = Origin("f")
    assert _content(parse_registration_campaign(policy, origin)) == _content(
        parse_registration_campaign(graph, origin))
    configurations = _items(rendition, identify.AUTH_METHOD_CONFIGURATIONS)
    assert [_content(parse_method_configuration(obj, origin)) for _, obj in configurations] == [
        _content(parse_method_configuration(obj, origin)) for obj in graph["authenticationMethodConfigurations"]]


def test_replaces_lists_existing_sample_files() -> None:
    names = (EXPORT.parent / "replaces.txt").read_text(encoding="utf-8").split()
    assert names == ["conditional-access-policies.json", "subscribed-skus.json", "role-assignments.json",
                     "role-definitions.json", "authentication-methods-policy.json"]
    assert all((SAMPLE / name).is_file() for name in names)


# --- the corpus samples ----------------------------------------------------------------------

@needs_corpus
def test_corpus_sample() -> None:
    found = _scuba(_load(SCUBA / "Sample-Reports" / "ProviderSettingsExport.json"))
    policies = _parsed(found, identify.CA_POLICIES)
    assert len(policies) == 7
    strengths = {p.display_name[:12]: p.grant.authentication_strength_id for p in policies if p.grant}
    assert strengths == {"MS.AAD.1.1v1": None, "MS.AAD.2.1v1": None, "MS.AAD.2.3v1": None,
                         "MS.AAD.3.2v1": "00000000-0000-0000-0000-000000000002", "MS.AAD.3.9v1": None}
    assert plan_of(Tenant(subscribed_skus=tuple(_parsed(found, identify.SUBSCRIBED_SKUS)))) == Plan.P2
    # a P2 tenant: the active schedule instances of privileged_roles, not privileged_users
    assignments = _parsed(found, identify.ROLE_ASSIGNMENTS)
    assert len(assignments) == 26
    assert "66b4d5c2-71c9-4644-8728-74e3a8324d81" not in {a.principal_id for a in assignments}
    assert len(_parsed(found, identify.ROLE_DEFINITIONS)) == 8
    configurations = _parsed(found, identify.AUTH_METHOD_CONFIGURATIONS)
    authenticator = next(c for c in configurations if c.id == "MicrosoftAuthenticator")
    assert (authenticator.state, [t.id for t in authenticator.include_targets]) == ("enabled", ["all_users"])
    assert _items(found, identify.USERS) == []


@needs_corpus
def test_all_null_authentication_strength_is_no_strength() -> None:
    document = _load(SCUBA / "Sample-Reports" / "ProviderSettingsExport.json")
    snippet = SCUBA / "Testing" / "Unit" / "PowerShell" / "Providers" / "AADProvider" / "CapSnippets"
    policy = copy.deepcopy(document["conditional_access_policies"][4])
    policy["GrantControls"] = _load(snippet / "AccessControls.json")["GrantControls"]
    policy["GrantControls"]["BuiltInControls"] = ["mfa"]
    original = copy.deepcopy(policy)
    found = _scuba({"conditional_access_policies": [policy]})
    [(pointer, item)] = _items(found, identify.CA_POLICIES)
    assert (pointer, item["GrantControls"]["AuthenticationStrength"]) == ("/conditional_access_policies/0", None)
    [parsed] = _parsed(found, identify.CA_POLICIES)
    assert parsed.grant.authentication_strength_id is None
    assert parsed.grant.built_in_controls == ("mfa",)
    assert policy == original


@needs_corpus
def test_runrego_stub_single_policy_object() -> None:
    found = _scuba(_load(SCUBA / "Testing" / "Unit" / "PowerShell" / "RunRego" / "RunRegoStubs"
                         / "ProviderSettingsExport.json"))
    [(pointer, item)] = _items(found, identify.CA_POLICIES)
    assert pointer == "/conditional_access_policies"
    assert item["GrantControls"]["AuthenticationStrength"] is None
    [policy] = _parsed(found, identify.CA_POLICIES)
    assert (policy.id, policy.state) == ("07800eb6-83d2-42e2-9455-e53389b7cca8", "enabledForReportingButNotEnforced")
    assert policy.grant.authentication_strength_id is None


@needs_corpus
def test_product_report_is_ignored() -> None:
    document = _load(SCUBA / "Sample-Reports" / "IndividualReports" / "AADReport.json")
    assert identify_scubagear(document) == Identification("scubagear-report", ignored_reason=REPORT_REASON)


def test_consolidated_results_are_read_under_raw() -> None:
    policy = {"Id": "p1", "DisplayName": "MFA", "State": "enabled", "Conditions": {}, "GrantControls": {}}
    document = {"MetaData": {"Tool": "ScubaGear", "TenantId": "T2"}, "Summary": {}, "Results": {},
                "Raw": {"tenant_id": "T1", "conditional_access_policies": [policy]}}
    found = identify_scubagear(document)
    assert found is not None and found.format == "scubagear-results" and found.tenant_id == "t1"
    (piece,) = found.pieces
    assert piece.items[0][0] == "/Raw/conditional_access_policies/0"


def test_results_without_a_provider_export_are_ignored() -> None:
    document = {"MetaData": {"Tool": "ScubaGear"}, "Summary": {}, "Results": {}}
    assert identify_scubagear(document) == Identification("scubagear-report", ignored_reason=REPORT_REASON)


# --- documents that are not, or only partly, what the adapter reads -------------------------

@pytest.mark.parametrize("document", [
    {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": []},
    [{"id": "1"}], "text", None, {"value": [{"conditions": {}, "grantControls": None}]},
])
def test_other_documents_are_not_scubagear(document: Any) -> None:
    assert identify_scubagear(document) is None


def test_export_of_other_products() -> None:
    document = {"baseline_version": "1", "module_version": "1.8.0", "exo_successful_commands": []}
    assert identify_scubagear(document) == Identification("scubagear", ignored_reason=NO_AAD_REASON)


def test_failed_commands_leave_their_keys_out() -> None:
    found = _scuba({
        "conditional_access_policies": [],
        "service_plans": [{"ServicePlanName": "AAD_PREMIUM", "ProvisioningStatus": "Success"}],
        "privileged_users": [], "privileged_roles": [],
        "aad_unsuccessful_commands": ["Get-MgBetaIdentityConditionalAccessPolicy", "Get-PrivilegedUser",
                                      "Get-PrivilegedRole"],
    })
    assert [p.collection for p in found.pieces] == [identify.SUBSCRIBED_SKUS]


def test_p2_tenant_counts_active_tenant_wide_assignments_only() -> None:
    assignments = [
        {"Id": "a", "PrincipalId": "u1", "RoleDefinitionId": GLOBAL_ADMIN, "DirectoryScopeId": "/",
         "AssignmentType": "Activated", "MemberType": "Direct"},
        {"Id": "b", "PrincipalId": "u2", "RoleDefinitionId": GLOBAL_ADMIN, "DirectoryScopeId": "/administrativeUnits/x",
         "AssignmentType": "Assigned", "MemberType": "Direct"},
        {"Id": "c", "PrincipalId": "g1", "RoleDefinitionId": GLOBAL_ADMIN, "DirectoryScopeId": "/",
         "AssignmentType": "Assigned", "MemberType": "Direct"},
    ]
    found = _scuba({
        "service_plans": [P2_PLAN],
        "privileged_roles": [{"DisplayName": "Global Administrator", "RoleTemplateId": GLOBAL_ADMIN,
                              "Assignments": assignments}],
        # u3 is PIM-eligible: ScubaGear lists it with the active holders
        "privileged_users": {"u1": {"roles": ["Global Administrator"]}, "u3": {"roles": ["Global Administrator"]}},
    })
    assert [(p, a.principal_id) for (p, _), a in zip(_items(found, identify.ROLE_ASSIGNMENTS),
                                                     _parsed(found, identify.ROLE_ASSIGNMENTS), strict=False)] == [
        ("/privileged_roles/0/Assignments/0", "u1"), ("/privileged_roles/0/Assignments/2", "g1")]


def test_p2_tenant_without_assignments_leaves_holders_unknown() -> None:
    found = _scuba({"service_plans": [P2_PLAN], "privileged_users": {"u1": {"roles": ["Global Administrator"]}}})
    assert _items(found, identify.ROLE_ASSIGNMENTS) == []
    assert identify.ROLE_ASSIGNMENTS not in [p.collection for p in found.pieces]


def test_privileged_users_without_privileged_roles() -> None:
    found = _scuba({"privileged_users": {
        "b61c5140-1984-4dfd-adc7-51f68910af2f": {"DisplayName": "FNU LNU", "roles": "Global Administrator",
                                                 "userPrincipalName": "fnu@example.test"},
        "u2": {"roles": ["Global Administrator", "Teams Administrator", "Global Administrator"]},
    }})
    assert [(a.id, a.principal_id) for a in _parsed(found, identify.ROLE_ASSIGNMENTS)] == [
        ("lAPpYvVpN0KRkAEhdxReEEBRHLaEGf1NrcdR9okQry8-1", "b61c5140-1984-4dfd-adc7-51f68910af2f"),
        (f"{GLOBAL_ADMIN}_u2", "u2"),
    ]
    assert found.diagnostics == (("INPUT002", "role 'Teams Administrator' of privileged user u2 maps to no role "
                                  "template id; that assignment is left out", "/privileged_users/u2/roles/1", 0, 0),)
    [user] = _parsed(found, identify.USERS)
    assert (user.id, user.user_principal_name, user.display_name, user.account_enabled) == (
        "b61c5140-1984-4dfd-adc7-51f68910af2f", "fnu@example.test", "FNU LNU", None)


def test_malformed_parts_do_not_raise() -> None:
    found = _scuba({
        "conditional_access_policies": ["not a policy", {"DisplayName": "p", "GrantControls": "x"}],
        "service_plans": "x", "privileged_roles": 3, "privileged_users": {"u": "x", "v": {"roles": 5}},
        "authentication_method": [{"authentication_method_policy": "x"}], "authorization_policies": None,
        "aad_unsuccessful_commands": "Get-Nothing",
    })
    assert [(p.collection, len(p.items)) for p in found.pieces] == [
        (identify.CA_POLICIES, 1), (identify.SUBSCRIBED_SKUS, 1), (identify.ROLE_ASSIGNMENTS, 0),
        (identify.AUTHORIZATION_POLICY, 0),
    ]


def test_older_export_holds_the_methods_policy_itself() -> None:
    policy = {"Id": "authenticationMethodsPolicy", "AuthenticationMethodConfigurations": [{"Id": "Sms"}]}
    found = _scuba({"authentication_method": policy})
    assert _items(found, identify.AUTH_METHODS_POLICY) == [("/authentication_method", policy)]
    assert _items(found, identify.AUTH_METHOD_CONFIGURATIONS) == []
