"""Exports cut short by ConvertTo-Json's default depth (DESIGN section 2, "Exports that went wrong")."""
from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

from checker.inputs.load import load

TYPE_NAME = "Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphConditionalAccessUsers"


def _policy(policy_id: str, users: Any) -> dict[str, Any]:
    return {
        "Id": policy_id, "DisplayName": f"policy {policy_id}", "State": "enabled",
        "Conditions": {"Users": users, "ClientAppTypes": "all", "SignInRiskLevels": ""},
        "GrantControls": {"BuiltInControls": "mfa", "Operator": "OR", "TermsOfUse": ""},
    }


def _write_utf16(path: Path, document: Any) -> None:
    path.write_bytes(codecs.BOM_UTF16_LE + json.dumps(document, indent=4).encode("utf-16-le"))


def test_one_finding_per_file_however_many_objects_were_cut(tmp_path: Path) -> None:
    _write_utf16(tmp_path / "policies.json", [_policy("a", TYPE_NAME), _policy("b", TYPE_NAME)])
    result = load([str(tmp_path)])
    (record,) = result.inputs
    assert record.status == "unreadable"
    (diagnostic,) = record.diagnostics
    assert diagnostic.code == "INPUT001"
    assert "ConvertTo-Json's depth limit" in diagnostic.message and "-Depth 10" in diagnostic.message
    assert "2 object(s)" in diagnostic.message
    assert diagnostic.pointer == "/0/Conditions/Users"
    assert result.tenant.conditional_access_policies is None


def test_no_id_is_read_out_of_a_flattened_object(tmp_path: Path) -> None:
    whole = _policy("whole", {"IncludeUsers": ["All"]})
    _write_utf16(tmp_path / "policies.json", [whole, _policy("cut", TYPE_NAME)])
    result = load([str(tmp_path)])
    policies = result.tenant.conditional_access_policies or ()
    assert [p.id for p in policies] == ["whole"]
    (record,) = result.inputs
    assert record.status == "used"
    assert [d.code for d in record.diagnostics] == ["INPUT001"]


def test_a_display_name_that_mentions_a_type_is_not_a_cut(tmp_path: Path) -> None:
    policy = _policy("p", {"IncludeUsers": ["All"]})
    policy["DisplayName"] = "Block Microsoft.Graph.PowerShell.Models usage"
    _write_utf16(tmp_path / "policies.json", [policy])
    result = load([str(tmp_path)])
    assert [d.code for d in result.inputs[0].diagnostics] == []
    assert [p.id for p in result.tenant.conditional_access_policies or ()] == ["p"]
