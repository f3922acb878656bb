from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.locate import Location, Locator
from checker.origin import Origin

POLICY = """\
{
  "value": [
    {
      "id": "p1",
      "displayName": "Require MFA",
      "conditions": {
        "users": {"includeUsers": ["All"], "excludeUsers": ["u1", "u2"]},
        "applications": {"includeApplications": ["All"]}
      },
      "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    },
    {"id": "p2", "state": "disabled", "grantControls": null}
  ]
}
"""


def _locator(tmp_path: Path, text: str | bytes, name: str = "export.json") -> Locator:
    target = tmp_path / name
    if isinstance(text, str):
        target.write_text(text, encoding="utf-8")
    else:
        target.write_bytes(text)
    return Locator({name: str(target)})


def _at(locator: Locator, pointer: str, name: str = "export.json") -> tuple[str, int, int]:
    location = locator.locate(Origin(name, pointer))
    return location.pointer, location.line, location.column


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", ("", 1, 1)),
        ("/value", ("/value", 2, 3)),
        ("/value/0", ("/value/0", 3, 5)),
        ("/value/0/id", ("/value/0/id", 4, 7)),
        ("/value/0/conditions", ("/value/0/conditions", 6, 7)),
        ("/value/0/conditions/users", ("/value/0/conditions/users", 7, 9)),
        ("/value/0/conditions/users/includeUsers", ("/value/0/conditions/users/includeUsers", 7, 19)),
        ("/value/0/conditions/users/includeUsers/0", ("/value/0/conditions/users/includeUsers/0", 7, 36)),
        ("/value/0/conditions/users/excludeUsers/1", ("/value/0/conditions/users/excludeUsers/1", 7, 67)),
        (
            "/value/0/conditions/applications/includeApplications",
            ("/value/0/conditions/applications/includeApplications", 8, 26),
        ),
        ("/value/0/grantControls/builtInControls/0", ("/value/0/grantControls/builtInControls/0", 10, 63)),
        ("/value/1", ("/value/1", 12, 5)),
        ("/value/1/state", ("/value/1/state", 12, 18)),
        ("/value/1/grantControls", ("/value/1/grantControls", 12, 39)),
    ],
)
def test_nested_objects_and_arrays(tmp_path: Path, pointer: str, expected: tuple[str, int, int]) -> None:
    assert _at(_locator(tmp_path, POLICY), pointer) == expected


def test_location_names_the_file(tmp_path: Path) -> None:
    location = _locator(tmp_path, POLICY).locate(Origin("export.json", "/value/1/state"))
    assert location == Location("export.json", "/value/1/state", 12, 18, 12, 37)


@pytest.mark.parametrize(
    ("pointer", "region"),
    [
        # a member with a scalar value: the key through the value
        ("/value/1/state", (12, 18, 12, 37)),
        ("/value/1/grantControls", (12, 39, 12, 60)),
        # a member whose value is a container: the key through the opening bracket, one line
        ("/value/0/conditions", (6, 7, 6, 22)),
        # an element: a scalar whole, an object by its opening brace
        ("/value/0/conditions/users/excludeUsers/1", (7, 67, 7, 71)),
        ("/value/1", (12, 5, 12, 6)),
    ],
)
def test_a_location_ends_where_its_member_does(tmp_path: Path, pointer: str, region: tuple[int, int, int, int]) -> None:
    location = _locator(tmp_path, POLICY).locate(Origin("export.json", pointer))
    assert (location.line, location.column, location.end_line, location.end_column) == region


def test_a_given_position_ends_with_its_line(tmp_path: Path) -> None:
    target = tmp_path / "users.csv"
    target.write_text("Id,UserPrincipalName\r\nu1,alice@contoso.example\r\nu2,bob@contoso.example\r\n", encoding="utf-8")
    locator = Locator({"users.csv": str(target)}, positions={"users.csv": {"/1": (3, 1)}})
    location = locator.locate(Origin("users.csv", "/1/UserPrincipalName"))
    assert (location.pointer, location.line, location.column, location.end_line, location.end_column) == (
        "/1", 3, 1, 3, len("u2,bob@contoso.example") + 1)


