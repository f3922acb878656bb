from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.formatters.common import SHOWN_PER_RULE

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails"


@pytest.fixture()
def thirty_unregistered(tmp_path: Path) -> Path:
    users = [{"id": f"00000000-0000-4000-8000-{n:012d}", "userPrincipalName": f"user{n:02d}@contoso.example",
              "userType": "member", "isMfaRegistered": False, "isSsprEnabled": True, "isSsprRegistered": True}
             for n in range(30)]
    folder = tmp_path / "tenant"
    folder.mkdir()
    (folder / "registration.json").write_text(json.dumps({"@odata.context": CONTEXT, "value": users}),
                                              encoding="utf-8")
    return folder


def test_the_table_lists_a_bounded_number_of_results_per_rule(
    thirty_unregistered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", str(thirty_unregistered), "--select", "MFA030"])
    out = capsys.readouterr().out
    assert SHOWN_PER_RULE == 25
    # the table breaks a UPN after its "@"
    assert "user24@" in out and "user25@" not in out
    assert "5 more results of MFA030 not" in out
    main(["scan", str(thirty_unregistered), "--select", "MFA030", "--verbose"])
    out = capsys.readouterr().out
    assert "user29@" in out and "more results" not in out


def test_markdown_says_where_the_rest_is_and_json_holds_everything(
    thirty_unregistered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", str(thirty_unregistered), "--select", "MFA030", "--format", "markdown",
          "--format", f"json:{tmp_path / 'out.json'}"])
    out = capsys.readouterr().out
    assert "user24@contoso.example" in out and "user25@contoso.example" not in out
    assert "5 more results needing attention not listed here; the JSON and SARIF reports hold them all." in out
    results = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["rules"][0]["results"]
    assert len(results) == 30
