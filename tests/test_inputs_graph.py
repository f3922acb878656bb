"""Reading Microsoft Graph responses (DESIGN section 2): identification, encodings, paging,
duplicates and every way a file can be unreadable without stopping the scan."""
from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from checker.inputs.discover import InputPathError, discover
from checker.inputs.load import LoadResult, load
from checker.model import UserScope
from checker.origin import Origin
from checker.report import Diagnostic, InputFile

V1 = "https://graph.microsoft.com/v1.0/$metadata#"
BETA = "https://graph.microsoft.com/beta/$metadata#"
CA = "identity/conditionalAccess/policies"
AUTH_METHODS = "policies/authenticationMethodsPolicy"
SECURITY_DEFAULTS_ID = "00000000-0000-0000-0000-000000000005"


def ca_policy(policy_id: str = "p1", name: str = "Require MFA for all users") -> dict[str, Any]:
    return {
        "id": policy_id,
        "displayName": name,
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": []},
            "applications": {"includeApplications": ["All"], "excludeApplications": []},
            "clientAppTypes": ["all"],
            "locations": None,
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    }


def collection(context: str, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"@odata.context": context, "value": list(items), **extra}


def write(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def write_bytes(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def loaded(folder: Path) -> LoadResult:
    return load([str(folder)])


def inputs_by_path(result: LoadResult) -> dict[str, InputFile]:
    return {item.path: item for item in result.inputs}


def policy_ids(result: LoadResult) -> tuple[str, ...] | None:
    policies = result.tenant.conditional_access_policies
    return None if policies is None else tuple(p.id for p in policies)


def codes(item: InputFile) -> list[str]:
    return [diagnostic.code for diagnostic in item.diagnostics]


# --- @odata.context ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [
        pytest.param(V1 + "conditionalAccess/policies", id="conditionalAccess-policies"),
        pytest.param(V1 + "identity/conditionalAccess/policies", id="identity-conditionalAccess-policies"),
        pytest.param(V1 + "policies/conditionalAccessPolicies", id="policies-conditionalAccessPolicies"),
        pytest.param(V1 + "identity/conditionalAccess/policies(id,displayName,state,conditions,grantControls)",
                     id="select"),
        pytest.param(BETA + "identity/conditionalAccess/policies", id="beta"),
        pytest.param(V1 + "IDENTITY/ConditionalAccess/Policies", id="other-case"),
    ],
)
def test_context_names_the_ca_collection(tmp_path: Path, context: str) -> None:
    write(tmp_path, "export.json", collection(context, ca_policy("p1"), ca_policy("p2")))

    result = loaded(tmp_path)

    item = inputs_by_path(result)["export.json"]
    assert (item.status, item.format, item.collection, item.objects) == ("used", "graph", CA, 2)
    assert item.diagnostics == ()
    assert policy_ids(result) == ("p1", "p2")
    assert result.tenant.conditional_access_policies is not None
    assert result.tenant.conditional_access_policies[1].origin == Origin("export.json", "/value/1")


def test_context_entity_is_one_policy(tmp_path: Path) -> None:
    document = {"@odata.context": V1 + "identity/conditionalAccess/policies/$entity", **ca_policy("p1")}
    write(tmp_path, "policy.json", document)

    result = loaded(tmp_path)

    item = inputs_by_path(result)["policy.json"]
    assert (item.status, item.collection, item.objects) == ("used", CA, 1)
    assert policy_ids(result) == ("p1",)
    assert result.tenant.conditional_access_policies is not None
    assert result.tenant.conditional_access_policies[0].origin == Origin("policy.json", "")