def test_keys_match_case_insensitively_and_come_back_as_spelled(tmp_path: Path) -> None:
    text = '{"Conditions": {\n  "Users": {"IncludeUsers": ["All"]}}}'
    locator = _locator(tmp_path, text)
    assert _at(locator, "/conditions/users/includeUsers") == ("/Conditions/Users/IncludeUsers", 2, 13)
    assert _at(locator, "/conditions/users/includeUsers/0") == ("/Conditions/Users/IncludeUsers/0", 2, 30)


def test_exact_spelling_wins_over_another_case(tmp_path: Path) -> None:
    locator = _locator(tmp_path, '{"ID": 1,\n "id": 2}')
    assert _at(locator, "/id") == ("/id", 2, 2)
    assert _at(locator, "/Id") == ("/ID", 1, 2)


def test_escaped_quotes_and_slashes_in_keys(tmp_path: Path) -> None:
    text = '{"say \\"hi\\"": {"a/b": {"c~d": [10, "x]}"]}}, "next": true}'
    locator = _locator(tmp_path, text)
    assert _at(locator, "/say \"hi\"") == ('/say "hi"', 1, 2)
    assert _at(locator, "/say \"hi\"/a~1b") == ('/say "hi"/a~1b', 1, 17)
    assert _at(locator, "/say \"hi\"/a~1b/c~0d/1") == ('/say "hi"/a~1b/c~0d/1', 1, 37)
    assert _at(locator, "/next") == ("/next", 1, 47)


def test_unicode_escapes_in_keys(tmp_path: Path) -> None:
    locator = _locator(tmp_path, '{"caf\\u00e9": {"x": 1}}')
    assert _at(locator, "/CAFÉ/x") == ("/café/x", 1, 16)


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    locator = _locator(tmp_path, '{"displayName": "Zoë 𝔘", "id": "x"}')
    assert _at(locator, "/id") == ("/id", 1, 26)


def test_crlf_line_endings(tmp_path: Path) -> None:
    locator = _locator(tmp_path, b'{\r\n  "a": {\r\n    "b": 1\r\n  }\r\n}\r\n')
    assert _at(locator, "/a/b") == ("/a/b", 3, 5)


def test_utf16_file_with_bom(tmp_path: Path) -> None:
    text = '{\n  "Value": [\n    {"DisplayName": "Ünïcode"}\n  ]\n}\n'
    locator = _locator(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert _at(locator, "/value/0/displayName") == ("/Value/0/DisplayName", 3, 6)


def test_utf8_file_with_bom(tmp_path: Path) -> None:
    locator = _locator(tmp_path, codecs.BOM_UTF8 + b'{"a": 1}')
    assert _at(locator, "/a") == ("/a", 1, 2)
    assert _at(locator, "") == ("", 1, 1)


def test_root_is_first_non_space_character(tmp_path: Path) -> None:
    locator = _locator(tmp_path, '\n\n   [1, 2]')
    assert _at(locator, "") == ("", 3, 4)
    assert _at(locator, "/1") == ("/1", 3, 8)


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("/value/0/conditions/locations", ("/value/0/conditions", 6, 7)),
        ("/value/0/conditions/users/includeGroups/0", ("/value/0/conditions/users", 7, 9)),
        ("/value/5/state", ("/value", 2, 3)),
        ("/value/x", ("/value", 2, 3)),
        ("/value/0/id/deeper", ("/value/0/id", 4, 7)),
        ("/value/1/grantControls/builtInControls", ("/value/1/grantControls", 12, 39)),
        ("/missing", ("", 1, 1)),
    ],
)
def test_absent_field_resolves_to_nearest_ancestor(
    tmp_path: Path, pointer: str, expected: tuple[str, int, int]
) -> None:
    assert _at(_locator(tmp_path, POLICY), pointer) == expected


def test_empty_containers_are_leaves(tmp_path: Path) -> None:
    locator = _locator(tmp_path, '{"a": [],\n "b": {}, "c": [[], {}]}')
    assert _at(locator, "/a/0") == ("/a", 1, 2)
    assert _at(locator, "/b/x") == ("/b", 2, 2)
    assert _at(locator, "/c/1") == ("/c/1", 2, 21)


