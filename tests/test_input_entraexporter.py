"""EntraExporter folders: which file is which collection, and the e3-gaps tree in tests/formats."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.inputs import fields, identify
from checker.inputs.decode import decode_text
from checker.inputs.entraexporter import identify_entraexporter
from checker.inputs.graph import PARSERS, parse_method_configuration
from checker.inputs.identify import Identification, Piece
from checker.inputs.tenant_builder import _content
from checker.origin import Origin

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "tests" / "formats" / "entraexporter"
SAMPLE = ROOT / "samples" / "e3-gaps"

POLICY_ID = "39901fd3-6a72-4bd4-b7df-6fc2b588bb0b"
GROUP_ID = "e996b89c-4d8d-476c-b032-fbf229ff9be6"
USER_ID = "db60ab58-7988-488e-8953-2ec8b48402b3"
ROLE_ID = "94a1eaef-252b-540a-b3bb-1b3849ddf303"
POLICY = {"id": POLICY_ID, "displayName": "Require MFA for all users", "state": "enabled"}


def _object_path(*folders: str, object_id: str = POLICY_ID) -> tuple[str, ...]:
    return (*folders, object_id, f"{object_id}.json")


def _found(collection: str, *items: tuple[str, Any]) -> Identification:
    return Identification("entraexporter", (Piece(collection, tuple(items)),))


# --- paths -------------------------------------------------------------------------------

@pytest.mark.parametrize(("folders", "collection"), [
    (("Identity", "Conditional", "AccessPolicies"), identify.CA_POLICIES),
    (("Identity", "Conditional", "NamedLocations"), identify.NAMED_LOCATIONS),
    (("Policies", "IdentitySecurityDefaultsEnforcementPolicy"), identify.SECURITY_DEFAULTS),
    (("Policies", "AuthorizationPolicy"), identify.AUTHORIZATION_POLICY),
    (("SubscribedSkus",), identify.SUBSCRIBED_SKUS),
    (("Users",), identify.USERS),
    (("Groups",), identify.GROUPS),
    (("DirectoryRoles",), identify.DIRECTORY_ROLES),
    (("RoleManagement", "Directory", "RoleAssignments"), identify.ROLE_ASSIGNMENTS),
    (("RoleManagement", "Directory", "RoleDefinitions"), identify.ROLE_DEFINITIONS),
])
def test_an_object_file_belongs_to_its_folders_collection(folders: tuple[str, ...], collection: str) -> None:
    assert identify_entraexporter(_object_path(*folders), POLICY) == _found(collection, ("", POLICY))


def test_folder_names_match_in_any_case() -> None:
    parts = ("identity", "CONDITIONAL", "accessPolicies", POLICY_ID, POLICY_ID.upper() + ".JSON")
    assert identify_entraexporter(parts, POLICY) == _found(identify.CA_POLICIES, ("", POLICY))


def test_the_export_root_may_lie_at_any_depth() -> None:
    parts = _object_path("backups", "2025-03-12", "contoso", "Identity", "Conditional", "AccessPolicies")
    assert identify_entraexporter(parts, POLICY) == _found(identify.CA_POLICIES, ("", POLICY))


def test_a_folder_above_the_export_named_like_a_collection_does_not_capture_it() -> None:
    parts = _object_path("users", "exports", "Identity", "Conditional", "AccessPolicies")
    assert identify_entraexporter(parts, POLICY) == _found(identify.CA_POLICIES, ("", POLICY))


def test_odata_context_does_not_change_the_collection() -> None:
    with_context = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#users/$entity", **POLICY}
    parts = _object_path("Identity", "Conditional", "AccessPolicies")
    assert identify_entraexporter(parts, with_context) == _found(identify.CA_POLICIES, ("", with_context))


def test_a_value_array_or_a_list_gives_one_item_per_object() -> None:
    parts = _object_path("Users")
    first, second = {"id": "a"}, {"id": "b"}
    why = "1 of the 3 elements of an EntraExporter Users file are not objects"
    assert identify_entraexporter(parts, {"value": [first, "x", second]}) == Identification(
        "entraexporter", (Piece(identify.USERS, (("/value/0", first), ("/value/2", second)), whole=False),),
        diagnostics=(("INPUT001", why, "", 0, 0),), lost=((identify.USERS, 1, why, ""),))
    assert identify_entraexporter(parts, [first, second]) == _found(identify.USERS, ("/0", first), ("/1", second))


def test_a_method_configuration_sits_at_a_fixed_path() -> None:
    parts = ("Policies", "AuthenticationMethodsPolicy", "AuthenticationMethodConfigurations",
             "MicrosoftAuthenticator.json")
    document = {"id": "MicrosoftAuthenticator", "state": "enabled"}
    assert identify_entraexporter(parts, document) == _found(identify.AUTH_METHOD_CONFIGURATIONS, ("", document))


MEMBER = {"@odata.type": "#microsoft.graph.user", "id": USER_ID, "displayName": "Sofia Marin"}


@pytest.mark.parametrize("parts", [
    ("Groups", GROUP_ID, "Members", USER_ID, f"{USER_ID}.json"),  # v2 and v3
    ("Groups", GROUP_ID, "Members", f"{USER_ID}.json"),  # flat children
    ("export", "groups", GROUP_ID, "MEMBERS", USER_ID, f"{USER_ID}.json"),
], ids=["nested", "flat", "any-case-and-depth"])
def test_a_group_member_file_names_its_group(parts: tuple[str, ...]) -> None:
    assert identify_entraexporter(parts, MEMBER) == _found(
        identify.GROUP_MEMBERS, ("", {"groupId": GROUP_ID, "id": USER_ID, "@odata.type": "#microsoft.graph.user"}))


def test_a_role_member_file_names_its_role() -> None:
    parts = ("DirectoryRoles", ROLE_ID, "Members", USER_ID, f"{USER_ID}.json")
    assert identify_entraexporter(parts, MEMBER) == _found(
        identify.ROLE_MEMBERS, ("", {"roleId": ROLE_ID, "id": USER_ID, "@odata.type": "#microsoft.graph.user"}))


def test_a_member_dumped_from_an_sdk_object_keeps_its_id_and_type() -> None:
    parts = ("Groups", GROUP_ID, "Members", USER_ID, f"{USER_ID}.json")
    dumped = {"Id": USER_ID, "AdditionalProperties": {"@odata.type": "#microsoft.graph.group"}}
    assert identify_entraexporter(parts, dumped) == _found(
        identify.GROUP_MEMBERS, ("", {"groupId": GROUP_ID, "id": USER_ID, "@odata.type": "#microsoft.graph.group"}))


def test_a_member_without_type_or_id_takes_the_id_from_its_path() -> None:
    parts = ("Groups", GROUP_ID, "Members", USER_ID, f"{USER_ID}.json")
    assert identify_entraexporter(parts, {"displayName": "Sofia Marin"}) == _found(
        identify.GROUP_MEMBERS, ("", {"groupId": GROUP_ID, "id": USER_ID}))


@pytest.mark.parametrize(("parts", "folder"), [
    (("Groups", GROUP_ID, "Owners", USER_ID, f"{USER_ID}.json"), "Groups/Owners"),
    (("DirectoryRoles", ROLE_ID, "ScopedMembers", "s1", "s1.json"), "DirectoryRoles/ScopedMembers"),
    (("Applications", "app1", "app1.json"), "Applications"),
    (("x", "Identity", "Conditional", "AuthenticationContexts", "c1", "c1.json"),
     "Identity/Conditional/AuthenticationContexts"),
    (("RoleManagement", "Exchange", "RoleAssignments", "r1", "r1.json"), "RoleManagement/Exchange/RoleAssignments"),
    (("PIM", "DirectoryRoles", "e1.json"), "PIM/DirectoryRoles"),
    (("IAM", "RoleAssignments", "Root", "p&r.json"), "IAM/RoleAssignments"),
])
def test_a_folder_no_rule_reads_is_ignored_with_its_name(parts: tuple[str, ...], folder: str) -> None:
    assert identify_entraexporter(parts, {"id": "x"}) == Identification(
        "entraexporter", ignored_reason=f"EntraExporter {folder} is not read by any rule")


@pytest.mark.parametrize("parts", [
    (),
    ("users.json",),
    ("samples", "e3-gaps", "users.json"),
    ("users", "users.json"),
    ("Users", "page-1.json"),
    ("tests", "cases", "MFA052", "fail-excluded-group-not-covered", "groups.json"),
    ("Organization", "Organization.json"),
    ("Users", POLICY_ID, f"{POLICY_ID}.csv"),
    ("Users", POLICY_ID, "other.json"),
    ("Users", "2025", "03", "page-1.json"),
])
def test_a_path_outside_an_export_is_not_claimed(parts: tuple[str, ...]) -> None:
    assert identify_entraexporter(parts, POLICY) is None


@pytest.mark.parametrize("document", [[], {"value": []}])
def test_a_file_without_an_object_is_ignored_not_raised(document: Any) -> None:
    parts = _object_path("Users")
    assert identify_entraexporter(parts, document) == Identification(
        "entraexporter", ignored_reason="EntraExporter Users file holds no object")
    member = ("Groups", GROUP_ID, "Members", USER_ID, f"{USER_ID}.json")
    assert identify_entraexporter(member, document) == Identification(
        "entraexporter", ignored_reason="EntraExporter Groups/Members file holds no object")


@pytest.mark.parametrize(("document", "lost"), [(None, 1), ("text", 1), (3, 1), ([1, 2], 2)])
def test_a_file_that_holds_no_object_where_one_belongs_is_input001(document: Any, lost: int) -> None:
    found = identify_entraexporter(_object_path("Users"), document)
    assert found is not None and found.pieces == ()
    assert [code for code, *_ in found.diagnostics] == ["INPUT001"]
    assert [(collection, count) for collection, count, *_ in found.lost] == [(identify.USERS, lost)]


# --- the e3-gaps tenant as an EntraExporter tree -----------------------------------------

def _read(path: Path) -> Any:
    return json.loads(decode_text(path.read_bytes()).text)


def _tree_files() -> list[Path]:
    return sorted(p for p in TREE.rglob("*") if p.suffix.lower() == ".json")


def _pieces(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(collection, pointer, object) of every item the adapter finds in a tree file."""
    found = identify_entraexporter(path.relative_to(TREE).parts, _read(path))
    assert found is not None and found.pieces, path
    for piece in found.pieces:
        for pointer, obj in piece.items:
            yield piece.collection, pointer, obj