@pytest.mark.parametrize(
    "context",
    [
        pytest.param(V1 + "authenticationMethodsPolicy", id="authenticationMethodsPolicy"),
        pytest.param(V1 + "policies/authenticationMethodsPolicy", id="policies-authenticationMethodsPolicy"),
        pytest.param(BETA + "policies/authenticationMethodsPolicy/$entity", id="beta-entity"),
    ],
)
def test_context_names_the_authentication_methods_policy(tmp_path: Path, context: str) -> None:
    write(tmp_path, "methods.json", {
        "@odata.context": context,
        "id": "authenticationMethodsPolicy",
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "state": "enabled",
                "includeTargets": [{"id": "all_users", "targetType": "group"}],
                "excludeTargets": [],
            },
        },
        "authenticationMethodConfigurations": [
            {"id": "MicrosoftAuthenticator", "state": "enabled",
             "includeTargets": [{"id": "all_users", "targetType": "group"}]},
        ],
    })

    result = loaded(tmp_path)

    item = inputs_by_path(result)["methods.json"]
    assert (item.status, item.collection) == ("used", AUTH_METHODS)
    methods = result.tenant.authentication_methods_policy
    assert methods is not None
    assert methods.registration_campaign is not None
    assert methods.registration_campaign.state == "enabled"
    configurations = result.tenant.authentication_method_configurations
    assert configurations is not None
    assert [(c.id, c.state) for c in configurations] == [("MicrosoftAuthenticator", "enabled")]


# --- shape, without @odata.context ---------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected_collection", "attribute", "expected_ids"),
    [
        pytest.param(ca_policy("p1"), CA, "conditional_access_policies", ("p1",), id="bare-ca-policy"),
        pytest.param([ca_policy("p1"), ca_policy("p2")], CA, "conditional_access_policies", ("p1", "p2"),
                     id="array-of-ca-policies"),
        pytest.param(
            {"skuId": "sku-1", "skuPartNumber": "AAD_PREMIUM_P2", "capabilityStatus": "Enabled",
             "servicePlans": [{"servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998",
                               "servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success"}]},
            "subscribedSkus", "subscribed_skus", ("sku-1",), id="subscribed-sku",
        ),
        pytest.param(
            {"id": "u1", "userPrincipalName": "ada@contoso.com", "userDisplayName": "Ada",
             "isAdmin": False, "isMfaRegistered": True, "isSsprEnabled": True, "isSsprRegistered": False},
            "reports/authenticationMethods/userRegistrationDetails", "registration_details", ("u1",),
            id="registration-detail",
        ),
        pytest.param(
            {"id": "u1", "userPrincipalName": "ada@contoso.com", "displayName": "Ada", "accountEnabled": True},
            "users", "users", ("u1",), id="user",
        ),
        pytest.param(
            {"id": "ra1", "principalId": "u1", "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10",
             "directoryScopeId": "/"},
            "roleManagement/directory/roleAssignments", "role_assignments", ("ra1",), id="role-assignment",
        ),
    ],
)
def test_shape_without_context(
    tmp_path: Path, document: Any, expected_collection: str, attribute: str, expected_ids: tuple[str, ...]
) -> None:
    write(tmp_path, "dump.json", document)

    result = loaded(tmp_path)

    item = inputs_by_path(result)["dump.json"]
    assert (item.status, item.format, item.collection) == ("used", "graph", expected_collection)
    found = getattr(result.tenant, attribute)
    id_of = "sku_id" if attribute == "subscribed_skus" else "id"
    assert tuple(getattr(obj, id_of) for obj in found) == expected_ids


def test_shape_security_defaults(tmp_path: Path) -> None:
    write(tmp_path, "defaults.json",
          {"id": SECURITY_DEFAULTS_ID, "displayName": "Security Defaults", "isEnabled": True})

    result = loaded(tmp_path)

    item = inputs_by_path(result)["defaults.json"]
    assert (item.status, item.collection) == ("used", "policies/identitySecurityDefaultsEnforcementPolicy")
    assert result.tenant.security_defaults is not None
    assert result.tenant.security_defaults.is_enabled is True


def test_isenabled_with_another_id_is_not_security_defaults(tmp_path: Path) -> None:
    write(tmp_path, "other.json", {"id": "something-else", "isEnabled": True})

    result = loaded(tmp_path)

    assert inputs_by_path(result)["other.json"].status == "ignored"
    assert result.tenant.security_defaults is None