def test_large_containers_are_indexed(tmp_path: Path) -> None:
    users = ",\n".join(f'{{"Id": "u{n}", "AccountEnabled": true}}' for n in range(500))
    locator = _locator(tmp_path, '{"value": [\n' + users + "\n]}")
    assert _at(locator, "/value/0/id") == ("/value/0/Id", 2, 2)
    assert _at(locator, "/value/499/accountEnabled") == ("/value/499/AccountEnabled", 501, 16)
    assert _at(locator, "/value/500") == ("/value", 1, 2)
    assert _at(locator, "/VALUE/007") == ("/value/7", 9, 1)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n",
        b'{"a": [1, 2}',
        b'{"a": 1',
        b'{"a": 1}}',
        b'["a": 1]',
        b'{"a" 1}',
        b'{"a": 1} {"b": 2}',
        b"\xff\xfe\x00",
        b"\x81not utf-8 nor windows-1252",
    ],
)
def test_unreadable_text_falls_back_to_line_one(tmp_path: Path, content: bytes) -> None:
    assert _at(_locator(tmp_path, content), "/a") == ("/a", 1, 1)


def test_missing_file_and_unknown_file_fall_back(tmp_path: Path) -> None:
    locator = Locator({"gone.json": str(tmp_path / "gone.json")})
    assert locator.locate(Origin("gone.json", "/x/0")) == Location("gone.json", "/x/0", 1, 1)
    assert locator.locate(Origin("other.json", "/y")) == Location("other.json", "/y", 1, 1)


def test_non_json_text_locates_only_its_root(tmp_path: Path) -> None:
    locator = _locator(tmp_path, "\n#TYPE User\nId,Name\n1,a\n", name="users.csv")
    assert _at(locator, "/0/Id", name="users.csv") == ("", 2, 1)


def test_each_file_is_read_once(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_text('{"a": {"b": 1}}', encoding="utf-8")
    locator = Locator({"export.json": str(target)})
    assert _at(locator, "/a/b") == ("/a/b", 1, 8)
    target.write_text('\n\n{"a": {"b": 1}}', encoding="utf-8")
    assert _at(locator, "/a") == ("/a", 1, 2)


@given(st.text(alphabet="ab\n{}", max_size=20000), st.data())
def test_line_and_column_agree_with_counting_from_the_start(text: str, data: st.DataObject) -> None:
    """Blocks and the last newline before each keep a position cheap on a one-line file; same answer."""
    from checker.locate import _Lines

    lines = _Lines(text)
    for offset in data.draw(st.lists(st.integers(0, len(text)), max_size=20)):
        expected = (text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1)
        assert lines.position(offset) == expected


@given(st.text(alphabet="ab\n{}", max_size=5000), st.data())
def test_a_region_ends_where_counting_from_the_start_says(text: str, data: st.DataObject) -> None:
    from checker.locate import _Lines

    lines = _Lines(text)
    for start in data.draw(st.lists(st.integers(0, len(text)), max_size=10)):
        end = data.draw(st.integers(start, len(text)))
        assert lines.region(start, end) == (*lines.position(start), *lines.position(end))


_USERS = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [
    {"id": f"u{index}", "displayName": f"User [{index}] \"{'é' * index}\"", "accountEnabled": index % 2 == 0,
     "memberOf": [{"id": "g1", "tags": ["a", "b"]}], "userType": None}
    for index in range(30)]}


@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_element_positions_equal_those_of_the_whole_file_map(tmp_path: Path, indent: int | str | None) -> None:
    """The loader's element starts and the locator's map of the whole file agree, minified or indented."""
    import json

    from checker.inputs.decode import parse_json_with_spans

    text = json.dumps(_USERS, indent=indent, ensure_ascii=False)
    target = tmp_path / "users.json"
    target.write_text(text, encoding="utf-8")
    _, spans = parse_json_with_spans(text)
    assert len(spans["/value"]) == 30
    by_elements = Locator({"users.json": str(target)}, {"users.json": spans})
    by_whole_file = Locator({"users.json": str(target)})
    pointers = [f"/value/{index}{field}" for index in range(30)
                for field in ("", "/id", "/displayName", "/accountEnabled", "/memberOf/0/tags/1", "/USERTYPE",
                              "/absent")]
    for pointer in pointers:
        origin = Origin("users.json", pointer)
        assert by_elements.locate(origin) == by_whole_file.locate(origin), pointer
    assert by_elements._tapes == {}  # the whole file was never mapped
