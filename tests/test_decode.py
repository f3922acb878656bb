"""Text as Windows PowerShell 5.1 writes it: ANSI (Windows-1252) without a byte-order mark."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.inputs.decode import WINDOWS_1252, DecodeError, decode_text
from checker.inputs.load import load

POLICIES = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
            "value": [{"id": "p1", "displayName": "Zugriff für Gäste – blockieren", "state": "enabled",
                       "conditions": {}, "grantControls": {"operator": "OR", "builtInControls": ["block"]}}]}


def test_windows_1252_text_is_read_and_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policies.json").write_bytes(json.dumps(POLICIES, ensure_ascii=False).encode("cp1252"))
    result = load([str(tmp_path)])
    (item,) = result.inputs
    assert item.status == "used" and item.diagnostics == ()
    assert [p.display_name for p in result.tenant.conditional_access_policies or ()] == \
        ["Zugriff für Gäste – blockieren"]
    assert main(["inputs", str(tmp_path)]) == 0
    assert "read as Windows-1252" in capsys.readouterr().out


def test_utf8_stays_utf8() -> None:
    assert decode_text("für – €".encode()).encoding == "utf-8"
    assert decode_text("für – €".encode("cp1252")).encoding == WINDOWS_1252


@pytest.mark.parametrize("data", [
    pytest.param(b'{"id": "\x81"}', id="undefined-0x81"),
    pytest.param(b'{"id": "\x8d\xe9"}', id="undefined-0x8D"),
    pytest.param(b'{"id": "\x9d"}', id="undefined-0x9D"),
    pytest.param(b'{"id": "\xe9\x01"}', id="control-byte"),
    pytest.param(b'{"id": "\xe9\x1b[0m"}', id="escape-sequence"),
])
def test_bytes_that_are_not_windows_1252_text_stay_unreadable(data: bytes) -> None:
    with pytest.raises(DecodeError, match="not valid UTF-8"):
        decode_text(data)