def test_pascalcase_keys(tmp_path: Path) -> None:
    write(tmp_path, "sdk.json", {
        "Id": "p1",
        "DisplayName": "Require MFA (SDK dump)",
        "State": "enabled",
        "Conditions": {
            "Users": {"IncludeUsers": ["All"], "ExcludeUsers": ["breakglass-id"]},
            "Applications": {"IncludeApplications": ["All"]},
            "ClientAppTypes": ["all"],
        },
        "GrantControls": {"Operator": "OR", "BuiltInControls": ["mfa"]},
    })

    result = loaded(tmp_path)

    assert inputs_by_path(result)["sdk.json"].collection == CA
    policies = result.tenant.conditional_access_policies
    assert policies is not None and len(policies) == 1
    p = policies[0]
    assert (p.id, p.display_name, p.state) == ("p1", "Require MFA (SDK dump)", "enabled")
    assert p.users.exclude_users == ("breakglass-id",)
    assert (p.users.include_users, p.include_applications, p.client_app_types) == (("All",), ("All",), ("all",))
    assert p.grant is not None and (p.grant.operator, p.grant.built_in_controls) == ("OR", ("mfa",))


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        pytest.param(b"", "utf-8", id="utf-8"),
        pytest.param(codecs.BOM_UTF8, "utf-8", id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE, "utf-16-le", id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE, "utf-16-be", id="utf-16-be-bom"),
    ],
)
def test_encodings(tmp_path: Path, bom: bytes, encoding: str) -> None:
    name = "Exiger l’authentification multifacteur – é"
    text = json.dumps(collection(V1 + CA, ca_policy("p1", name)), ensure_ascii=False, indent=2)
    write_bytes(tmp_path, "policies.json", bom + text.encode(encoding))

    result = loaded(tmp_path)

    item = inputs_by_path(result)["policies.json"]
    assert (item.status, item.collection, item.diagnostics) == ("used", CA, ())
    assert result.tenant.conditional_access_policies is not None
    assert [p.display_name for p in result.tenant.conditional_access_policies] == [name]


# --- paging, $batch, duplicates ---------------------------------------------------------------


def test_two_pages_in_two_files_merge(tmp_path: Path) -> None:
    next_link = "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=abc"
    write(tmp_path, "page-1.json", collection(V1 + CA, ca_policy("p1"), **{"@odata.nextLink": next_link}))
    write(tmp_path, "page-2.json", collection(V1 + CA, ca_policy("p2")))

    result = loaded(tmp_path)

    assert policy_ids(result) == ("p1", "p2")
    assert [codes(item) for item in result.inputs] == [[], []]


def test_single_page_with_next_link_is_incomplete(tmp_path: Path) -> None:
    next_link = "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=abc"
    write(tmp_path, "policies.json", collection(V1 + CA, ca_policy("p1"), **{"@odata.nextLink": next_link}))

    result = loaded(tmp_path)

    item = inputs_by_path(result)["policies.json"]
    assert item.status == "used"
    assert codes(item) == ["INPUT002"]
    assert item.diagnostics[0].pointer == "/@odata.nextLink"
    assert "@odata.nextLink" in item.diagnostics[0].message
    assert CA in item.diagnostics[0].message
    assert policy_ids(result) == ("p1",)


def test_batch_response_is_unwrapped(tmp_path: Path) -> None:
    write(tmp_path, "batch.json", {"responses": [
        {"id": "1", "status": 200, "headers": {"Content-Type": "application/json"},
         "body": collection(V1 + CA, ca_policy("p1"))},
        {"id": "2", "status": 200,
         "body": collection(V1 + "subscribedSkus", {
             "skuId": "sku-1", "skuPartNumber": "AAD_PREMIUM", "capabilityStatus": "Enabled", "servicePlans": []})},
        {"id": "3", "status": 403, "body": {"error": {"code": "Forbidden", "message": "no"}}},
    ]})

    result = loaded(tmp_path)

    item = inputs_by_path(result)["batch.json"]
    assert (item.status, item.format, item.collection) == ("used", "graph-batch", f"{CA}, subscribedSkus")
    assert item.diagnostics == ()
    assert policy_ids(result) == ("p1",)
    assert result.tenant.conditional_access_policies is not None
    assert result.tenant.conditional_access_policies[0].origin == Origin("batch.json", "/responses/0/body/value/0")
    assert result.tenant.subscribed_skus is not None
    assert [sku.sku_id for sku in result.tenant.subscribed_skus] == ["sku-1"]


