"""Every report says what it is of: tenant, export time, tool, configuration, rules, inputs."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker import __version__
from checker.cli import main
from tests.test_cli import write_json, write_tenant

ROOT = Path(__file__).resolve().parents[1]
TENANT_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


def manifest(**changes: Any) -> dict[str, Any]:
    document = {
        "kind": "tenant-checker-manifest", "schemaVersion": 1, "toolVersion": "0.1.0", "tenantId": TENANT_ID,
        "tenantName": "Contoso", "collectedAt": "2026-12-01T10:00:00Z", "graphUrl": "https://graph.microsoft.com",
        "requests": [{"collection": "subscribedSkus", "url": "https://graph.microsoft.com/v1.0/subscribedSkus",
                      "status": 200, "file": "skus.json", "objects": 1, "pages": 1}],
        "denied": [{"collection": "reports/authenticationMethods/userRegistrationDetails", "url": "...",
                    "status": 403, "message": "Forbidden"}],
    }
    document.update(changes)
    return document


def scan_json(tmp_path: Path, *argv: str) -> dict[str, Any]:
    out = tmp_path / "out.json"
    main(["scan", *argv, "--format", f"json:{out}"])
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def test_the_manifest_names_tenant_and_collection_time(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    write_json(tenant / "tenant-checker-manifest.json", manifest())
    report = scan_json(tmp_path, str(tenant))
    assert report["schemaVersion"] == 1
    identity = report["identity"]
    assert identity["tenantId"] == TENANT_ID
    assert identity["tenantName"] == "Contoso"
    assert identity["exportedAt"] == "2026-12-01T10:00:00Z"
    assert identity["deniedCollections"] == ["reports/authenticationMethods/userRegistrationDetails"]
    (listed,) = [item for item in report["inputs"] if item["path"] == "tenant-checker-manifest.json"]
    assert listed["status"] == "manifest"
    assert listed["diagnostics"] == []
    assert {rule["id"]: rule["verdict"] for rule in report["rules"]}["INPUT001"] == "pass"


def test_a_manifest_alone_is_no_export(tmp_path: Path) -> None:
    folder = tmp_path / "only"
    folder.mkdir()
    write_json(folder / "tenant-checker-manifest.json", manifest())
    assert main(["scan", str(folder), "--format", f"json:{tmp_path / 'o.json'}"]) == 2


@pytest.mark.parametrize(("change", "reason"), [
    ({"tenantId": "contoso"}, "tenantId is 'contoso', not a GUID"),
    ({"collectedAt": "yesterday"}, "collectedAt is 'yesterday', not a UTC time"),
    ({"schemaVersion": 2}, "schemaVersion is 2, not 1"),
    ({"denied": [{"status": 403}]}, "an entry of denied has no collection name"),
])
def test_a_broken_manifest_is_unreadable(tmp_path: Path, change: dict[str, Any], reason: str) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    write_json(tenant / "tenant-checker-manifest.json", manifest(**change))
    report = scan_json(tmp_path, str(tenant))
    (listed,) = [item for item in report["inputs"] if item["path"] == "tenant-checker-manifest.json"]
    assert listed["status"] == "unreadable"
    assert reason in listed["reason"]
    assert report["identity"]["tenantId"] == ""
    assert {rule["id"]: rule["verdict"] for rule in report["rules"]}["INPUT001"] == "fail"


def test_the_tenant_id_of_subscribed_skus(tmp_path: Path) -> None:
    identity = scan_json(tmp_path, str(ROOT / "samples" / "e3-gaps"))["identity"]
    assert identity["tenantId"] == "ef333d04-f9e7-4102-ad04-611524cce43e"
    assert identity["exportedAt"] == ""
    assert identity["configuration"] == ".tenant-checker.yaml"


def test_a_filtered_run_says_what_it_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(ROOT / "samples" / "e3-gaps")
    identity = scan_json(tmp_path, sample, "--select", "MFA01", "--ignore", "MFA012")["identity"]
    assert identity["rulesRun"] == ["MFA010", "MFA011"]
    assert len(identity["rulesLeftOut"]) == 22
    assert "MFA012" in identity["rulesLeftOut"]
    main(["scan", sample, "--select", "MFA01", "--ignore", "MFA012", "--format", "markdown"])
    assert "| Rules run | 2 of 24; left out: INPUT001, INPUT002, MFA001, MFA002," in capsys.readouterr().out
    main(["scan", sample, "--select", "MFA01", "--ignore", "MFA012"])
    assert "Rules run: 2 of 24; left out: INPUT001" in capsys.readouterr().out


def test_every_person_facing_format_opens_with_the_identity(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    write_json(tenant / "tenant-checker-manifest.json", manifest())
    for name in ("table", "markdown", "html"):
        out = tmp_path / f"out.{name}"
        main(["scan", str(tenant), "--format", f"{name}:{out}"])
        text = out.read_text(encoding="utf-8")
        for expected in (f"Contoso ({TENANT_ID})", "2026-12-01T10:00:00Z", f"tenant-checker {__version__}",
                         "none (defaults)", "all 24"):
            assert expected in text, (name, expected)
        assert "Scanned" + ":" not in text.replace("Scanned path", "")


def test_the_scan_date_only_with_timestamp(tmp_path: Path) -> None:
    sample = str(ROOT / "samples" / "e3-gaps")
    assert scan_json(tmp_path, sample)["identity"]["scannedAt"] == ""
    stamped = scan_json(tmp_path, sample, "--timestamp")["identity"]["scannedAt"]
    assert len(stamped) == 20 and stamped.endswith("Z")
    out = tmp_path / "out.txt"
    main(["scan", sample, "--timestamp", "--format", f"table:{out}"])
    assert "\nScanned: 20" in out.read_text(encoding="utf-8")


def test_markdown_inputs_carry_their_sha256(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "partial-ca-only", export)
    main(["scan", str(export), "--format", "markdown"])
    digest = hashlib.sha256((export / "conditional-access-policies.json").read_bytes()).hexdigest()
    assert f"| `conditional-access-policies.json` | used | graph | `{digest}` |" in capsys.readouterr().out


def test_an_export_with_nothing_recognised_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("nothing here\n", encoding="utf-8")
    for name in ("table", "markdown", "html"):
        out = tmp_path / f"out.{name}"
        assert main(["scan", str(folder), "--format", f"{name}:{out}"]) == 2
        assert "no input was recognised as part of a tenant export" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "environment", "coloured"), [
    ([], {}, True),
    (["--no-color"], {}, False),
    ([], {"NO_COLOR": "1"}, False),
    ([], {"NO_COLOR": ""}, True),  # https://no-color.org: only a non-empty value counts
])
def test_colour_only_on_a_terminal_and_when_wanted(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, argv: list[str], environment: dict[str, str],
                                                   coloured: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr("checker.scan._is_terminal", lambda: True)
    sample = str(ROOT / "samples" / "e3-gaps")
    out = tmp_path / "table.txt"
    main(["scan", sample, *argv, "--format", "table", "--format", f"table:{out}"])
    assert ("\x1b[" in capsys.readouterr().out) is coloured
    assert "\x1b" not in out.read_text(encoding="utf-8")  # never in a file


def test_colour_never_in_a_pipe(tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "checker", "scan", str(ROOT / "samples" / "e3-gaps")],
                               capture_output=True, text=True, cwd=ROOT, check=False)
    assert completed.returncode == 1
    assert "\x1b" not in completed.stdout


def test_a_scubagear_export_names_its_tenant_and_time(tmp_path: Path) -> None:
    folder = tmp_path / "scuba"
    folder.mkdir()
    write_json(folder / "ProviderSettingsExport.json", {
        "baseline_version": "1", "module_version": "1.8.0", "timestamp_zulu": "2026-05-04T17:15:48.307Z",
        "tenant_id": TENANT_ID, "conditional_access_policies": [],
        "tenant_details": [{"TenantId": TENANT_ID, "DisplayName": "Fabrikam", "DomainName": "fabrikam.example"}],
    })
    identity = scan_json(tmp_path, str(folder))["identity"]
    assert (identity["tenantId"], identity["tenantName"]) == (TENANT_ID, "Fabrikam")
    assert identity["tenantSource"] == "ScubaGear's tenant details"
    assert identity["exportedAt"] == "2026-05-04T17:15:48.307Z"


def test_the_verbose_table_lists_inputs_as_sha256sum_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "partial-ca-only", export)
    main(["scan", str(export), "--verbose"])
    digest = hashlib.sha256((export / "conditional-access-policies.json").read_bytes()).hexdigest()
    assert f"\n{digest}  conditional-access-policies.json\n" in capsys.readouterr().out
    main(["scan", str(export)])
    assert digest not in capsys.readouterr().out


ORGANIZATION = {"id": "ef333d04-f9e7-4102-ad04-611524cce43e", "displayName": "Fabrikam Gaps",
                "verifiedDomains": [{"name": "fabrikam-gaps.example", "isDefault": True}]}


@pytest.mark.parametrize(("path", "document"), [
    pytest.param("organization.json", {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#organization",
                                       "value": [ORGANIZATION]}, id="graph-response"),
    pytest.param("Organization/Organization.json", ORGANIZATION, id="entraexporter-file"),
])
def test_the_organization_object_names_the_tenant(tmp_path: Path, path: str, document: dict[str, Any]) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "e3-gaps", export)
    (export / path).parent.mkdir(parents=True, exist_ok=True)
    write_json(export / path, document)
    report = scan_json(tmp_path, str(export))
    identity = report["identity"]
    assert (identity["tenantId"], identity["tenantName"]) == (ORGANIZATION["id"], "Fabrikam Gaps")
    assert identity["tenantSource"] == "subscribed SKU ids and the tenant's organization object"
    (listed,) = [item for item in report["inputs"] if item["path"] == path]
    assert listed["status"] == "ignored" and "names the tenant" in listed["reason"]
    assert {rule["id"]: rule["verdict"] for rule in report["rules"]}["INPUT001"] == "pass"


def test_an_organization_of_another_tenant_is_named_as_such(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "e3-gaps", export)
    write_json(export / "organization.json", {**ORGANIZATION, "id": "11111111-2222-3333-4444-555555555555"})
    identity = scan_json(tmp_path, str(export))["identity"]
    assert identity["otherTenantIds"] == ["ef333d04-f9e7-4102-ad04-611524cce43e"]
