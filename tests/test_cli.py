from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#"


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def write_tenant(folder: Path, *, defaults_on: bool) -> Path:
    """A free-plan tenant whose only question is whether security defaults are on."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "defaults.json", {
        "@odata.context": CONTEXT + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
        "id": "00000000-0000-0000-0000-000000000005", "isEnabled": defaults_on})
    write_json(folder / "skus.json", {"@odata.context": CONTEXT + "subscribedSkus", "value": [{
        "skuId": "3b555118-da6a-4418-894f-7df1e2096870", "skuPartNumber": "O365_BUSINESS_ESSENTIALS",
        "capabilityStatus": "Enabled", "servicePlans": [{
            "servicePlanId": "9aaf7827-d63c-4b61-89c3-182f06f82e5c", "servicePlanName": "EXCHANGE_S_STANDARD",
            "provisioningStatus": "Success"}]}]})
    write_json(folder / "ca.json", {"@odata.context": CONTEXT + "identity/conditionalAccess/policies", "value": []})
    write_json(folder / "registration.json", {
        "@odata.context": CONTEXT + "reports/authenticationMethods/userRegistrationDetails", "value": [{
            "id": "11111111-1111-1111-1111-111111111111", "userPrincipalName": "ann@contoso.example",
            "userType": "member", "isAdmin": False, "isMfaRegistered": True, "isSsprEnabled": True,
            "isSsprRegistered": True}]})
    return folder


def test_scan_of_a_compliant_tenant_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    assert main(["scan", str(tenant)]) == 0
    out = capsys.readouterr().out
    assert "MFA071" in out  # not_assessed results are shown
    assert "MFA002" not in out  # passes are not, without --verbose


def test_verbose_table_shows_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    assert main(["scan", str(tenant), "--verbose"]) == 0
    assert "MFA002" in capsys.readouterr().out


def test_a_failure_exits_1(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=False)
    assert main(["scan", str(tenant), "--format", f"json:{tmp_path / 'out.json'}"]) == 1
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    verdicts = {rule["id"]: rule["verdict"] for rule in report["rules"]}
    assert verdicts["MFA001"] == "fail"
    assert verdicts["MFA002"] == "fail"
    assert verdicts["MFA010"] == "not_applicable"


def test_fail_on_raises_the_threshold(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=False)
    out = f"json:{tmp_path / 'o.json'}"
    assert main(["scan", str(tenant), "--select", "MFA002", "--fail-on", "critical", "--format", out]) == 0
    assert main(["scan", str(tenant), "--select", "MFA002", "--fail-on", "high", "--format", out]) == 1


def test_strict_counts_not_assessed(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    out = f"json:{tmp_path / 'o.json'}"
    assert main(["scan", str(tenant), "--select", "MFA071", "--format", out]) == 0
    assert main(["scan", str(tenant), "--select", "MFA071", "--strict", "--format", out]) == 1


def test_select_and_ignore_by_name_prefix(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=False)
    out = tmp_path / "o.json"
    assert main(["scan", str(tenant), "--select", "security-defaults", "--format", f"json:{out}"]) == 1
    assert [r["id"] for r in json.loads(out.read_text(encoding="utf-8"))["rules"]] == ["MFA002"]


@pytest.mark.parametrize("selection", [["--ignore", "MFA,INPUT"], ["--select", "MFA070", "--ignore", "MFA070"]])
def test_a_selection_that_leaves_no_rule_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          selection: list[str]) -> None:
    """A report of no rule would say that nothing fails and exit 0: in CI, a pass that checked nothing."""
    tenant = write_tenant(tmp_path / "tenant", defaults_on=False)
    assert main(["scan", str(tenant), *selection]) == 2
    captured = capsys.readouterr()
    assert "no rule left to run" in captured.err
    assert "Nothing fails" not in captured.out


def test_config_file_in_the_scanned_folder_is_used(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=False)
    (tenant / ".tenant-checker.yaml").write_text("fail_on: critical\nselect: [MFA002]\n", encoding="utf-8")
    assert main(["scan", str(tenant), "--format", f"json:{tmp_path / 'o.json'}"]) == 0
    assert main(["scan", str(tenant), "--fail-on", "high", "--format", f"json:{tmp_path / 'o.json'}"]) == 1


@pytest.mark.parametrize(
    ("config_text", "expected"),
    [
        pytest.param("colour: blue\n", "unknown setting 'colour'", id="unknown-key"),
        pytest.param("waivers:\n  - {rule: MFA050, subject: '*', expires: 2030-01-01}\n", "reason is required",
                     id="waiver-without-reason"),
        pytest.param("fail_on: severe\n", "unknown severity", id="bad-severity"),
        pytest.param("admin_roles: [Chief Wizard]\n", "neither a role template id", id="bad-role"),
        pytest.param("select: [: bad\n", "not valid YAML", id="bad-yaml"),
    ],
)
def test_bad_configuration_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config_text: str, expected: str
) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    config = tmp_path / "config.yaml"
    config.write_text(config_text, encoding="utf-8")
    assert main(["scan", str(tenant), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["scan", "no/such/folder"], id="missing-path"),
        pytest.param(["scan"], id="no-path"),
        pytest.param(["--bogus"], id="unknown-option"),
        pytest.param([], id="no-command"),
        pytest.param(["explain", "MFA999"], id="unknown-rule"),
        pytest.param(["scan", ".", "--format", "pdf"], id="unknown-format"),
        pytest.param(["scan", ".", "--fail-on", "severe"], id="bad-fail-on"),
        pytest.param(["scan", ".", "--select", "XYZ"], id="selection-matches-nothing"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("tenant-checker: error: ")
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_no_recognised_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.md").write_text("# not an export\n", encoding="utf-8")
    assert main(["scan", str(tmp_path)]) == 2
    assert "no input was recognised" in capsys.readouterr().err


def test_an_unreadable_file_fails_the_scan_but_the_rest_is_checked(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    (tenant / "broken.json").write_text('{"value": [', encoding="utf-8")
    out = tmp_path / "o.json"
    assert main(["scan", str(tenant), "--format", f"json:{out}"]) == 1
    rules = {rule["id"]: rule for rule in json.loads(out.read_text(encoding="utf-8"))["rules"]}
    assert rules["INPUT001"]["verdict"] == "fail"
    assert rules["INPUT001"]["results"][0]["subject"]["name"] == "broken.json"
    assert rules["MFA001"]["verdict"] == "pass"


def test_refuses_to_write_over_an_input_file(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    before = (tenant / "ca.json").read_bytes()
    assert main(["scan", str(tenant), "--format", f"json:{tenant / 'ca.json'}"]) == 2
    assert (tenant / "ca.json").read_bytes() == before


def test_rules_lists_the_whole_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule_id in ("MFA001", "MFA010", "MFA071", "INPUT001", "INPUT002"):
        assert rule_id in out


def test_explain_shows_every_documentation_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "ca-mfa-admins"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("MFA010 ca-mfa-admins (critical, rule pack builtin)")
    for heading in ("What it checks", "Why it matters", "How to fix", "Evidence", "References"):
        assert f"\n{heading}\n" in out
    assert "IA-2(1)" in out


def test_python_dash_m_runs_the_same_cli() -> None:
    completed = subprocess.run([sys.executable, "-m", "checker", "--version"], capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0
    assert completed.stdout.startswith("tenant-checker ")


def test_exit_zero_reports_without_failing_the_build(capsys: pytest.CaptureFixture[str]) -> None:
    gaps = str(Path(__file__).resolve().parents[1] / "samples" / "e3-gaps")
    assert main(["scan", gaps, "--quiet"]) == 1
    assert main(["scan", gaps, "--quiet", "--exit-zero"]) == 0
    assert "MFA011" in capsys.readouterr().out
    assert main(["scan", "no/such/folder", "--exit-zero"]) == 2