def _pascal_case(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {key[:1].upper() + key[1:]: _pascal_case(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_pascal_case(value) for value in obj]
    return obj


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param(ca_policy("p1"), id="same-json"),
        pytest.param(_pascal_case(ca_policy("p1")), id="same-in-pascalcase"),
        pytest.param({"@odata.type": "#microsoft.graph.conditionalAccessPolicy", **ca_policy("p1")},
                     id="same-with-odata-annotation"),
    ],
)
def test_identical_copies_merge(tmp_path: Path, copy: dict[str, Any]) -> None:
    write(tmp_path, "a.json", collection(V1 + CA, ca_policy("p1")))
    write(tmp_path, "b.json", [copy])

    result = loaded(tmp_path)

    assert policy_ids(result) == ("p1",)
    assert [codes(item) for item in result.inputs] == [[], []]


def test_differing_copies_are_input002_naming_both_files(tmp_path: Path) -> None:
    changed = ca_policy("p1")
    changed["state"] = "disabled"
    write(tmp_path, "a.json", collection(V1 + CA, ca_policy("p1")))
    write(tmp_path, "b.json", collection(V1 + CA, changed))

    result = loaded(tmp_path)

    by_path = inputs_by_path(result)
    assert codes(by_path["a.json"]) == []
    assert codes(by_path["b.json"]) == ["INPUT002"]
    diagnostic = by_path["b.json"].diagnostics[0]
    assert diagnostic.pointer == "/value/0"
    assert "p1" in diagnostic.message
    assert "a.json" in diagnostic.message
    # which copy the tenant holds cannot be told: neither is used, and the collection is incomplete
    assert result.tenant.conditional_access_policies == ()
    assert [entry.collection for entry in result.tenant.incomplete] == [CA]


# --- present but empty versus absent ---------------------------------------------------------


def test_empty_collection_is_present_and_empty(tmp_path: Path) -> None:
    write(tmp_path, "policies.json", collection(V1 + CA))

    result = loaded(tmp_path)

    assert result.tenant.conditional_access_policies == ()
    assert result.tenant.conditional_access_origin == Origin("policies.json")
    assert inputs_by_path(result)["policies.json"].status == "used"


def test_export_without_ca_has_no_ca_evidence(tmp_path: Path) -> None:
    write(tmp_path, "users.json", collection(
        V1 + "users", {"id": "u1", "userPrincipalName": "ada@contoso.com", "accountEnabled": True}))

    result = loaded(tmp_path)

    assert result.tenant.conditional_access_policies is None
    assert result.tenant.conditional_access_origin is None
    assert result.tenant.users is not None and [u.id for u in result.tenant.users] == ["u1"]


# --- unreadable files --------------------------------------------------------------------------

NESTED_TOO_DEEPLY = ("not read: objects or arrays nest too deeply to read, over the limit of 64 (raise limits: "
                     "max_depth in the configuration given with --config if the export is genuine)")
UNREADABLE: list[Any] = [
    pytest.param(b"", "the file is empty", 1, 1, id="empty"),
    pytest.param(b"  \r\n\t\n", "the file is empty", 1, 1, id="whitespace-only"),
    pytest.param(b'{"a": }', "not valid JSON: Expecting value", 1, 7, id="not-json"),
    pytest.param(b'{\n  "value": [\n    {"id": "p9"', "not valid JSON: Expecting ',' delimiter", 3, 16,
                 id="truncated"),
    pytest.param(b'{\n  "id": "\x81"}', "not valid UTF-8: bad bytes at byte 11", 2, 10, id="invalid-utf-8"),
    pytest.param(b"\x00" * 64, "the file holds NUL bytes and is not UTF-16 text", 1, 1, id="nul-bytes"),
    pytest.param(codecs.BOM_UTF16_LE + '{\n"a": "'.encode("utf-16-le") + b"\x00\xd8" + '"}'.encode("utf-16-le"),
                 "not valid UTF-16-LE: bad bytes at byte 18", 2, 7, id="invalid-utf-16-lone-surrogate"),
    pytest.param(b"[" * 100000 + b"]" * 100000, NESTED_TOO_DEEPLY, 1, 1, id="arrays-nested-100000-deep"),
    pytest.param(b'{"a":' * 100000 + b"1" + b"}" * 100000, NESTED_TOO_DEEPLY, 1, 1,
                 id="objects-nested-100000-deep"),
]