def _sample_objects() -> dict[tuple[str, str], Any]:
    """The model object of every Graph object in samples/e3-gaps, by (collection, lower-case id)."""
    objects: dict[tuple[str, str], Any] = {}
    for path in sorted(SAMPLE.glob("*.json")):
        for piece in identify.identify(_read(path)).pieces:
            for pointer, obj in piece.items:
                origin = Origin(path.name, pointer)
                if piece.collection == identify.AUTH_METHODS_POLICY:
                    for item in fields.objects(obj, "authenticationMethodConfigurations"):
                        value = parse_method_configuration(item, origin)
                        objects[(identify.AUTH_METHOD_CONFIGURATIONS, _key(item))] = value
                    continue
                value = PARSERS[piece.collection](obj, origin)
                objects[(piece.collection, _key(obj))] = value
    return objects


def _key(obj: Any) -> str:
    return fields.text(obj, "id").lower()


def _tree_objects() -> dict[str, list[tuple[str, Any]]]:
    """(lower-case id, model object) of every item in the tree, by collection."""
    objects: dict[str, list[tuple[str, Any]]] = {}
    for path in _tree_files():
        for collection, pointer, obj in _pieces(path):
            value = PARSERS[collection](obj, Origin(str(path), pointer))
            objects.setdefault(collection, []).append((_key(obj), value))
    return objects


