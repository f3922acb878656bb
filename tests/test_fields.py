"""Field reads: exact camelCase first, then any case, the same answer for every object of a shape."""
from __future__ import annotations

from typing import Any

import pytest

from checker.inputs import fields


@pytest.mark.parametrize(("obj", "expected"), [
    ({"displayName": "exact", "DisplayName": "capitalised"}, "exact"),
    ({"DISPLAYNAME": "upper", "DisplayName": "capitalised"}, "capitalised"),
    ({"DISPLAYNAME": "upper", "displayname": "lower"}, "upper"),
    ({"id": "x"}, None),
    ({"AdditionalProperties": {"DisplayName": "extra"}}, "extra"),
    ({"additionalProperties": {"displayName": "extra"}}, "extra"),
    ({"ADDITIONALPROPERTIES": {"displayName": "extra"}}, None),  # two exact spellings only
    ({"displayname": "own", "AdditionalProperties": {"displayName": "extra"}}, "own"),
])
def test_which_key_is_read(obj: dict[str, Any], expected: str | None) -> None:
    assert fields.get(obj, "displayName") == expected


def test_objects_of_one_shape_are_read_alike() -> None:
    """The case-insensitive search is remembered per set of keys: each object still gives its own value."""
    users = [{"Id": f"u{index}", "UserType": "Member" if index % 2 else None} for index in range(5)]
    assert [fields.text(user, "id") for user in users] == [f"u{index}" for index in range(5)]
    assert [fields.text(user, "userType") for user in users] == ["", "Member", "", "Member", ""]
    assert [fields.text(user, "creationType", "none") for user in users] == ["none"] * 5
    assert fields.has(users[0], "userType") and not fields.has(users[0], "creationType")


def test_a_missing_field_is_still_checked_for_its_type() -> None:
    with pytest.raises(fields.ShapeError, match="expected a string, found an array"):
        fields.text({"ID": "u1", "UserPrincipalName": ["a"]}, "userPrincipalName")