@pytest.mark.parametrize(("data", "message", "line", "column"), UNREADABLE)
def test_unreadable_file_is_input001_and_the_rest_is_read(
    tmp_path: Path, data: bytes, message: str, line: int, column: int
) -> None:
    write_bytes(tmp_path, "bad.json", data)
    write(tmp_path, "good.json", collection(V1 + CA, ca_policy("p1")))

    result = loaded(tmp_path)

    by_path = inputs_by_path(result)
    bad = by_path["bad.json"]
    assert (bad.status, bad.format, bad.reason) == ("unreadable", "json", message)
    assert bad.diagnostics == (Diagnostic("INPUT001", message, line, column),)
    assert by_path["good.json"].status == "used"
    assert policy_ids(result) == ("p1",)


def test_every_unreadable_file_in_one_folder(tmp_path: Path) -> None:
    for index, case in enumerate(UNREADABLE):
        write_bytes(tmp_path, f"bad-{index}.json", case.values[0])
    write(tmp_path, "good.json", collection(V1 + CA, ca_policy("p1")))

    result = loaded(tmp_path)

    by_path = inputs_by_path(result)
    assert [codes(by_path[f"bad-{index}.json"]) for index in range(len(UNREADABLE))] == [["INPUT001"]] * len(
        UNREADABLE)
    assert policy_ids(result) == ("p1",)
    assert result.recognised_any


@pytest.mark.parametrize(
    ("edit", "pointer", "message"),
    [
        pytest.param({"conditions": "all"}, "/value/0/conditions", "expected an object, found a string",
                     id="conditions-string"),
        pytest.param({"grantControls": {"operator": "OR", "builtInControls": 3}},
                     "/value/0/grantControls/builtInControls", "expected an array of strings, found a number",
                     id="builtInControls-number"),
        pytest.param({"state": ["enabled"]}, "/value/0/state", "expected a string, found an array",
                     id="state-array"),
    ],
)
def test_wrong_type_is_input001_with_a_pointer(
    tmp_path: Path, edit: dict[str, Any], pointer: str, message: str
) -> None:
    write(tmp_path, "policies.json", collection(V1 + CA, {**ca_policy("bad"), **edit}, ca_policy("p1")))
    write(tmp_path, "zz-more.json", collection(V1 + CA, ca_policy("p2")))

    result = loaded(tmp_path)

    item = inputs_by_path(result)["policies.json"]
    (diagnostic,) = item.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.pointer) == ("INPUT001", message, pointer)
    line = (tmp_path / "policies.json").read_text(encoding="utf-8").splitlines()[diagnostic.line - 1]
    assert line[diagnostic.column - 1:].startswith('"' + pointer.rsplit("/", 1)[1] + '"')
    assert item.objects == 1
    assert policy_ids(result) == ("p1", "p2")


@pytest.mark.parametrize(
    ("conditions", "pointer"),
    [
        pytest.param({"users": {"includeUsers": 5}}, "/value/0/conditions/users/includeUsers", id="users"),
        pytest.param({"applications": {"includeApplications": {"x": 1}}},
                     "/value/0/conditions/applications/includeApplications", id="applications"),
        pytest.param({"locations": {"includeLocations": 7}}, "/value/0/conditions/locations/includeLocations",
                     id="locations"),
    ],
)
def test_wrong_type_in_nested_condition_points_at_the_field(
    tmp_path: Path, conditions: dict[str, Any], pointer: str
) -> None:
    bad = ca_policy("bad")
    bad["conditions"] = {**bad["conditions"], **conditions}
    write(tmp_path, "policies.json", collection(V1 + CA, bad))

    result = loaded(tmp_path)

    assert [d.pointer for d in inputs_by_path(result)["policies.json"].diagnostics] == [pointer]