def test_every_tree_file_is_identified_with_pieces() -> None:
    files = _tree_files()
    assert len(files) == 84
    assert all(list(_pieces(path)) for path in files)


def test_the_replaced_sample_files_exist_and_their_collections_are_in_the_tree() -> None:
    replaced = (TREE / "replaces.txt").read_text(encoding="utf-8").split()
    assert replaced == ["conditional-access-policies.json", "groups.json", "named-locations.json",
                        "role-assignments.json", "role-definitions.json", "security-defaults.json",
                        "subscribed-skus.json", "users.json"]
    sample = {p.collection for name in replaced for p in identify.identify(_read(SAMPLE / name)).pieces}
    assert sample <= set(_tree_objects())


def test_the_tree_holds_exactly_the_replaced_objects() -> None:
    sample = _sample_objects()
    tree = _tree_objects()
    replaced = {identify.CA_POLICIES, identify.GROUPS, identify.NAMED_LOCATIONS, identify.ROLE_ASSIGNMENTS,
                identify.ROLE_DEFINITIONS, identify.SUBSCRIBED_SKUS, identify.USERS}
    for collection in replaced:
        expected = sorted(key[1] for key in sample if key[0] == collection)
        assert sorted(key for key, _ in tree[collection]) == expected, collection


@pytest.mark.parametrize("collection", [
    identify.CA_POLICIES, identify.NAMED_LOCATIONS, identify.SECURITY_DEFAULTS, identify.SUBSCRIBED_SKUS,
    identify.USERS, identify.ROLE_ASSIGNMENTS, identify.ROLE_DEFINITIONS, identify.AUTH_METHOD_CONFIGURATIONS,
])
def test_tree_objects_equal_the_graph_ones(collection: str) -> None:
    sample = _sample_objects()
    tree = _tree_objects()[collection]
    assert tree
    for key, value in tree:
        assert _content(value) == _content(sample[(collection, key)]), key


