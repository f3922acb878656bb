from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
NESTED = ROOT / "tests" / "cases" / "MFA070" / "fail-nested-exclusion-groups"
UNKNOWN_GROUP = ROOT / "tests" / "cases" / "MFA070" / "not-assessed-exclusion-group-not-exported"
STATUS_OF_VERDICT = {"fail": "NOT covered", "review": "NOT covered", "not_assessed": "cannot tell"}


def mfa070_results(folder: Path, tmp_path: Path, *extra: str) -> dict[str, dict[str, str]]:
    out = tmp_path / "out.json"
    main(["scan", str(folder), "--select", "MFA070", "--format", f"json:{out}", *extra])
    results = json.loads(out.read_text(encoding="utf-8"))["rules"][0]["results"]
    return {r["subject"]["id"]: r for r in results if r["subject"]["kind"] == "user"}


def users_of(folder: Path) -> list[dict[str, object]]:
    data = json.loads((folder / "users.json").read_text(encoding="utf-8"))
    return [u for u in data["value"] if u["accountEnabled"]]


@pytest.mark.parametrize("folder", [NESTED, UNKNOWN_GROUP, ROOT / "samples" / "e3-gaps",
                                    ROOT / "samples" / "free-defaults-off"], ids=lambda p: p.name)
def test_explain_user_agrees_with_mfa070_for_every_user(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(tmp_path / "config.yaml")]
    (tmp_path / "config.yaml").write_text("break_glass: [breakglass1@contoso.example]\n", encoding="utf-8")
    if (folder / ".tenant-checker.yaml").exists():
        config = []
    results = mfa070_results(folder, tmp_path, *config)
    capsys.readouterr()
    users = users_of(folder)
    assert users
    for user in users:
        code = main(["explain-user", str(user["userPrincipalName"]), str(folder), *config])
        summary = capsys.readouterr().out.split("\n\nMFA: ", 1)[1].split("\n", 1)[0]
        result = results.get(str(user["id"]))
        if result is None:
            assert (code, summary.startswith("covered by ")) == (0, True), user
            continue
        assert code == 1, user
        assert summary.startswith(STATUS_OF_VERDICT[result["verdict"]]), (summary, result)
        if result["verdict"] == "fail":
            reason = result["message"].removeprefix("Signs in without MFA: ")
            assert summary.endswith(reason), (summary, result["message"])


def test_explain_user_shows_every_policy_and_the_route(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain-user", "ERIN@contoso.example", str(NESTED)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("erin@contoso.example (e4140e41-0000-4000-8000-000000000005): member, enabled\n")
    assert "- 'Require MFA for all users' [enforced]: does not apply\n" in out
    assert "    users: included through all users; excluded through group 'Exempt'\n" in out
    assert "- 'MFA outside the office' [enforced]: applies\n" in out
    assert "    users: included through group 'Exempt' (nested in 'Agency')\n" in out
    assert "    conditions: MFA is not required from trusted locations\n" in out
    assert "  any app · outside the MFA trusted IPs, 'Head office' → MFA\n" in out
    assert "  any app · from the MFA trusted IPs, 'Head office' → no control\n" in out


def test_by_object_id_and_roles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain-user", "F4A4CF4A-0000-4000-8000-000000000006", str(NESTED)]) == 0
    out = capsys.readouterr().out
    assert "Roles: Global Administrator\n" in out
    assert "MFA: covered by 'Require MFA for all users', 'Require MFA for administrators'." in out


def test_a_disabled_account_is_said_to_be_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain-user", "carol@contoso.example", str(NESTED)]) == 0
    assert "MFA: the account is disabled, so it cannot sign in." in capsys.readouterr().out


def test_security_defaults_cover_everyone(capsys: pytest.CaptureFixture[str]) -> None:
    folder = ROOT / "samples" / "free-defaults-on"
    upn = str(users_of(folder)[0]["userPrincipalName"])
    assert main(["explain-user", upn, str(folder)]) == 0
    assert "MFA: covered via security defaults" in capsys.readouterr().out


def test_a_break_glass_account_is_named_as_such(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("break_glass: [breakglass1@contoso.example]\n", encoding="utf-8")
    assert main(["explain-user", "breakglass1@contoso.example", str(NESTED), "--config", str(config)]) == 1
    assert "(a break-glass account, so for review rather than a failure)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["explain-user", "nobody@contoso.example", str(NESTED)],
                     "user 'nobody@contoso.example' is not in the export (7 users read)", id="unknown-user"),
        pytest.param(["explain-user", "bob@contoso.example", str(ROOT / "samples" / "partial-ca-only")],
                     "the export has no users collection", id="no-users"),
        pytest.param(["explain-user", "bob@contoso.example", "no/such/folder"], "no such file or folder",
                     id="missing-path"),
    ],
)
def test_clear_message_when_the_user_cannot_be_explained(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