# --- ignored files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        pytest.param("README.md", "# Contoso export, 2024-05-01\n\nTaken with Graph.\n",
                     "not a JSON document (.md)", id="readme"),
        pytest.param(
            "README.md", "[![CI](https://example.com/badge.svg)](https://example.com)\n# Contoso export\n",
            "not a JSON document (.md)", id="readme-starting-with-a-badge",
        ),
        pytest.param("notes.txt", "collected by the service desk\n", "not a JSON document (.txt)", id="notes"),
        pytest.param("notes.txt", "caf\xe9 latin-1 text", "not a JSON document (.txt)", id="notes-not-utf-8"),
    ],
)
def test_non_json_files_are_ignored(tmp_path: Path, name: str, text: str, reason: str) -> None:
    (tmp_path / name).write_bytes(text.encode("latin-1"))
    write(tmp_path, "policies.json", collection(V1 + CA, ca_policy("p1")))

    result = loaded(tmp_path)

    item = inputs_by_path(result)[name]
    assert (item.status, item.reason, item.diagnostics) == ("ignored", reason, ())
    assert policy_ids(result) == ("p1",)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        pytest.param({"foo": 1}, "not a recognised Graph object or collection", id="unknown-object"),
        pytest.param([], "an empty array", id="empty-array"),
        pytest.param([{"foo": 1}, 2], "an array of unrecognised objects", id="array-of-unknown"),
        pytest.param("text", "the JSON document is not an object or an array", id="json-string"),
        pytest.param({"@odata.context": V1 + "devices/$entity", "id": "d1"},
                     f"Graph response for an unused collection ({V1}devices/$entity)", id="unused-collection"),
    ],
)
def test_unrecognised_json_is_ignored(tmp_path: Path, document: Any, reason: str) -> None:
    write(tmp_path, "other.json", document)

    result = loaded(tmp_path)

    item = inputs_by_path(result)["other.json"]
    assert (item.status, item.reason, item.diagnostics) == ("ignored", reason, ())
    assert not result.recognised_any


# --- file names never matter ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["users.json", "subscribedSkus.json", "export", "policies.txt"])
def test_file_name_does_not_matter(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, collection(V1 + CA, ca_policy("p1")))

    result = loaded(tmp_path)

    assert inputs_by_path(result)[name].collection == CA
    assert policy_ids(result) == ("p1",)
    assert result.tenant.users is None
    assert result.tenant.subscribed_skus is None


# --- null and missing fields ----------------------------------------------------------------------


def test_null_and_missing_fields_read_as_empty(tmp_path: Path) -> None:
    write(tmp_path, "policies.json", collection(
        V1 + CA,
        {"id": "p1", "displayName": "Sparse", "state": "enabled",
         "conditions": {"users": None, "applications": {"includeApplications": None}},
         "grantControls": None},
        {"id": "p2", "conditions": {}, "grantControls": {"operator": "OR"}},
    ))

    result = loaded(tmp_path)

    assert inputs_by_path(result)["policies.json"].diagnostics == ()
    policies = result.tenant.conditional_access_policies
    assert policies is not None
    first, second = policies
    assert first.users == UserScope()
    assert first.grant is None
    assert (first.include_applications, first.client_app_types, first.include_locations) == ((), (), None)
    assert (second.display_name, second.state) == ("p2", "")
    assert second.grant is not None and second.grant.built_in_controls == ()
    assert second.users.include_users == ()


# --- paths ----------------------------------------------------------------------------------------


def test_discover_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    with pytest.raises(InputPathError, match="no such file or folder"):
        discover([str(missing)])


def test_group_names_and_upns_resolve_to_ids_or_are_reported(tmp_path: Path) -> None:
    from checker.inputs.tenant_builder import resolve_names
    from checker.model import ConditionalAccessPolicy, Group, User, UserScope
    from checker.origin import Origin

    here = Origin("p.json", "/0")
    groups = (Group("g-1", "Contractors", (), here), Group("g-2", "Twins", (), here), Group("g-3", "Twins", (), here))
    users = (User("u-1", "ann@contoso.example", "Ann", True, "Member", here),)
    policy = ConditionalAccessPolicy("p", "Named things", "enabled", here, users=UserScope(
        include_users=("All",), exclude_users=("ANN@contoso.example", "bob@contoso.example"),
        exclude_groups=("contractors", "Twins", "Nobody", "0dd0dd00-2222-4000-8000-00000000000c")))
    (resolved,), problems = resolve_names((policy,), groups, users)
    assert resolved.users.exclude_users == ("u-1", "bob@contoso.example")
    assert resolved.users.exclude_groups == ("g-1", "Twins", "Nobody", "0dd0dd00-2222-4000-8000-00000000000c")
    assert [message for _, message in problems] == [
        "'Named things' names group 'Twins', which matches no single group in the export",
        "'Named things' names group 'Nobody', which matches no single group in the export",
    ]
    assert problems[0][0] == Origin("p.json", "/0/conditions/users/excludeGroups")