def test_security_defaults_are_off_as_in_the_sample() -> None:
    graph = PARSERS[identify.SECURITY_DEFAULTS](_read(SAMPLE / "security-defaults.json"), Origin("s"))
    ((_, tree),) = _tree_objects()[identify.SECURITY_DEFAULTS]
    assert _content(tree) == _content(graph) == (False, None)


def test_groups_equal_the_graph_ones_but_for_their_members() -> None:
    sample = _sample_objects()
    tree = _tree_objects()[identify.GROUPS]
    assert len(tree) == 5
    for key, group in tree:
        graph = sample[(identify.GROUPS, key)]
        assert group.member_ids is None
        assert _content(group) == _content(dataclasses.replace(graph, member_ids=None, nested_group_ids=()))


def test_group_member_files_give_the_graph_members() -> None:
    sample = _sample_objects()
    links = {(link.parent_id, link.member_id, link.member_is_group, link.transitive)
             for _, link in _tree_objects()[identify.GROUP_MEMBERS]}
    expected = {(group.id.lower(), member, member in group.nested_group_ids, False)
                for (collection, _), group in sample.items() if collection == identify.GROUPS
                for member in group.member_ids}
    assert links == expected
    assert len(links) == 15


def test_directory_roles_and_their_members_match_the_role_assignments() -> None:
    sample = _sample_objects()
    tree = _tree_objects()
    roles = dict(tree[identify.DIRECTORY_ROLES])
    held = {(role.role_template_id, role.display_name, link.member_id)
            for _, link in tree[identify.ROLE_MEMBERS] for role in [roles[link.parent_id]]}
    expected = {(a.role_definition_id, sample[(identify.ROLE_DEFINITIONS, a.role_definition_id)].display_name,
                 a.principal_id)
                for (collection, _), a in sample.items() if collection == identify.ROLE_ASSIGNMENTS}
    assert held == expected
    assert all(role.member_ids is None for role in roles.values())


def test_a_few_tree_files_carry_a_utf8_byte_order_mark() -> None:
    marked = [p for p in _tree_files() if p.read_bytes().startswith(b"\xef\xbb\xbf")]
    assert len(marked) == 4
