"""CSV exports (DESIGN section 2, item 6): Export-Csv files and admin center downloads."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.inputs import identify
from checker.inputs.csv_export import HEADER_ALIASES, read_csv
from checker.inputs.decode import decode_text
from checker.inputs.graph import PARSERS
from checker.inputs.identify import Identification, Piece
from checker.inputs.tenant_builder import _content
from checker.origin import Origin

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "formats" / "csv"
SAMPLE = ROOT / "samples" / "e3-gaps"


def only_piece(found: Identification) -> Piece:
    assert len(found.pieces) == 1
    return found.pieces[0]


@pytest.mark.parametrize(("canonical", "alias"), [
    (canonical, alias) for canonical, aliases in HEADER_ALIASES.items() for alias in aliases
])
def test_every_alias_names_its_graph_property(canonical: str, alias: str) -> None:
    written, read = {"perUserMfaState": ("Enforced", "enforced")}.get(
        canonical, ("True", True) if canonical.startswith(("is", "account")) else ("v", "v"))
    headers = {"id": "Object ID", "userPrincipalName": "User principal name", canonical: alias.upper()}
    values = {"id": "u1", "userPrincipalName": "a@x", canonical: written}
    found = read_csv(",".join(headers.values()) + "\n" + ",".join(values[key] for key in headers) + "\n")
    assert only_piece(found).items[0][1][canonical] == read


def test_headers_match_whatever_their_case_spacing_and_hyphens() -> None:
    found = read_csv("user_principal_NAME, objectid ,Multi factor Authentication-Registered\na@x,u1,True\n")
    assert only_piece(found).items == (("/rows/0", {"userPrincipalName": "a@x", "id": "u1",
                                                    "isMfaRegistered": True}),)


def test_admin_center_registration_download() -> None:
    text = ("User principal name,Name,Object ID,Admin,Multifactor authentication registered,MFA Capable,"
            "Passwordless capable,SSPR Registered,SSPR Enabled,SSPR Capable,Methods registered\n"
            "ana@contoso.example,Ana,u1,No,Registered,Capable,Not Capable,Not Registered,Not Enabled,Not Capable,"
            '"Email, Mobile phone"\n')
    piece = only_piece(read_csv(text))
    assert piece.collection == identify.REGISTRATION_DETAILS
    assert piece.items == (("/rows/0", {
        "userPrincipalName": "ana@contoso.example", "displayName": "Ana", "id": "u1", "isAdmin": False,
        "isMfaRegistered": True, "isMfaCapable": True, "isPasswordlessCapable": False,
        "isSsprRegistered": False, "isSsprEnabled": False, "isSsprCapable": False,
    }),)
    assert piece.positions == ((2, 1),)


def test_type_line_is_skipped_and_counted_in_line_numbers() -> None:
    text = ('#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUserRegistrationDetails\r\n'
            '"Id","UserPrincipalName","IsMfaRegistered","IsSsprEnabled","MethodsRegistered"\r\n'
            '"u1","a@contoso.example","True","False","System.String[]"\r\n'
            '"u2","b@contoso.example","False","",""\r\n')
    piece = only_piece(read_csv(text))
    assert piece.collection == identify.REGISTRATION_DETAILS
    assert piece.items == (
        ("/rows/0", {"id": "u1", "userPrincipalName": "a@contoso.example", "isMfaRegistered": True,
                     "isSsprEnabled": False}),
        ("/rows/1", {"id": "u2", "userPrincipalName": "b@contoso.example", "isMfaRegistered": False,
                     "isSsprEnabled": None}),
    )
    assert piece.positions == ((3, 1), (4, 1))


def test_users_export_with_empty_values_as_null() -> None:
    text = '"Id","DisplayName","UserPrincipalName","AccountEnabled","UserType"\n"u1","","a@x","False",""\n'
    piece = only_piece(read_csv(text))
    assert piece.collection == identify.USERS
    assert piece.items == (("/rows/0", {"id": "u1", "displayName": None, "userPrincipalName": "a@x",
                                        "accountEnabled": False, "userType": None}),)


def test_quoted_fields_spanning_lines_keep_the_line_numbers_right() -> None:
    text = ('#TYPE Selected.Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\n'
            '"Id","DisplayName","UserPrincipalName","AccountEnabled"\n'
            '"u1","Ana ""the admin""\nsecond line\nthird line","a@x","True"\n'
            '\n'
            '"u2","Ben","b@x","True"\n')
    piece = only_piece(read_csv(text))
    assert piece.items[0][1]["displayName"] == 'Ana "the admin"\nsecond line\nthird line'
    assert [pointer for pointer, _ in piece.items] == ["/rows/0", "/rows/1"]
    assert piece.positions == ((3, 1), (7, 1))


@pytest.mark.parametrize(("written", "state"), [
    ("Enabled", "enabled"), ("Enforced", "enforced"), ("Disabled", "disabled"),
    ("enforced", "enforced"), ("", "disabled"),
])
def test_per_user_mfa_states(written: str, state: str) -> None:
    piece = only_piece(read_csv(f"Username,MFA Status\nana@contoso.example,{written}\n"))
    assert piece.collection == identify.PER_USER_MFA
    assert piece.items == (("/rows/0", {"id": None, "userPrincipalName": "ana@contoso.example",
                                        "perUserMfaState": state}),)


def test_msonline_export_of_per_user_state() -> None:
    text = ('#TYPE Selected.Microsoft.Online.Administration.User\n'
            '"UserPrincipalName","ObjectId","DisplayName","StrongAuthenticationRequirements.State"\n'
            '"a@x","u1","Ana","Enforced"\n"b@x","u2","Ben",""\n')
    piece = only_piece(read_csv(text))
    assert piece.collection == identify.PER_USER_MFA
    assert [item for _, item in piece.items] == [
        {"id": "u1", "userPrincipalName": "a@x", "perUserMfaState": "enforced"},
        {"id": "u2", "userPrincipalName": "b@x", "perUserMfaState": "disabled"},
    ]


def test_an_unknown_per_user_state_skips_the_row() -> None:
    found = read_csv("UPN,Per-user MFA status\na@x,Enabled\nb@x,Sometimes\n")
    assert [pointer for pointer, _ in only_piece(found).items] == ["/rows/0"]
    assert found.diagnostics == (("INPUT001", "'Sometimes' in column 'Per-user MFA status' is not a per-user "
                                  "MFA state (Disabled, Enabled or Enforced)", "/rows/1", 3, 1),)


def test_a_bad_boolean_is_a_diagnostic_and_the_row_is_skipped() -> None:
    text = '#TYPE X\n"Id","UserPrincipalName","IsMfaRegistered"\n"u1","a@x","True"\n"u2","b@x","Maybe"\n"u3","c@x","False"\n'
    found = read_csv(text)
    piece = only_piece(found)
    assert [pointer for pointer, _ in piece.items] == ["/rows/0", "/rows/2"]
    assert piece.positions == ((3, 1), (5, 1))
    assert found.diagnostics == (("INPUT001", "'Maybe' in column 'IsMfaRegistered' is not True or False",
                                  "/rows/1", 4, 1),)
    assert [(collection, objects) for collection, objects, _, _ in found.lost] == [(piece.collection, 1)]


def test_a_row_with_the_wrong_number_of_fields_is_a_diagnostic() -> None:
    found = read_csv("Id,UserPrincipalName,AccountEnabled\nu1,a@x\nu2,b@x,True\n")
    assert [item["id"] for _, item in only_piece(found).items] == ["u2"]
    assert found.diagnostics == (("INPUT001", "the row has 2 fields where the header has 3", "/rows/0", 2, 1),)


def test_an_unrecognised_csv_is_ignored_with_its_columns() -> None:
    found = read_csv("Date,User name,Feature,Status\n2025-01-01,Ana,Reset,Success\n")
    assert found == Identification(
        "csv", ignored_reason="CSV with columns Date, User name, Feature, Status: not a recognised export")


def test_an_empty_csv_is_ignored() -> None:
    assert read_csv("\n\n") == Identification("csv", ignored_reason="an empty CSV file")


def test_use_culture_semicolons() -> None:
    piece = only_piece(read_csv('"Id";"UserPrincipalName";"AccountEnabled"\n"u1";"a@x";"True"\n'))
    assert piece.items == (("/rows/0", {"id": "u1", "userPrincipalName": "a@x", "accountEnabled": True}),)


def test_type_line_decides_when_the_headers_do_not() -> None:
    text = '#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUserRegistrationDetails\n"Id"\n"u1"\n'
    assert only_piece(read_csv(text)).collection == identify.REGISTRATION_DETAILS
    assert read_csv('"Id"\n"u1"\n').pieces == ()


def models(collection: str, items: Any) -> list[Any]:
    parser = PARSERS[collection]
    return [_content(parser(obj, Origin("file", pointer))) for pointer, obj in items]


def graph_items(name: str) -> list[tuple[str, Any]]:
    document = json.loads((SAMPLE / name).read_text(encoding="utf-8"))
    return [(f"/value/{index}", obj) for index, obj in enumerate(document["value"])]


def format_piece(name: str) -> Piece:
    decoded = decode_text((FORMATS / name).read_bytes())
    found = read_csv(decoded.text)
    assert found.diagnostics == ()
    return only_piece(found)


def test_users_export_builds_the_same_users_as_graph() -> None:
    assert decode_text((FORMATS / "users.csv").read_bytes()).encoding == "utf-16-le with BOM"
    piece = format_piece("users.csv")
    assert piece.collection == identify.USERS
    assert models(identify.USERS, piece.items) == models(identify.USERS, graph_items("users.json"))


def test_registration_download_builds_the_same_details_as_graph() -> None:
    piece = format_piece("registration-details.csv")
    assert piece.collection == identify.REGISTRATION_DETAILS
    assert models(identify.REGISTRATION_DETAILS, piece.items) == models(
        identify.REGISTRATION_DETAILS, graph_items("user-registration-details.json"))


def test_replaces_lists_sample_files() -> None:
    replaced = (FORMATS / "replaces.txt").read_text(encoding="utf-8").split()
    assert replaced == ["user-registration-details.json", "users.json"]
    assert all((SAMPLE / name).is_file() for name in replaced)
