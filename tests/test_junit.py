"""JUnit as GitLab and Azure DevOps read it: parsed with junitparser, checked against the JSON report."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from junitparser import Failure, JUnitXml, Skipped  # type: ignore[import-untyped]
from report_fixture import build_report

from checker.cli import main
from checker.formatters import get_formatter
from checker.formatters.options import FormatOptions
from checker.report import Report, Result, RuleOutcome, Subject
from checker.verdicts import Verdict

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SNAPSHOTS = Path(__file__).parent / "snapshots" / "formatters"


def _junit(report: Report) -> str:
    return get_formatter("junit")(report, FormatOptions.for_report(report))


def _scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: str) -> tuple[int, Any, dict[str, Any]]:
    shutil.copytree(SAMPLES / sample, tmp_path / sample)
    monkeypatch.chdir(tmp_path)
    code = main(["scan", sample, "--format", "junit:out.xml", "--format", "json:out.json"])
    return code, JUnitXml.fromfile(str(tmp_path / "out.xml")), json.loads((tmp_path / "out.json").read_text("utf-8"))


def test_one_test_case_per_rule_with_the_rules_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, xml, report = _scan(tmp_path, monkeypatch, "e3-gaps")
    assert code == 1
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    rules = {f"{rule['id']} {rule['name']}": rule for rule in report["rules"]}
    assert list(cases) == list(rules)
    for name, rule in rules.items():
        case = cases[name]
        kinds = [type(outcome) for outcome in case.result]
        if rule["verdict"] == "fail":
            assert kinds == [Failure]
            failing = [result for result in rule["results"] if result["verdict"] == "fail"]
            (failure,) = case.result
            assert failure.message.startswith(f"{len(failing)} failing result")
            assert failure.type == rule["severity"]
            lines = failure.text.splitlines()
            assert len(lines) == len(failing)
            for line, result in zip(lines, failing, strict=True):
                assert result["message"] in line
                if result["evidence"]:
                    evidence = result["evidence"][0]
                    assert line.endswith(f"(e3-gaps/{evidence['file']}:{evidence['line']})")
        elif rule["verdict"] in ("not_assessed", "not_applicable"):
            assert kinds == [Skipped]
            assert case.result[0].message.startswith(rule["verdict"] + ": ")
        else:
            assert kinds == [] and case.is_passed
        if any(result["verdict"] == "review" for result in rule["results"]):
            assert case.system_out.startswith("Needs review:\n")
    assert (suite.tests, suite.failures, suite.skipped, suite.errors) == (
        len(rules),
        sum(rule["verdict"] == "fail" for rule in rules.values()),
        sum(rule["verdict"] in ("not_assessed", "not_applicable") for rule in rules.values()),
        0,
    )
    # GitLab keys a test on classname + name and keeps only the first of duplicates
    assert len({(case.classname, case.name) for case in suite}) == len(rules)
    assert all(case.classname.startswith("tenant-checker.") and case.time == 0 for case in suite)


def test_a_clean_sample_has_no_failed_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, xml, _ = _scan(tmp_path, monkeypatch, "e3-done-right")
    assert code == 0
    (suite,) = list(xml)
    assert suite.failures == 0 and suite.errors == 0
    assert not any(isinstance(outcome, Failure) for case in suite for outcome in case.result)


def test_snapshot(tmp_path: Path, snapshot: Any) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(_junit(build_report(tmp_path)), "report.junit.xml")


def test_same_report_same_bytes(tmp_path: Path) -> None:
    report = build_report(tmp_path)
    first = _junit(report)
    assert _junit(report) == first
    assert str(tmp_path) not in first and "timestamp" not in first


def test_characters_xml_cannot_hold_do_not_break_the_report(tmp_path: Path) -> None:
    report = build_report(tmp_path)
    outcome = report.outcomes[0]
    odd = Result(outcome.rule.id, Verdict.FAIL, "name with a bell \x07 in it", Subject("user", "u1", "bell\x07user"))
    report = Report(report.tool_version, report.scan_root, report.inputs, report.plan,
                    (RuleOutcome(outcome.rule, (odd,)),), report.sources)
    (suite,) = list(JUnitXml.fromstring(_junit(report).encode("utf-8")))
    (case,) = list(suite)
    assert "bell\\x07user" in case.result[0].text  # written out, as in the table
